// Recordings, the QA loop and the reports against PostgreSQL (issue 17): campaign recording
// settings, the WAV with HTTP Range and the group rule, QA labels and the confusion matrix, the
// export tar scored by `hark amd --labels` as it is, the per-day figures against direct SQL
// counts, spreadsheet-safe CSV, and retention.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api_fixture.h"
#include "sql/db_pool.h"
#include "sql/recording_store.h"
#include "test_paths.h"

namespace hark::test {
namespace {

namespace fs = std::filesystem;

struct Reports : Api {
  static inline long long campaign = 0, other = 0;  // g1; `other` in g2
  // The UTC day the attempts were dated from: a check run after midnight still asks for it.
  static inline std::string day0;
  static inline std::map<std::string, long long> attempts;  // by name
  static inline long long evil_lead = 0;

  static std::string quote(const std::string& v) {
    std::string q = "'";
    for (char ch : v) q += ch == '\'' ? std::string("''") : std::string(1, ch);
    return q + "'";
  }
  static long long lead(long long c, const std::string& name, const std::string& phone) {
    return db->exec("INSERT INTO leads (campaign_id, name, phone, status, attempts) VALUES (" + std::to_string(c) + ", " +
                    quote(name) + ", '" + phone + "', 'AMD', 1) RETURNING id")[0][0].as<long long>();
  }
  /// An ended attempt `days_ago` days back (at noon UTC), answered when `verdict` is set.
  static long long attempt(long long c, long long lead_id, int days_ago, const std::string& result,
                           const std::string& verdict = "", int amd_ms = 0, const std::string& cause = "") {
    const std::string at = "(date '" + day0 + "' - interval '" + std::to_string(days_ago) +
                           " days' + interval '12 hours') AT TIME ZONE 'UTC'";
    return db->exec("INSERT INTO call_attempts (campaign_id, lead_id, number, state, dialed_at, answered_at, ended_at, "
                    "amd_verdict, amd_ms, result, cause) VALUES (" + std::to_string(c) + ", " + std::to_string(lead_id) +
                    ", '5551234', 'DONE', " + at + ", " + (verdict.empty() ? "NULL" : at + " + interval '3 s'") + ", " +
                    at + " + interval '20 s', " + (verdict.empty() ? "NULL" : quote(verdict)) + ", " +
                    (verdict.empty() ? "NULL" : std::to_string(amd_ms)) + ", '" + result + "', " + quote(cause) +
                    ") RETURNING id")[0][0].as<long long>();
  }

  static void SetUpTestSuite() {
    Api::SetUpTestSuite();
    fs::create_directories(recordings_dir());
    auto b = campaign_body("rec-1", g1);
    b["recording"] = "all";
    b["recordingRetentionDays"] = 7;
    auto r = post("/api/v1/campaigns", "campaign_admin", json::serialize(b));
    ASSERT_EQ(r.status, 201) << r.body;
    campaign = r.json().at("id").as_int64();
    auto b2 = campaign_body("@SUM(A1)", g2);  // a campaign name a spreadsheet would run
    r = post("/api/v1/campaigns", "admin2", json::serialize(b2));
    ASSERT_EQ(r.status, 201) << r.body;
    other = r.json().at("id").as_int64();

    day0 = today();
    evil_lead = lead(campaign, "=HYPERLINK(\"http://evil.example/\",\"click\")", "5550001");
    const auto l2 = lead(campaign, "Maria Rodriguez", "5550002"), l3 = lead(campaign, "+cmd|' /C calc'!A0", "5550003");
    const auto lo = lead(other, "other group", "5550009");
    attempts["human_ok"] = attempt(campaign, evil_lead, 0, "SUCCESS", "human", 900);
    attempts["human_ok2"] = attempt(campaign, l2, 0, "SUCCESS", "human", 1100);
    attempts["human_dropped"] = attempt(campaign, l2, 0, "AMD", "machine", 2500);           // a person called machine
    attempts["machine_ok"] = attempt(campaign, l3, 0, "AMD", "machine", 3000, "machine: message left after the beep");
    attempts["machine_missed_beep"] = attempt(campaign, l3, 1, "AMD", "machine", 3100, "machine: hung up");
    attempts["machine_as_human"] = attempt(campaign, evil_lead, 1, "SUCCESS", "human", 1500);
    attempts["abandoned"] = attempt(campaign, l2, 1, "FAILURE", "unknown", 4000);           // a person never connected
    attempts["busy"] = attempt(campaign, l3, 1, "BUSY");
    attempts["dnc"] = attempt(campaign, l3, 2, "DNC");
    attempts["no_answer"] = attempt(campaign, l2, 2, "NO_ANSWER");
    attempts["old"] = attempt(campaign, l2, 10, "AMD", "machine", 2000);
    attempts["other"] = attempt(other, lo, 0, "SUCCESS", "human", 800);
    // A supervisor of g2, who must not see g1's recordings.
    auto u = post("/api/v1/users", "master",
                  json::serialize(json::object{{"username", "sup2"}, {"password", "sup2-password"},
                                               {"role", "campaign_supervisor"}, {"groups", json::array{g2}}}));
    ASSERT_EQ(u.status, 201) << u.body;
    tok["sup2"] = login("sup2", "sup2-password");
  }

  static std::string rec_path(long long id) { return recordings_dir() + "/" + std::to_string(id) + ".wav"; }
  static std::string write_recording(long long id, const std::vector<int16_t>& pcm) {
    EXPECT_EQ(media::write_wav(rec_path(id), pcm), "");
    std::ifstream f(rec_path(id), std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
  }
  static test::HttpResult get_with(const std::string& path, const std::string& who, const std::string& header,
                                   const std::string& value) {
    return test::http_request(server->port(), "GET", path, tok.at(who), "", "application/json", {{header, value}});
  }
};

TEST_F(Reports, CampaignRecordingSettingsAreKeptAndChecked) {
  auto r = get("/api/v1/campaigns/" + std::to_string(campaign), "campaign_supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("recording"), "all");
  EXPECT_EQ(r.json().at("recordingChannels"), "mixed");
  EXPECT_EQ(r.json().at("recordingRetentionDays"), 7);
  auto b = campaign_body("rec-pct", g1);
  b["recording"] = 25;
  b["recordingChannels"] = "stereo";
  r = post("/api/v1/campaigns", "campaign_admin", json::serialize(b));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("recording"), 25);
  EXPECT_EQ(r.json().at("recordingChannels"), "stereo");
  EXPECT_TRUE(r.json().at("recordingRetentionDays").is_null());
  const auto id = r.json().at("id").as_int64();
  EXPECT_EQ(patch("/api/v1/campaigns/" + std::to_string(id), "campaign_admin", R"({"recording":"off"})").json().at("recording"), "off");
  for (auto bad : {R"({"recording":"some"})", R"({"recording":101})", R"({"recordingChannels":"left"})",
                   R"({"recordingRetentionDays":0})"})
    EXPECT_EQ(patch("/api/v1/campaigns/" + std::to_string(id), "campaign_admin", bad).status, 422) << bad;
}

TEST_F(Reports, RecordingIsServedWithRangesToItsGroupOnly) {
  std::vector<int16_t> pcm;
  add_tone(pcm, {440}, 500, -12);
  const auto id = attempts["human_ok"];
  const auto bytes = write_recording(id, pcm);
  const auto path = "/api/v1/recordings/" + std::to_string(id);
  auto r = get(path, "campaign_supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "audio/wav");
  EXPECT_EQ(r.headers["accept-ranges"], "bytes");
  EXPECT_EQ(r.body, bytes);
  r = get_with(path, "campaign_supervisor", "Range", "bytes=100-199");
  ASSERT_EQ(r.status, 206);
  EXPECT_EQ(r.body, bytes.substr(100, 100));
  EXPECT_EQ(r.headers["content-range"], "bytes 100-199/" + std::to_string(bytes.size()));
  r = get_with(path, "campaign_admin", "Range", "bytes=-10");
  ASSERT_EQ(r.status, 206);
  EXPECT_EQ(r.body, bytes.substr(bytes.size() - 10));
  r = get_with(path, "campaign_admin", "Range", "bytes=7000-");
  ASSERT_EQ(r.status, 206);
  EXPECT_EQ(r.body, bytes.substr(7000));
  r = get_with(path, "campaign_admin", "Range", "bytes=" + std::to_string(bytes.size()) + "-");
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.headers["content-range"], "bytes */" + std::to_string(bytes.size()));
  // Another group's supervisor and administrator: as if it did not exist.
  EXPECT_EQ(get(path, "sup2").status, 404);
  EXPECT_EQ(get(path, "admin2").status, 404);
  EXPECT_EQ(get(path, "group_manager").status, 403);
  // An attempt without a file, and one that does not exist.
  EXPECT_EQ(get("/api/v1/recordings/" + std::to_string(attempts["busy"]), "campaign_admin").status, 404);
  EXPECT_EQ(get("/api/v1/recordings/999999999", "campaign_admin").status, 404);
  // The call log links it, and only it.
  r = get("/api/v1/reports/calls?campaign=" + std::to_string(campaign), "campaign_supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  int linked = 0;
  const auto log = r.json();
  for (const auto& c : log.at("calls").as_array()) {
    const auto& url = c.at("recordingUrl");
    if (c.at("id").as_int64() == id) {
      EXPECT_EQ(url, json::value(path));
    }
    linked += url.is_string();
  }
  EXPECT_EQ(linked, 1);
  // The campaign's own call log links it too.
  r = get("/api/v1/campaigns/" + std::to_string(campaign) + "/calls", "campaign_supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto page = r.json();
  linked = 0;
  for (const auto& c : page.at("calls").as_array()) linked += c.at("recordingUrl") == json::value(path);
  EXPECT_EQ(linked, 1);
}

TEST_F(Reports, LabelsGiveTheConfusionMatrix) {
  const std::pair<const char*, const char*> labels[] = {
      {"human_ok", R"({"label":"human"})"},
      {"human_ok2", R"({"label":"human"})"},
      {"human_dropped", R"({"label":"human"})"},
      {"machine_ok", R"({"label":"machine","beepMs":4200})"},
      {"machine_missed_beep", R"({"label":"machine","beepMs":3900})"},
      {"machine_as_human", R"({"label":"machine"})"},
      {"abandoned", R"({"label":"human"})"},
  };
  for (auto [name, body] : labels) {
    auto r = req("PUT", "/api/v1/calls/" + std::to_string(attempts[name]) + "/label", "campaign_supervisor", body);
    ASSERT_EQ(r.status, 204) << name << ": " << r.body;
  }
  EXPECT_EQ(req("PUT", "/api/v1/calls/" + std::to_string(attempts["busy"]) + "/label", "campaign_supervisor",
                R"({"label":"person"})").status, 422);
  EXPECT_EQ(req("PUT", "/api/v1/calls/" + std::to_string(attempts["other"]) + "/label", "campaign_supervisor",
                R"({"label":"human"})").status, 404);
  auto r = get("/api/v1/qa/amd?campaign=" + std::to_string(campaign), "campaign_supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto q = r.json().as_object();
  EXPECT_EQ(q.at("labelled"), 7);
  // Right: human_ok, human_ok2, abandoned (unknown acts as a person), machine_ok, machine_missed_beep.
  EXPECT_NEAR(q.at("accuracy").as_double(), 5.0 / 7.0, 1e-9);
  EXPECT_EQ(q.at("humansCalledMachine"), 1);
  EXPECT_EQ(q.at("machinesCalledHuman"), 1);
  EXPECT_EQ(q.at("beepsLabelled"), 2);
  EXPECT_EQ(q.at("beepMisses"), 1);
  EXPECT_EQ(q.at("matrix").at("human").at("human"), 2);
  EXPECT_EQ(q.at("matrix").at("human").at("machine"), 1);
  EXPECT_EQ(q.at("matrix").at("human").at("unknown"), 1);
  EXPECT_EQ(q.at("matrix").at("machine").at("machine"), 2);
  // A date range that leaves out yesterday's calls.
  r = get("/api/v1/qa/amd?campaign=" + std::to_string(campaign) + "&from=" + day0, "campaign_supervisor");
  EXPECT_EQ(r.json().at("labelled"), 4) << r.body;
  // Another group sees none of it.
  EXPECT_EQ(get("/api/v1/qa/amd", "sup2").json().at("labelled"), 0);
}

TEST_F(Reports, ExportUnpacksIntoWhatHarkAmdScores) {
  for (auto [name, body] : {std::pair{"human_ok2", R"({"label":"human"})"}, std::pair{"machine_ok", R"({"label":"machine","beepMs":1500})"}}) {
    ASSERT_EQ(req("PUT", "/api/v1/calls/" + std::to_string(attempts[name]) + "/label", "campaign_supervisor", body).status, 204);
    std::vector<int16_t> pcm;
    add_babble(pcm, 1200, -20);
    add_silence(pcm, 300);
    add_tone(pcm, {1000}, 400, -10);
    add_silence(pcm, 1500);
    write_recording(attempts[name], pcm);
  }
  auto r = get("/api/v1/qa/export?campaign=" + std::to_string(campaign), "campaign_supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/x-tar");
  const auto dir = fs::temp_directory_path() / ("hark-qa-export-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ofstream(dir / "export.tar", std::ios::binary) << r.body;
  }
  ASSERT_EQ(std::system(("tar -xf " + (dir / "export.tar").string() + " -C " + dir.string()).c_str()), 0);
  ASSERT_TRUE(fs::exists(dir / "manifest.tsv"));
  const int files = std::stoi(r.headers["x-hark-recordings"]);
  EXPECT_GE(files, 2);
  FILE* p = ::popen((std::string(hark::test::kHarkBinary) + " amd --labels " + (dir / "manifest.tsv").string() + " 2>&1").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  int scored = 0;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("{\"file\"", 0) != 0) continue;
    EXPECT_EQ(line.find("\"error\""), std::string::npos) << line;
    ++scored;
  }
  EXPECT_EQ(scored, files) << out;
  EXPECT_NE(out.find("\n#"), std::string::npos) << out;  // the scores follow the JSON lines
  fs::remove_all(dir);
}

TEST_F(Reports, DailyFiguresEqualDirectSqlCounts) {
  auto r = get("/api/v1/reports/daily?campaign=" + std::to_string(campaign), "campaign_supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto daily = r.json();
  const auto& days = daily.at("days").as_array();
  ASSERT_EQ(days.size(), 4u) << r.body;  // today, 1, 2 and 10 days ago
  for (const auto& d : days) {
    const auto day = std::string(d.at("day").as_string());
    const std::string where = " FROM call_attempts WHERE campaign_id = " + std::to_string(campaign) +
                              " AND (dialed_at AT TIME ZONE 'UTC')::date = '" + day + "'";
    auto count = [&](const std::string& cond) { return db->exec("SELECT count(*)" + where + " AND " + cond)[0][0].as<long long>(); };
    EXPECT_EQ(d.at("placed").as_int64(), count("result <> 'DNC'")) << day;
    EXPECT_EQ(d.at("answered").as_int64(), count("answered_at IS NOT NULL")) << day;
    EXPECT_EQ(d.at("transferred").as_int64(), count("result = 'SUCCESS'")) << day;
    EXPECT_EQ(d.at("machines").as_int64(), count("amd_verdict = 'machine'")) << day;
    EXPECT_EQ(d.at("abandoned").as_int64(),
              count("answered_at IS NOT NULL AND amd_verdict IN ('human','unknown') AND result <> 'SUCCESS'")) << day;
    EXPECT_EQ(d.at("amdHuman").as_int64(), count("amd_verdict = 'human'")) << day;
    EXPECT_EQ(d.at("leads").as_int64(),
              db->exec("SELECT count(DISTINCT lead_id)" + where + " AND result <> 'DNC'")[0][0].as<long long>());
    const auto mean = db->exec("SELECT avg(amd_ms)" + where + " AND result = 'SUCCESS'")[0][0];
    if (mean.is_null()) {
      EXPECT_TRUE(d.at("meanAnswerToTransferMs").is_null());
    } else {
      EXPECT_NEAR(d.at("meanAnswerToTransferMs").as_double(), mean.as<double>(), 1e-6);
    }
    const auto placed = d.at("placed").as_int64();
    if (placed) {
      EXPECT_NEAR(d.at("asr").as_double(), double(d.at("answered").as_int64()) / double(placed), 1e-9);
    }
  }
  // Today across campaigns, as the master of g1 and g2 would count... for a user of both? The
  // supervisor of g1 sees g1 only: the `by=day` row of today equals g1's campaign row.
  r = get("/api/v1/reports/daily?by=day&from=" + day0 + "&to=" + day0, "campaign_supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json().at("days").as_array().size(), 1u) << r.body;
  EXPECT_EQ(r.json().at("days").at(0).at("placed").as_int64(),
            db->exec("SELECT count(*) FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id WHERE c.group_id = " +
                     std::to_string(g1) + " AND (a.dialed_at AT TIME ZONE c.time_zone)::date = '" + day0 +
                     "' AND a.result <> 'DNC'")[0][0].as<long long>());
  EXPECT_EQ(get("/api/v1/reports/daily?from=yesterday", "campaign_supervisor").status, 422);
}

TEST_F(Reports, CallLogFiltersAndCsvNeutralisesFormulas) {
  const auto c = std::to_string(campaign);
  auto r = get("/api/v1/reports/calls?campaign=" + c + "&result=AMD&verdict=machine", "campaign_supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("calls").as_array().size(),
            size_t(db->exec("SELECT count(*) FROM call_attempts WHERE campaign_id = " + c +
                            " AND result = 'AMD' AND amd_verdict = 'machine'")[0][0].as<long long>()));
  r = get("/api/v1/reports/calls?phone=555&from=" + day0, "campaign_supervisor");
  const auto filtered = r.json();
  for (const auto& call : filtered.at("calls").as_array()) EXPECT_EQ(call.at("campaignId").as_int64(), campaign);
  // Every CSV a supervisor downloads: the formula lead (and campaign) names come out inert.
  const std::vector<std::pair<std::string, std::string>> csvs = {
      {"/api/v1/reports/calls.csv?campaign=" + c, "campaign_supervisor"},
      {"/api/v1/reports/calls?campaign=" + c, "accept"},
      {"/api/v1/reports/leads.csv?campaign=" + c, "campaign_supervisor"},
      {"/api/v1/reports/daily.csv", "admin2"},
      {"/api/v1/campaigns/" + c + "/calls.csv", "campaign_supervisor"},
  };
  int names_seen = 0;
  for (const auto& [path, who] : csvs) {
    auto res = who == "accept" ? get_with(path, "campaign_supervisor", "Accept", "text/csv") : get(path, who);
    ASSERT_EQ(res.status, 200) << path << ": " << res.body;
    EXPECT_EQ(res.content_type.rfind("text/csv", 0), 0u) << path;
    std::istringstream lines(res.body);
    for (std::string line; std::getline(lines, line);) {
      // No cell may start with = + - @ unless it is a plain number.
      size_t start = 0;
      bool quoted = false;
      for (size_t i = 0; i <= line.size(); ++i) {
        if (i < line.size() && line[i] == '"') quoted = !quoted;
        if (i == line.size() || (line[i] == ',' && !quoted)) {
          auto cell = line.substr(start, i - start);
          if (!cell.empty() && cell[0] == '"') cell = cell.substr(1);
          if (!cell.empty() && std::string("=+-@").find(cell[0]) != std::string::npos) {
            EXPECT_EQ(cell.find_first_not_of("0123456789.+-\r"), std::string::npos) << path << ": " << line;
          }
          start = i + 1;
        }
      }
    }
    if (res.body.find("'=HYPERLINK(") != std::string::npos || res.body.find("'@SUM(A1)") != std::string::npos) ++names_seen;
  }
  EXPECT_EQ(names_seen, 4);  // all but the campaign call log, which carries no names
}

TEST_F(Reports, LeadResultsExportEachLead) {
  auto r = get("/api/v1/reports/leads?campaign=" + std::to_string(campaign), "campaign_supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = r.json();
  const auto& leads = body.at("leads").as_array();
  EXPECT_EQ(leads.size(), size_t(db->exec("SELECT count(*) FROM leads WHERE campaign_id = " + std::to_string(campaign))[0][0].as<long long>()));
  for (const auto& l : leads)
    if (l.at("id").as_int64() == evil_lead) {
      EXPECT_EQ(l.at("status"), "AMD");
      EXPECT_EQ(l.at("lastResult"), "SUCCESS");  // its latest attempt, human_ok
    }
  EXPECT_EQ(get("/api/v1/reports/leads?campaign=" + std::to_string(other), "campaign_supervisor").status, 404);
  EXPECT_EQ(get("/api/v1/reports/leads", "campaign_supervisor").status, 422);
}

TEST_F(Reports, RecordingsPastRetentionAreDeleted) {
  std::vector<int16_t> pcm;
  add_tone(pcm, {440}, 100, -12);
  for (auto name : {"old", "machine_missed_beep", "other"}) write_recording(attempts[name], pcm);
  std::ofstream(recordings_dir() + "/notes.txt") << "not a recording";
  auto c = sql::open_prepared(db->url());
  const int deleted = sql::delete_expired_recordings(*c, recordings_dir());
  EXPECT_EQ(deleted, 1);
  EXPECT_FALSE(fs::exists(rec_path(attempts["old"])));               // 10 days, retention 7
  EXPECT_TRUE(fs::exists(rec_path(attempts["machine_missed_beep"])));  // yesterday
  EXPECT_TRUE(fs::exists(rec_path(attempts["other"])));               // no retention set
  EXPECT_TRUE(fs::exists(recordings_dir() + "/notes.txt"));
}

}  // namespace
}  // namespace hark::test
