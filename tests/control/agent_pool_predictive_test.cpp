// Issue 18 part 6 end to end: a predictive campaign through SIP with the simulated agent pool.
// hark (runner, SipAgent, REST API) on 127.0.0.210, the callee simulator on 127.0.0.211 with
// 10 simulated agents (cli/agent_pool.h) that take hark's REFERs and report every state change
// through the REST API (PUT .../agents/{agentId}), and PostgreSQL. The leads are mostly people
// (80 %): more than the pacer's first guess, so some people find no agent. Checked: those
// hear the identification message (the carrier records what hark sends each call, and the
// message's tone is looked for in it) and end ABANDONED; the others reach an agent of the pool
// (a REFER to its extension, the agent goes talking, wrap-up, ready, and hark sees it); the
// abandon rate the API's summary measures stays under the campaign's cap.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <set>
#include <thread>

#include "cli/agent_pool.h"
#include "cli/agent_reporter.h"
#include "control/api/control_server.h"
#include "control/campaign/campaign_runner.h"
#include "control/campaign/prompt_files.h"
#include "media/audio_file.h"
#include "media/media_engine.h"
#include "signaling/callee_simulator.h"
#include "test_audio.h"
#include "test_db.h"
#include "test_http.h"
#include "test_paths.h"

using namespace hark;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr int kPromptHz = 600, kPromptMs = 600;
// The cap: abandons happen (above), and must stay under it. A power campaign (2 lines an agent)
// on the same leads and agents ends at 10 %: this is what predictive pacing keeps lawful.
constexpr double kCap = 0.08;

/// Waits (generously) until `pred` holds.
template <class F>
bool eventually(F pred, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return pred();
}

/// The right channel of a stereo recording (what hark sent the callee); empty when the file is
/// mono (nothing came from hark) or cannot be read.
std::vector<int16_t> received_channel(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  const std::string b((std::istreambuf_iterator<char>(f)), {});
  if (b.size() < 44 || b.compare(0, 4, "RIFF") != 0 || b[22] != 2) return {};
  std::vector<int16_t> right;
  for (size_t i = 44; i + 4 <= b.size(); i += 4)
    right.push_back(int16_t(uint16_t(uint8_t(b[i + 2])) | uint16_t(uint8_t(b[i + 3])) << 8));
  return right;
}

/// 20-ms frames of `pcm` that are the message's tone: loud enough, and mostly at kPromptHz
/// (Goertzel's power at that frequency against the frame's whole power).
int tone_frames(const std::vector<int16_t>& pcm) {
  int n = 0;
  const double w = 2 * M_PI * kPromptHz / 8000.0, coeff = 2 * std::cos(w);
  for (size_t at = 0; at + 160 <= pcm.size(); at += 160) {
    double s1 = 0, s2 = 0, energy = 0;
    for (size_t i = 0; i < 160; ++i) {
      const double x = pcm[at + i];
      energy += x * x;
      const double s0 = x + coeff * s1 - s2;
      s2 = s1, s1 = s0;
    }
    const double at_tone = (s1 * s1 + s2 * s2 - coeff * s1 * s2) * 2 / 160;  // ≈ the tone's share of the energy
    if (energy / 160 > 100 * 100 && at_tone > 0.6 * energy) ++n;
  }
  return n;
}

}  // namespace

TEST(AgentPoolPredictive, TenSimulatedAgentsAbandonedPeopleHearTheMessageAndTheRateStaysUnderTheCap) {
  test::TestDb db("agent_pool_predictive");
  const std::string hark_ip = "127.0.0.210", carrier_ip = "127.0.0.211";
  const auto tmp = std::filesystem::temp_directory_path() / ("hark-agent-pool-" + std::to_string(::getpid()));
  const auto prompts = tmp / "prompts", recordings = tmp / "heard";
  std::filesystem::create_directories(prompts);
  std::filesystem::create_directories(recordings);

  // The REST API, with a campaign administrator of the campaign's group for the pool's reports.
  control::ControlServerOptions so;
  so.http.listen = "127.0.0.1:0";
  so.http.threads = 2;
  so.db_connections = 4;
  so.prompts_dir = prompts.string();
  control::ControlServer server(db.url(), so);
  ASSERT_TRUE(server.auth().bootstrap_master("root", "root-pass-1"));
  ASSERT_EQ(server.start(), "");
  const int port = server.port();
  auto login = [&](const std::string& u, const std::string& p) {
    auto r = test::http_request(port, "POST", "/api/v1/login", "", json::serialize(json::object{{"username", u}, {"password", p}}));
    return r.status == 200 ? std::string(r.json().at("token").as_string()) : std::string();
  };
  const auto master = login("root", "root-pass-1");
  const auto group = test::http_request(port, "POST", "/api/v1/groups", master, R"({"name":"pool"})").json().at("id").as_int64();
  ASSERT_EQ(test::http_request(port, "POST", "/api/v1/users", master,
                               json::serialize(json::object{{"username", "pool-admin"}, {"password", "pool-admin-pw"},
                                                            {"role", "campaign_admin"}, {"groups", json::array{group}}}))
                .status,
            201);
  const auto token = login("pool-admin", "pool-admin-pw");
  ASSERT_FALSE(token.empty());

  // The identification message: a 600 Hz tone, as an upload leaves it in the prompts folder.
  const auto prompt = db.exec("INSERT INTO prompts (group_id, name, size_bytes, duration_ms, file_name) VALUES (" +
                              std::to_string(group) + ", 'ident', 1, " + std::to_string(kPromptMs) +
                              ", 'ident') RETURNING id")[0][0].as<long long>();
  std::vector<int16_t> pcm;
  test::add_tone(pcm, {double(kPromptHz)}, kPromptMs, -16);
  ASSERT_EQ(media::write_wav((prompts / control::prompt_file_name(prompt)).string(), pcm), "");

  // A predictive campaign: 1000* people, 2000* machines, 3000* busy; one attempt each.
  const auto id = db.exec(
      "INSERT INTO campaigns (name, group_id, state, start_date, end_date, start_time, end_time, weekdays, pilot_number, "
      "max_attempts, retry_minutes, max_concurrent, dialing_mode, abandon_cap, identification_prompt_id) "
      "VALUES ('predictive', " + std::to_string(group) + ", 'STOPPED', (now() AT TIME ZONE 'UTC')::date - 1, "
      "(now() AT TIME ZONE 'UTC')::date + 1, '00:00', '24:00', 127, '5000', 1, 1, 50, 'predictive', " +
      std::to_string(kCap) + ", " + std::to_string(prompt) + ") RETURNING id")[0][0].as<long long>();
  const auto c = std::to_string(id);
  db.exec("INSERT INTO schedules (campaign_id, day, start_time, end_time) SELECT " + c +
          ", (now() AT TIME ZONE 'UTC')::date + d, '00:00', '24:00' FROM generate_series(-1, 1) d");
  // 100 leads, in dialing order 8 people, 1 machine and 1 busy line in every ten: the pacer's
  // first guess is 30 % of calls reaching an agent, so its first round (about 15 calls for 10
  // ready agents) brings more people than agents.
  db.exec("INSERT INTO leads (campaign_id, name, phone) SELECT " + c + ", 'L' || g, "
          "CASE WHEN g % 10 = 3 THEN '2000' WHEN g % 10 = 7 THEN '3000' ELSE '1000' END || lpad(g::text, 3, '0') "
          "FROM generate_series(1, 100) g");

  // The pool: 10 agents at 7001-7010, talk 1 s (lognormal), wrap-up 1 s: an agent is not back
  // within the wait a person is given (2 s from the greeting's end), so the first round's extra people are abandoned.
  std::string why;
  auto reporter = cli::AgentReporter::make("http://127.0.0.1:" + std::to_string(port), id, token, &why);
  ASSERT_TRUE(reporter) << why;
  cli::AgentPoolOptions po;
  po.agents = 10;
  po.first_extension = 7001;
  po.talk_mean_s = 1;
  po.talk_sigma = 0.5;
  po.wrapup_s = 1;
  po.seed = 18;
  cli::AgentPool pool(po, [r = *reporter](const cli::PoolAgent& a) { return r.put(a); });

  // The carrier: people answer after 0.4 s, and every call's audio from hark is recorded.
  media::MediaEngineOptions cmo;
  cmo.workers = 1;
  cmo.bind_ip = carrier_ip;
  cmo.port_min = 24000;
  cmo.port_max = 24999;
  cmo.max_streams = 300;
  cmo.record_dir = recordings.string();
  media::MediaEngine carrier_media(cmo);
  const std::string samples = hark::test::source_file("fixtures/samples/");
  std::vector<signaling::CalleeRule> rules = {
      {"1000*", signaling::CalleeRule::Behaviour::answer, samples + "human-short-001.ul", 400, 60000, ""},
      {"2000*", signaling::CalleeRule::Behaviour::answer, samples + "machine-beep-001.ul", 400, 60000, ""},
      {"3000*", signaling::CalleeRule::Behaviour::busy, "", 300, 0, ""}};
  signaling::CalleeSimulator sim("sip:" + carrier_ip + ":5070", carrier_ip, rules, carrier_media);
  sim.on_stream([](const std::string& number, media::StreamParams& p) {
    p.record = true;
    p.record_stereo = true;  // right: what hark sent
    p.record_id = std::stoull(number);
  });
  sim.on_refer([&pool](const signaling::ReferSeen& s) { pool.on_refer(s.target); });
  ASSERT_EQ(sim.start(), "");

  // hark: the runner dials through its SipAgent; the API wakes it on each agent report.
  media::MediaEngineOptions hmo;
  hmo.workers = 1;
  hmo.bind_ip = hark_ip;
  hmo.port_min = 25000;
  hmo.port_max = 25999;
  hmo.max_streams = 300;
  media::MediaEngine media(hmo);
  control::DncIndex dnc;
  control::Metrics metrics;
  control::RunnerOptions ro;
  ro.tick_ms = 100;
  ro.retry_unit_ms = 100;
  ro.prompts_dir = prompts.string();
  std::unique_ptr<control::CampaignRunner> runner;
  signaling::TrunkSettings t;
  t.bind_url = "sip:" + hark_ip + ":5060";
  t.domain = carrier_ip + ":5070";
  t.media_ip = hark_ip;
  t.calls_per_second = 100;
  t.ring_timeout_s = 15;
  signaling::SipAgent agent(t, media, [&](const signaling::CallEvent& e) {
    if (runner) runner->on_call_event(e);
  });
  runner = std::make_unique<control::CampaignRunner>(db.url(), dnc, metrics, ro,
                                                     [&](signaling::CallRequest r) { return agent.originate(std::move(r)); });
  server.set_runner(runner.get());
  // Stops everything in order, also when an assertion ends the test early: the pool's reports
  // reach the API, which wakes the runner, whose calls are on the agent.
  bool stopped = false;
  auto stop_all = [&] {
    if (std::exchange(stopped, true)) return;
    runner->pause();
    agent.stop();
    runner->stop();
    server.set_runner(nullptr);
    sim.stop();
    pool.stop();
  };
  struct AtExit {
    std::function<void()> f;
    ~AtExit() { f(); }
  } at_exit{stop_all};
  ASSERT_EQ(agent.start(), "");
  runner->start();

  // Every agent reported ready through the API, then the campaign starts.
  pool.start();
  ASSERT_TRUE(pool.wait_reported(30s));
  ASSERT_EQ(test::count(db.url(), "SELECT count(*) FROM campaign_agents WHERE campaign_id = " + c +
                                      " AND state = 'ready' AND extension LIKE '70%'"), 10);
  ASSERT_EQ(test::http_request(port, "POST", "/api/v1/campaigns/" + c + "/start", token).status, 200);

  const bool done = eventually([&] {
    return test::count(db.url(), "SELECT count(*) FROM leads WHERE campaign_id = " + c + " AND NOT done") == 0;
  }, 120s);
  // The agents still talking finish and report ready again (their last reports go through the API).
  const bool all_ready = eventually([&] {
    for (const auto& a : pool.agents())
      if (a.state != "ready") return false;
    return pool.wait_reported(5s) && test::count(db.url(), "SELECT count(*) FROM campaign_agents WHERE campaign_id = " + c +
                                     " AND state = 'ready' AND held_attempt IS NULL") == 10;
  }, 60s);
  const auto summary = test::http_request(port, "GET", "/api/v1/campaigns/" + c + "/summary", token);
  stop_all();
  ASSERT_TRUE(carrier_media.recorder()->wait_idle(30000));
  ASSERT_TRUE(done) << "leads left undone";
  EXPECT_TRUE(all_ready) << "an agent stayed busy or held";

  auto count = [&](const std::string& where) {
    return test::count(db.url(), "SELECT count(*) FROM call_attempts WHERE campaign_id = " + c + " AND " + where);
  };
  const long long transferred = count("result = 'SUCCESS'"), abandoned = count("result = 'ABANDONED'");
  std::cout << "transferred " << transferred << ", abandoned " << abandoned << ", attempts " << count("true")
            << ", pool " << pool.counts().transfers << " transfers, " << pool.counts().missed << " missed; abandoned at";
  for (const auto& r : db.exec("SELECT extract(epoch FROM a.dialed_at - m.t)::numeric(6,1) FROM call_attempts a, "
                               "(SELECT min(dialed_at) t FROM call_attempts WHERE campaign_id = " + c + ") m "
                               "WHERE campaign_id = " + c + " AND result = 'ABANDONED' ORDER BY 1"))
    std::cout << " " << r[0].as<std::string>() << " s";
  std::cout << "\n";

  // Some people found no agent (a person rate above the pacer's first guess): each heard the
  // message in full and ended ABANDONED.
  EXPECT_GE(abandoned, 1);
  EXPECT_EQ(count("result = 'ABANDONED' AND cause LIKE '%identification message played%'"), abandoned);
  const auto expect_frames = kPromptMs / 20;
  for (const auto& r : db.exec("SELECT number, result FROM call_attempts WHERE campaign_id = " + c +
                               " AND result IN ('ABANDONED', 'SUCCESS')")) {
    const auto number = r[0].as<std::string>(), result = r[1].as<std::string>();
    const int frames = tone_frames(received_channel((recordings / (number + ".wav")).string()));
    if (result == "ABANDONED")
      EXPECT_GE(frames, expect_frames * 3 / 4) << number << " was abandoned without hearing the message";
    else
      EXPECT_EQ(frames, 0) << number << " reached an agent, yet heard the identification message";
  }

  // Every person transferred reached an agent of the pool: a REFER to one of its extensions, and
  // that agent took the call (talking, wrap-up, ready, each reported through the API).
  std::set<std::string> refer_numbers;
  for (const auto& r : sim.counters().refers_seen()) {
    const auto ext = cli::sip_user(r.target);
    EXPECT_TRUE(ext.size() == 4 && ext >= "7001" && ext <= "7010") << r.target;
    refer_numbers.insert(r.number);
  }
  EXPECT_EQ(long(refer_numbers.size()), transferred);
  EXPECT_EQ(pool.counts().transfers, uint64_t(transferred));
  EXPECT_EQ(pool.counts().missed, 0u);  // hark never sent a person to an agent the pool had busy
  EXPECT_EQ(pool.counts().report_errors, 0u);
  EXPECT_EQ(pool.counts().reports, uint64_t(10 + 3 * transferred));  // ready at start, then 3 per call
  EXPECT_GE(transferred, 10);

  // The abandon rate the API measures: these people and abandons, under the cap.
  ASSERT_EQ(summary.status, 200) << summary.body;
  const auto body = summary.json();
  const auto& ab = body.at("abandoned");
  EXPECT_EQ(ab.at("abandoned30d").as_int64(), abandoned);
  EXPECT_GE(ab.at("people30d").as_int64(), transferred + abandoned);
  EXPECT_LT(ab.at("rate30d").to_number<double>(), kCap) << summary.body;
  std::filesystem::remove_all(tmp);
}
