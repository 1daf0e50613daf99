// A campaign that records every call, end to end (issue 17): real PostgreSQL, hark's SIP agent
// against the callee simulator, the media engine's recorder. One WAV per answered attempt, none
// for the others, and `hark amd` on each recording gives the verdict the live call got.
// Addresses: 127.0.0.110 the carrier, 127.0.0.111 the dialer (tests/README.md).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "control/campaign/campaign_runner.h"
#include "media/media_engine.h"
#include "signaling/callee_simulator.h"
#include "test_db.h"
#include "test_paths.h"

using namespace hark;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using test::count;

std::unique_ptr<media::MediaEngine> engine_on(const std::string& ip, const std::string& record_dir = {}) {
  media::MediaEngineOptions mo;
  mo.workers = 1;
  mo.bind_ip = ip;
  mo.port_min = 20000;
  mo.port_max = 21999;
  mo.max_streams = 1000;
  mo.record_dir = record_dir;
  return std::make_unique<media::MediaEngine>(mo);
}

std::string run(const std::string& cmd) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

/// The "verdict" of `hark amd`'s JSON line.
std::string verdict_of(const std::string& line) {
  const auto at = line.find("\"verdict\":");
  if (at == std::string::npos) return "?";
  const auto open = line.find('"', at + 10), close = line.find('"', open + 1);
  return line.substr(open + 1, close - open - 1);
}

TEST(RunnerRecording, EveryAnsweredCallIsRecordedAndReplaysToItsLiveVerdict) {
  test::TestDb db("runner_recording");
  const auto dir = fs::temp_directory_path() / ("hark-runner-rec-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  // The carrier.
  auto carrier_media = engine_on("127.0.0.110");
  std::vector<signaling::CalleeRule> rules;
  ASSERT_TRUE(signaling::read_callee_rules(hark::test::source_file("fixtures/callee-map.txt"), rules).empty());
  signaling::CalleeSimulator sim("sip:127.0.0.110:5070", "127.0.0.110", rules, *carrier_media);
  ASSERT_EQ(sim.start(), "");
  // The dialer, recording into `dir`.
  auto media = engine_on("127.0.0.111", dir.string());
  signaling::TrunkSettings t;
  t.bind_url = "sip:127.0.0.111:5060";
  t.domain = "127.0.0.110:5070";
  t.media_ip = "127.0.0.111";
  t.calls_per_second = 50;
  t.ring_timeout_s = 15;
  control::DncIndex dnc;
  control::Metrics metrics;
  control::RunnerOptions ro;
  ro.retry_unit_ms = 100;
  ro.tick_ms = 100;
  ro.recordings_dir = dir.string();
  std::unique_ptr<control::CampaignRunner> runner;
  signaling::SipAgent agent(t, *media, [&](const signaling::CallEvent& e) {
    if (runner) runner->on_call_event(e);
  });
  runner = std::make_unique<control::CampaignRunner>(db.url(), dnc, metrics, ro, [&](signaling::CallRequest r) {
    return agent.originate(std::move(r));
  });
  ASSERT_EQ(agent.start(), "");
  runner->start();

  long long id = 0;
  {
    pqxx::connection c(db.url());
    pqxx::work tx(c);
    tx.exec0("INSERT INTO dialer_groups (name) VALUES ('rec')");
    id = tx.exec1("INSERT INTO campaigns (name, group_id, state, start_date, end_date, start_time, end_time, weekdays, "
                  "pilot_number, max_attempts, fixed_channels, recording_percent, recording_retention_days) "
                  "SELECT 'rec', id, 'STARTED', (now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 1, "
                  "'00:00', '24:00', 127, '5000', 1, 20, 100, 30 FROM dialer_groups RETURNING id")[0].as<long long>();
    tx.exec0("INSERT INTO schedules (campaign_id, day, start_time, end_time) SELECT " + std::to_string(id) +
             ", (now() AT TIME ZONE 'UTC')::date + d, '00:00', '24:00' FROM generate_series(-1, 1) d");
    // People, machines with a beep, fax, SIT (answered); busy and rejected (not answered).
    for (auto [prefix, n] : {std::pair{"1000", 4}, {"2000", 4}, {"8000", 2}, {"9000", 2}, {"3000", 2}, {"4000", 2}})
      tx.exec0("INSERT INTO leads (campaign_id, name, phone) SELECT " + std::to_string(id) + ", 'L' || g, '" + prefix +
               "' || lpad(g::text, 3, '0') FROM generate_series(1, " + std::to_string(n) + ") g");
    tx.commit();
  }
  const auto sid = std::to_string(id);
  const auto until = std::chrono::steady_clock::now() + 180s;
  while (std::chrono::steady_clock::now() < until &&
         (count(db.url(), "SELECT count(*) FROM leads WHERE campaign_id = " + sid + " AND NOT done") > 0 ||
          count(db.url(), "SELECT count(*) FROM call_attempts WHERE state = 'DIALING'") > 0))
    std::this_thread::sleep_for(200ms);
  const auto answered = count(db.url(), "SELECT count(*) FROM call_attempts WHERE answered_at IS NOT NULL");
  ASSERT_EQ(answered, 12);
  // The writer gets each recording after its call's end: wait for all of them.
  const auto written_by = std::chrono::steady_clock::now() + 60s;
  while (media->recorder()->written() < uint64_t(answered) && std::chrono::steady_clock::now() < written_by)
    std::this_thread::sleep_for(100ms);
  runner->pause();
  agent.stop();
  runner->stop();
  sim.stop();
  EXPECT_EQ(media->recorder()->dropped(), 0u);

  pqxx::connection c(db.url());
  pqxx::read_transaction tx(c);
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.path().extension() == ".wav";
  EXPECT_EQ(files, answered);
  for (auto row : tx.exec("SELECT id, answered_at IS NOT NULL, amd_verdict, number FROM call_attempts ORDER BY id")) {
    const auto path = dir / (row[0].as<std::string>() + ".wav");
    if (!row[1].as<bool>()) {
      EXPECT_FALSE(fs::exists(path)) << row[3].as<std::string>() << ": not answered, not recorded";
      continue;
    }
    ASSERT_TRUE(fs::exists(path)) << row[3].as<std::string>();
    const auto out = run(std::string(hark::test::kHarkBinary) + " amd " + path.string());
    EXPECT_EQ(verdict_of(out), row[2].as<std::string>()) << row[3].as<std::string>() << ": " << out;
  }
  fs::remove_all(dir);
}

}  // namespace
