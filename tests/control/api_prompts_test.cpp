// Voicemail prompts through the REST API: uploads are checked audio kept in the prompts folder,
// campaigns name them by id, and no client-chosen server path is accepted any more.
#include <gtest/gtest.h>

#include <filesystem>

#include "control/api_fixture.h"
#include "control/campaign/campaign_runner.h"
#include "control/campaign/prompt_files.h"
#include "media/g711.h"
#include "sql/campaign_store.h"
#include "sql/db_pool.h"

using namespace hark;
using test::Api;

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

size_t stored_files() {
  size_t n = 0;
  if (fs::exists(Api::prompts_dir()))
    for ([[maybe_unused]] auto& e : fs::directory_iterator(Api::prompts_dir())) ++n;
  return n;
}

TEST_F(Api, ACampaignRefusesAServerPathAsItsVoicemail) {
  // voicemailMessage made the runner read any server file whole (/dev/zero: 7.8 GB).
  const auto id = std::to_string(make_campaign("vm-path"));
  for (const char* path : {"/dev/zero", "/root", "../../etc/passwd", "vm.wav"}) {
    auto r = patch("/api/v1/campaigns/" + id, "campaign_admin", json::serialize(json::object{{"voicemailMessage", path}}));
    EXPECT_EQ(r.status, 422) << path << ": " << r.body;
    EXPECT_NE(r.body.find("/api/v1/prompts"), std::string::npos) << r.body;
    auto b = campaign_body(std::string("vm-path-new-") + std::to_string(r.status) + path, g1);
    b["voicemailMessage"] = path;
    auto c = post("/api/v1/campaigns", "campaign_admin", json::serialize(b));
    EXPECT_EQ(c.status, 422) << path << ": " << c.body;
  }
  EXPECT_FALSE(get("/api/v1/campaigns/" + id, "campaign_admin").json().as_object().contains("voicemailMessage"));
}

TEST_F(Api, UploadsThatAreNotUsableAudioAreRefused) {
  const auto before = stored_files();
  auto good = wav(400);
  struct Case { std::string what, body, type; int status; std::string code; };
  const std::vector<Case> cases = {
      {"text sent as WAV", "hello, I am not audio\n", "audio/wav", 422, "invalid"},
      {"truncated WAV", good.substr(0, good.size() / 2), "audio/wav", 422, "invalid"},
      {"16 kHz WAV", wav(400, 16000), "audio/wav", 422, "invalid"},
      {"WAV header only", good.substr(0, 44), "audio/wav", 422, "invalid"},
      {"WAV sent as raw G.711", good, "audio/basic", 422, "invalid"},
      {"an unknown type", good, "application/octet-stream", 415, "unsupported_media_type"},
      {"empty", "", "audio/wav", 400, "empty_body"},
      {"over this server's body limit", std::string(2 << 20, '\x7f'), "audio/basic", 413, "too_large"},
  };
  for (const auto& k : cases) {
    auto r = upload_prompt("bad", "campaign_admin", k.body, k.type);
    EXPECT_EQ(r.status, k.status) << k.what << ": " << r.body;
    EXPECT_EQ(r.error_code(), k.code) << k.what;
  }
  EXPECT_NE(upload_prompt("bad", "campaign_admin", good.substr(0, good.size() / 2)).body.find("truncated"), std::string::npos);
  EXPECT_EQ(upload_prompt("", "campaign_admin", good).status, 422);  // a name is needed
  EXPECT_EQ(stored_files(), before);                                   // nothing was kept
  EXPECT_EQ(db->exec("SELECT count(*) FROM prompts WHERE name = 'bad'")[0][0].as<int>(), 0);
}

TEST_F(Api, AnUploadedPromptIsStoredReferencedByIdAndKeptWhileInUse) {
  // Raw μ-law, 800 ms: stored as the server's own WAV, by a name the server chose.
  std::vector<int16_t> tone;
  test::add_tone(tone, {440}, 800, -12);
  std::string ulaw(tone.size(), '\0');
  media::g711_encode(media::G711Law::ulaw, tone, reinterpret_cast<uint8_t*>(ulaw.data()));
  auto up = upload_prompt("greeting", "campaign_admin", ulaw, "audio/basic");
  ASSERT_EQ(up.status, 201) << up.body;
  const auto p = up.json();
  const auto id = p.at("id").as_int64();
  EXPECT_EQ(p.at("groupId").as_int64(), g1);  // the admin's only group
  EXPECT_EQ(p.at("name"), "greeting");
  EXPECT_EQ(p.at("durationMs").as_int64(), 800);
  EXPECT_EQ(p.at("sizeBytes").as_int64(), 44 + 2 * 6400);
  std::vector<int16_t> pcm;
  EXPECT_EQ(control::load_prompt_file(prompts_dir(), id, pcm), "");  // what the runner will load
  EXPECT_EQ(pcm.size(), 6400u);
  EXPECT_EQ(get("/api/v1/prompts/" + std::to_string(id), "campaign_supervisor").json().at("name"), "greeting");
  bool listed = false;
  const auto all = get("/api/v1/prompts", "campaign_supervisor").json();
  for (auto& e : all.at("prompts").as_array()) listed |= e.at("id") == id;
  EXPECT_TRUE(listed);

  // A campaign plays it by id; a prompt that does not exist is refused.
  const auto c = "/api/v1/campaigns/" + std::to_string(make_campaign("vm-prompt"));
  auto r = patch(c, "campaign_admin", R"({"voicemailPromptId": 999999})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.json().at("error").at("field"), "voicemailPromptId");
  r = patch(c, "campaign_admin", R"({"voicemailPromptId": )" + std::to_string(id) + "}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("voicemailPromptId").as_int64(), id);
  EXPECT_TRUE(r.json().at("lastError").is_null());

  // Not deleted while the campaign plays it; deleted (file and row) once it does not.
  auto del = req("DELETE", "/api/v1/prompts/" + std::to_string(id), "campaign_admin");
  EXPECT_EQ(del.status, 409);
  EXPECT_EQ(del.error_code(), "prompt_in_use");
  ASSERT_EQ(patch(c, "campaign_admin", R"({"voicemailPromptId": null})").status, 200);
  EXPECT_EQ(req("DELETE", "/api/v1/prompts/" + std::to_string(id), "campaign_admin").status, 204);
  EXPECT_FALSE(fs::exists(fs::path(prompts_dir()) / control::prompt_file_name(id)));
  EXPECT_EQ(get("/api/v1/prompts/" + std::to_string(id), "campaign_admin").status, 404);
}

TEST_F(Api, APausedCampaignShowsWhyAndStartingItAgainClearsIt) {
  // What the runner does to a campaign whose prompt it cannot play (sql::pause_campaign).
  const auto id = make_campaign("paused-why");
  const auto c = "/api/v1/campaigns/" + std::to_string(id);
  ASSERT_EQ(post(c + "/start", "campaign_admin").status, 200);
  {
    auto conn = sql::open_prepared(db->url());
    EXPECT_TRUE(sql::pause_campaign(*conn, id, "its voicemail prompt 7 is missing"));
    EXPECT_FALSE(sql::pause_campaign(*conn, id, "again"));  // only a STARTED campaign is paused
  }
  EXPECT_EQ(db->exec("SELECT count(*) FROM schedules WHERE state = 'RUNNING' AND campaign_id = " + std::to_string(id))[0][0]
                .as<int>(), 0);
  auto got = get(c, "campaign_supervisor").json();
  EXPECT_EQ(got.at("state"), "PAUSED");
  EXPECT_EQ(got.at("lastError"), "its voicemail prompt 7 is missing");
  EXPECT_EQ(patch(c, "campaign_admin", R"({"description":"fixed"})").status, 200);  // editable while paused
  auto stopped = post(c + "/stop", "campaign_admin");  // and may be stopped
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_EQ(stopped.json().at("state"), "STOPPED");
  EXPECT_EQ(stopped.json().at("lastError"), "its voicemail prompt 7 is missing");
  auto started = post(c + "/start", "campaign_admin");
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(started.json().at("state"), "STARTED");
  EXPECT_TRUE(started.json().at("lastError").is_null());
}

TEST_F(Api, TheRunnerPlaysAnUploadedPromptAndPausesOnlyTheCampaignWhosePromptIsGone) {
  // End to end without SIP: upload -> campaign names it -> the runner (on PostgreSQL) builds a
  // CallRequest that carries it. Then the file disappears: that campaign is paused with the
  // reason, and another group's campaign still dials. (All day, in a zone where it is noon: the
  // campaign's day does not end mid-test at whatever hour the test runs.)
  auto up = upload_prompt("e2e", "campaign_admin", wav(700));
  ASSERT_EQ(up.status, 201) << up.body;
  const auto prompt = up.json().at("id").as_int64();
  auto start = [&](const std::string& name, long long group, const std::string& who, std::optional<long long> vm) {
    auto b = all_day_campaign_body(name, group);
    b["fixedChannels"] = 2;
    if (vm) b["voicemailPromptId"] = *vm;
    auto r = post("/api/v1/campaigns", who, json::serialize(b));
    EXPECT_EQ(r.status, 201) << r.body;
    const auto c = "/api/v1/campaigns/" + std::to_string(r.json().at("id").as_int64());
    EXPECT_EQ(req("POST", c + "/leads", who, "Ann,5550100\n", "text/csv").status, 200);
    EXPECT_EQ(post(c + "/start", who).status, 200);
    return c;
  };
  std::vector<signaling::CallRequest> dialed;
  control::DncIndex dnc;
  control::Metrics metrics;
  control::RunnerOptions o;
  o.prompts_dir = prompts_dir();
  auto runner = std::make_unique<control::CampaignRunner>(db->url(), dnc, metrics, o, [&](signaling::CallRequest r) {
    dialed.push_back(std::move(r));
    return uint64_t(dialed.size());
  });
  const auto mine = start("e2e-vm", g1, "campaign_admin", prompt);
  runner->run_once();
  ASSERT_EQ(dialed.size(), 1u);
  ASSERT_EQ(dialed[0].plan.machine.kind, signaling::Reaction::Kind::voicemail);
  ASSERT_NE(dialed[0].plan.machine.prompt, nullptr);
  EXPECT_EQ(dialed[0].plan.machine.prompt->ms(), 700u);

  // A fresh runner (a restart) with the prompt's file gone, and a g2 campaign beside it.
  runner.reset();
  dialed.clear();
  ASSERT_EQ(post(mine + "/stop", "campaign_admin").status, 200);
  ASSERT_EQ(req("POST", mine + "/leads", "campaign_admin", "Bob,5550101\n", "text/csv").status, 200);
  ASSERT_EQ(post(mine + "/start", "campaign_admin").status, 200);
  fs::remove(fs::path(prompts_dir()) / control::prompt_file_name(prompt));
  const auto theirs = start("e2e-other", g2, "admin2", std::nullopt);
  runner = std::make_unique<control::CampaignRunner>(db->url(), dnc, metrics, o, [&](signaling::CallRequest r) {
    dialed.push_back(std::move(r));
    return uint64_t(dialed.size());
  });
  runner->run_once();
  runner->run_once();
  ASSERT_EQ(dialed.size(), 1u);
  EXPECT_EQ(dialed[0].number, "5550100");  // the g2 campaign's lead
  EXPECT_EQ(get(theirs, "admin2").json().at("state"), "STARTED");
  const auto paused = get(mine, "campaign_supervisor").json();
  EXPECT_EQ(paused.at("state"), "PAUSED");
  EXPECT_NE(paused.at("lastError").as_string().find("prompt " + std::to_string(prompt)), std::string::npos)
      << paused.at("lastError");
  EXPECT_EQ(paused.at("lastError").as_string().find(prompts_dir()), std::string::npos);  // no server path
  runner.reset();
}

}  // namespace
