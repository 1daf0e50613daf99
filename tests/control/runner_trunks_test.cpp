// The campaign runner with a trunk group (issue 15), end to end: real PostgreSQL, the SIP agent
// with two trunks, two callee simulators. The first trunk answers 503, so every call fails over
// to the second, and each attempt records the trunk that carried it and the one that failed it.
// Addresses 127.0.0.90 (hark), .91 (the failing carrier) and .92 (the good one).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "control/campaign/campaign_runner.h"
#include "media/media_engine.h"
#include "signaling/callee_simulator.h"
#include "kamailio/kamailio_fixture.h"
#include "test_db.h"
#include "test_paths.h"

using namespace hark;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<media::MediaEngine> engine_on(const std::string& ip, uint16_t lo) {
  media::MediaEngineOptions mo;
  mo.workers = 1;
  mo.bind_ip = ip;
  mo.port_min = lo;
  mo.port_max = uint16_t(lo + 400);
  mo.max_streams = 100;
  return std::make_unique<media::MediaEngine>(mo);
}

struct Carrier {
  std::unique_ptr<media::MediaEngine> media;
  std::unique_ptr<signaling::CalleeSimulator> sim;
  Carrier(const std::string& ip, const std::string& map) {
    media = engine_on(ip, 39000);
    std::vector<signaling::CalleeRule> rules;
    EXPECT_TRUE(signaling::read_callee_rules(map, rules).empty());
    sim = std::make_unique<signaling::CalleeSimulator>("sip:" + ip + ":5070", ip, rules, *media);
    EXPECT_EQ(sim->start(), "");
  }
  ~Carrier() { sim->stop(); }
};

signaling::Trunk trunk(const std::string& name, const std::string& ip) {
  signaling::Trunk t;
  t.name = name;
  t.host = ip;
  t.port = 5070;
  return t;
}

/// A STARTED campaign dialing through `group`, with `n` leads 1000001.., as the runner finds it.
std::string seed(test::TestDb& db, const std::string& name, const std::string& group, int n) {
  db.exec("INSERT INTO dialer_groups (name) VALUES ('" + name + "')");
  const auto id = std::to_string(db.exec(
      "INSERT INTO campaigns (name, group_id, state, start_date, end_date, start_time, end_time, weekdays, pilot_number, "
      "max_attempts, retry_minutes, fixed_channels, trunk_group) SELECT '" + name + "', id, 'STARTED', "
      "(now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 1, '00:00', '24:00', 127, '5000', 2, 1, 5, "
      "'" + group + "' FROM dialer_groups WHERE name = '" + name + "' RETURNING id")[0][0].as<long long>());
  db.exec("INSERT INTO schedules (campaign_id, day, start_time, end_time) SELECT " + id +
          ", (now() AT TIME ZONE 'UTC')::date + d, '00:00', '24:00' FROM generate_series(-1, 1) d");
  db.exec("INSERT INTO leads (campaign_id, name, phone) SELECT " + id + ", 'L' || g, '1000' || lpad(g::text, 3, '0') "
          "FROM generate_series(1, " + std::to_string(n) + ") g");
  return id;
}

/// Waits (bounded) until every lead of the campaign is done and no attempt is open.
bool wait_done(const std::string& url, const std::string& id) {
  for (int i = 0; i < 600; ++i) {
    if (test::count(url, "SELECT count(*) FROM leads WHERE campaign_id = " + id + " AND NOT done") == 0 &&
        test::count(url, "SELECT count(*) FROM call_attempts WHERE campaign_id = " + id + " AND state = 'DIALING'") == 0)
      return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

}  // namespace

// A campaign through Kamailio (digest registrar and 407 proxy): hark registers, every call
// answers the 407 and reaches a person, and Kamailio's log shows each authenticated INVITE.
TEST(RunnerTrunks, ACampaignDialsThroughKamailioAnsweringItsProxyChallenge) {
  test::TestDb db("runner_kamailio");
  const auto url = db.url();
  test::kam::Kamailio kam;
  Carrier callee("127.0.0.98", hark::test::source_file("fixtures/callee-map.txt"));
  auto media = engine_on("127.0.0.90", 38000);
  signaling::Trunk k;
  k.name = "kam";
  k.host = "127.0.0.97";
  k.port = 5080;
  k.username = "hark";
  k.password = test::kam::kPassword;
  k.realm = "hark.test";
  k.registrar = k.uri("");
  signaling::TrunkSettings t;
  t.bind_url = "sip:127.0.0.90:5060";
  t.media_ip = "127.0.0.90";
  t.trunks = {k};
  t.ring_timeout_s = 15;
  control::RunnerOptions ro;
  ro.retry_unit_ms = 100;
  ro.tick_ms = 100;
  ro.trunk_groups = {{"kamailio", {"kam"}}};
  control::DncIndex dnc;
  control::Metrics metrics;
  std::unique_ptr<control::CampaignRunner> runner;
  signaling::SipAgent agent(t, *media, [&runner](const signaling::CallEvent& e) {
    if (runner) runner->on_call_event(e);
  });
  runner = std::make_unique<control::CampaignRunner>(url, dnc, metrics, ro,
                                                     [&agent](signaling::CallRequest r) { return agent.originate(std::move(r)); });
  ASSERT_EQ(agent.start(), "");
  const auto id = seed(db, "kam", "kamailio", 3);
  runner->start();
  const bool done = wait_done(url, id);
  const bool registered = agent.registered();
  runner->pause();
  agent.stop();
  runner->stop();
  ASSERT_TRUE(done) << kam.log();
  EXPECT_TRUE(registered);
  EXPECT_EQ(test::count(url, "SELECT count(*) FROM leads WHERE campaign_id = " + id + " AND status = 'SUCCESS'"), 3);
  EXPECT_EQ(test::count(url, "SELECT count(*) FROM call_attempts WHERE campaign_id = " + id + " AND trunk = 'kam'"), 3);
  const auto log = kam.log();
  size_t invites = 0;
  for (auto at = log.find("HARK-AUTH-OK INVITE user=hark"); at != std::string::npos; at = log.find("HARK-AUTH-OK INVITE user=hark", at + 1))
    ++invites;
  EXPECT_EQ(invites, 3u) << log;
  EXPECT_NE(log.find("HARK-AUTH-OK REGISTER user=hark proto=udp"), std::string::npos);
}

TEST(RunnerTrunks, A503TrunkFailsOverToTheNextOfTheGroupAndEachAttemptRecordsItsTrunk) {
  test::TestDb db("runner_trunks");
  const auto url = db.url();
  const auto map = (std::filesystem::temp_directory_path() / ("hark-503-" + std::to_string(::getpid()) + ".txt")).string();
  std::ofstream(map) << "1000* unavailable ring=50\n";
  Carrier failing("127.0.0.91", map), good("127.0.0.92", hark::test::source_file("fixtures/callee-map.txt"));

  auto media = engine_on("127.0.0.90", 38000);
  signaling::TrunkSettings t;
  t.bind_url = "sip:127.0.0.90:5060";
  t.media_ip = "127.0.0.90";
  t.trunks = {trunk("a", "127.0.0.91"), trunk("b", "127.0.0.92")};
  t.calls_per_second = 50;
  t.ring_timeout_s = 15;
  control::RunnerOptions ro;
  ro.retry_unit_ms = 100;
  ro.tick_ms = 100;
  ro.trunk_groups = {{"main", {"a", "b"}}, {"other", {"b"}}};
  control::DncIndex dnc;
  control::Metrics metrics;
  std::unique_ptr<control::CampaignRunner> runner;
  signaling::SipAgent agent(t, *media, [&runner](const signaling::CallEvent& e) {
    if (runner) runner->on_call_event(e);
  });
  runner = std::make_unique<control::CampaignRunner>(url, dnc, metrics, ro,
                                                     [&agent](signaling::CallRequest r) { return agent.originate(std::move(r)); });
  ASSERT_EQ(agent.start(), "");

  db.exec("INSERT INTO dialer_groups (name) VALUES ('trunks')");
  const auto id = std::to_string(db.exec(
      "INSERT INTO campaigns (name, group_id, state, start_date, end_date, start_time, end_time, weekdays, pilot_number, "
      "max_attempts, retry_minutes, fixed_channels, trunk_group) SELECT 'trunks', id, 'STARTED', "
      "(now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 1, '00:00', '24:00', 127, '5000', 2, 1, 5, "
      "'main' FROM dialer_groups RETURNING id")[0][0].as<long long>());
  db.exec("INSERT INTO schedules (campaign_id, day, start_time, end_time) SELECT " + id +
          ", (now() AT TIME ZONE 'UTC')::date + d, '00:00', '24:00' FROM generate_series(-1, 1) d");
  // Five leads on five channels: all dialed at once, all fail over. (A sixth would be dialed
  // after a's fifth 503 in a row puts a in back-off for 2 s, and go to b without trying a,
  // or not, as the first calls' ends fall before or after those 2 s.)
  db.exec("INSERT INTO leads (campaign_id, name, phone) SELECT " + id + ", 'L' || g, '1000' || lpad(g::text, 3, '0') "
          "FROM generate_series(1, 5) g");
  runner->start();
  bool done = false;
  for (int i = 0; i < 600 && !done; ++i) {
    std::this_thread::sleep_for(100ms);
    done = test::count(url, "SELECT count(*) FROM leads WHERE campaign_id = " + id + " AND NOT done") == 0 &&
           test::count(url, "SELECT count(*) FROM call_attempts WHERE campaign_id = " + id + " AND state = 'DIALING'") == 0;
  }
  runner->pause();
  agent.stop();
  runner->stop();
  std::filesystem::remove(map);
  ASSERT_TRUE(done) << "the campaign did not complete";
  EXPECT_EQ(test::count(url, "SELECT count(*) FROM leads WHERE campaign_id = " + id + " AND status = 'SUCCESS'"), 5);
  // Every attempt went out on a, failed there with 503 and was carried by b.
  EXPECT_EQ(test::count(url, "SELECT count(*) FROM call_attempts WHERE campaign_id = " + id), 5);
  EXPECT_EQ(test::count(url, "SELECT count(*) FROM call_attempts WHERE campaign_id = " + id +
                             " AND trunk = 'b' AND failed_over = '{a:503}' AND charged"), 5);
  EXPECT_NE(metrics.render().find("hark_calls_total"), std::string::npos);
}
