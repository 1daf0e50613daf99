// The campaign runner end to end: real PostgreSQL, real SIP (hark's SipAgent against the
// callee simulator, fixtures/callee-map.txt), media and AMD. Each test has loopback addresses of
// its own (127.0.0.N), so its SIP and RTP ports never meet another test's.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "control/campaign/campaign_runner.h"
#include "control/api/control_server.h"
#include "media/media_engine.h"
#include "test_machine_lock.h"
#include "test_media.h"
#include "signaling/callee_simulator.h"
#include "test_db.h"
#include "test_paths.h"

using namespace hark;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

using test::engine_on;

using test::count;

/// The carrier: the callee simulator with the demo's map, on ip:5070.
struct Carrier {
  std::unique_ptr<media::MediaEngine> media;
  std::unique_ptr<signaling::CalleeSimulator> sim;
  explicit Carrier(const std::string& ip) {
    media = engine_on(ip, 20000, 21999);
    std::vector<signaling::CalleeRule> rules;
    EXPECT_TRUE(signaling::read_callee_rules(hark::test::source_file("fixtures/callee-map.txt"), rules).empty());
    sim = std::make_unique<signaling::CalleeSimulator>("sip:" + ip + ":5070", ip, rules, *media);
    EXPECT_EQ(sim->start(), "");
  }
  ~Carrier() { sim->stop(); }
};

/// One hark "process": media engine, SIP agent and campaign runner on ip:5060.
struct Dialer {
  std::unique_ptr<media::MediaEngine> media;
  std::unique_ptr<signaling::SipAgent> agent;
  control::DncIndex dnc;
  control::Metrics metrics;
  std::unique_ptr<control::CampaignRunner> runner;
  Dialer(const std::string& ip, const std::string& carrier_ip, const std::string& db_url, control::RunnerOptions ro = {},
         int ring_timeout_s = 6) {
    media = engine_on(ip, 22000, 23999);
    signaling::TrunkSettings t;
    t.bind_url = "sip:" + ip + ":5060";
    t.domain = carrier_ip + ":5070";
    t.media_ip = ip;
    t.calls_per_second = 100;
    t.max_concurrent = 300;
    // 6 s instead of the 15 s floor: the no-answers still ring three times as long as the
    // slowest answer (2 s), and the 300-lead campaign ends 9 s sooner.
    t.min_ring_timeout_s = t.ring_timeout_s = ring_timeout_s;
    if (ro.retry_unit_ms == 60000) ro.retry_unit_ms = 100;  // a retry "minute" is 0.1 s here
    ro.tick_ms = 100;
    agent = std::make_unique<signaling::SipAgent>(t, *media, [this](const signaling::CallEvent& e) {
      if (runner) runner->on_call_event(e);
    });
    runner = std::make_unique<control::CampaignRunner>(db_url, dnc, metrics, ro, [this](signaling::CallRequest r) {
      return agent->originate(std::move(r));
    });
    EXPECT_EQ(agent->start(), "");
    runner->start();
  }
  ~Dialer() {
    runner->pause();
    agent->stop();
    runner->stop();
  }
};

struct Seed {
  std::string name;
  int channels = 30;
  int max_attempts = 2;
  std::string retry_rules = "{}";
  std::string dnc_list = "NULL", dnc_service = "NULL";
  std::vector<std::pair<std::string, int>> leads;  // number prefix (4 digits), how many
};

long long seed_campaign(const std::string& url, const Seed& s) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec0("INSERT INTO dialer_groups (name) VALUES ('runner') ON CONFLICT DO NOTHING");
  const auto id = tx.exec1(
      "INSERT INTO campaigns (name, group_id, state, start_date, end_date, start_time, end_time, weekdays, pilot_number, "
      "max_attempts, retry_minutes, retry_rules, fixed_channels, max_concurrent, dnc_list_id, dnc_service_id) "
      "SELECT " + tx.quote(s.name) + ", id, 'STARTED', (now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 1, "
      "'00:00', '24:00', 127, '5000', " + std::to_string(s.max_attempts) + ", 1, " + tx.quote(s.retry_rules) +
      "::jsonb, " + std::to_string(s.channels) + ", 300, " + s.dnc_list + ", " + s.dnc_service +
      " FROM dialer_groups WHERE name = 'runner' RETURNING id")[0].as<long long>();
  // Yesterday, today and tomorrow (UTC): a run that crosses midnight finds tomorrow's day open.
  tx.exec0("INSERT INTO schedules (campaign_id, day, start_time, end_time) SELECT " + std::to_string(id) +
           ", (now() AT TIME ZONE 'UTC')::date + d, '00:00', '24:00' FROM generate_series(-1, 1) d");
  for (auto& [prefix, n] : s.leads)
    tx.exec0("INSERT INTO leads (campaign_id, name, phone) SELECT " + std::to_string(id) + ", 'L' || g, '" + prefix +
             "' || lpad(g::text, 3, '0') FROM generate_series(1, " + std::to_string(n) + ") g");
  tx.commit();
  return id;
}

/// Waits until every lead of the campaign is done and no attempt is open.
bool wait_done(const std::string& url, long long campaign, std::chrono::seconds limit) {
  const auto id = std::to_string(campaign);
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    try {
      if (count(url, "SELECT count(*) FROM leads WHERE campaign_id = " + id + " AND NOT done") == 0 &&
          count(url, "SELECT count(*) FROM call_attempts WHERE campaign_id = " + id + " AND state = 'DIALING'") == 0)
        return true;
    } catch (const std::exception&) {  // the database may be restarting
    }
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

/// Attempts of one lead that overlap in time: a lead dialed twice at once.
long long overlaps(const std::string& url, long long campaign) {
  return count(url, "SELECT count(*) FROM call_attempts a JOIN call_attempts b ON a.lead_id = b.lead_id AND a.id < b.id "
                    "WHERE a.campaign_id = " + std::to_string(campaign) + " AND b.dialed_at < COALESCE(a.ended_at, 'infinity')");
}

/// status -> attempts for each lead whose phone starts with `prefix`; fails the test on a mismatch.
void expect_leads(const std::string& url, long long campaign, const std::string& prefix, const std::string& status, int attempts) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  auto rows = tx.exec("SELECT l.phone, l.status, l.attempts, (SELECT count(*) FROM call_attempts a WHERE a.lead_id = l.id), "
                      "(SELECT string_agg(coalesce(a.cause, '-'), ' | ' ORDER BY a.id) FROM call_attempts a WHERE a.lead_id = l.id) "
                      "FROM leads l WHERE campaign_id = " + std::to_string(campaign) + " AND phone LIKE " + tx.quote(prefix + "%"));
  ASSERT_FALSE(rows.empty()) << prefix;
  for (auto r : rows) {
    EXPECT_EQ(r[1].as<std::string>(), status) << r[0].as<std::string>() << ": " << r[4].c_str();
    EXPECT_EQ(r[2].as<int>(), attempts) << r[0].as<std::string>() << " " << status << ": " << r[4].c_str();
    EXPECT_EQ(r[3].as<int>(), attempts) << r[0].as<std::string>() << ": the call log has every attempt";
  }
}

TEST(CampaignRunner, ThreeHundredLeadsEndAsTheirNumbersSayWithRetries) {
  const test::MachineLock heavy("300-calls");  // not beside the other run's (test_machine_lock.h)
  test::TestDb db("runner_e2e");
  Carrier carrier("127.0.0.21");
  Dialer dialer("127.0.0.22", "127.0.0.21", db.url());
  // Ten of the people are on the campaign's do-not-call list.
  // (One transaction, as the API writes: list version and numbers change together.)
  db.exec("WITH l AS (INSERT INTO dnc_lists (name, version) VALUES ('e2e', 1) RETURNING id) INSERT INTO dnc_numbers (list_id, number) "
          "SELECT l.id, '1000' || lpad(g::text, 3, '0') FROM l, generate_series(91, 100) g");
  Seed s;
  s.name = "e2e";
  // 150 channels: half the leads in the first round of calls (with 60 it took five rounds: 22 s
  // of the realtime chain rather than 15). Not all 300 at once: here the runner and PostgreSQL
  // share the two cores with the calls (all calls at once is SipCalls.ThreeHundred...'s test).
  s.channels = 150;
  s.max_attempts = 2;
  s.retry_rules = R"({"BUSY": {"retryMinutes": 2, "maxAttempts": 3}, "NO_ANSWER": {"maxAttempts": 1}, "AMD": {"maxAttempts": 1}, "FAILURE": {"maxAttempts": 1}})";
  s.dnc_list = "(SELECT id FROM dnc_lists WHERE name = 'e2e')";
  s.leads = {{"1000", 100}, {"2000", 60}, {"3000", 30}, {"4000", 20}, {"5000", 20}, {"6000", 20}, {"7000", 10}, {"8000", 10}, {"9000", 10}};
  auto events = dialer.runner->subscribe(0);  // what a supervisor's event stream carries
  const auto id = seed_campaign(db.url(), s);
  ASSERT_TRUE(wait_done(db.url(), id, 240s));
  int ended = 0, transferred = 0;
  for (std::string e; events->pop(e, 0ms);) {
    ended += e.find("\"state\":\"ended\"") != std::string::npos;
    transferred += e.find("\"result\":\"SUCCESS\"") != std::string::npos;
  }
  EXPECT_EQ(ended, count(db.url(), "SELECT count(*) FROM call_attempts WHERE result <> 'DNC'"));
  EXPECT_EQ(transferred, 90);
  EXPECT_EQ(dialer.dnc.size(count(db.url(), "SELECT id FROM dnc_lists WHERE name = 'e2e'")), 10u);
  // People: transferred (SUCCESS), except the do-not-call ones, never dialed.
  pqxx::connection c(db.url());
  {
    pqxx::work tx(c);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM leads WHERE campaign_id = " + std::to_string(id) + " AND status = 'DNC' AND phone >= '1000091' AND phone <= '1000100'")[0].as<int>(), 10);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM call_attempts WHERE result = 'DNC' AND sip_code IS NULL AND answered_at IS NULL")[0].as<int>(), 10);
  }
  for (int i = 1; i <= 90; ++i) {
    char n[16];
    std::snprintf(n, sizeof n, "1000%03d", i);
    expect_leads(db.url(), id, n, "SUCCESS", 1);
  }
  expect_leads(db.url(), id, "2000", "AMD", 1);                              // machines: no retry (rule)
  expect_leads(db.url(), id, "3000", "BUSY", 3);                             // BUSY rule: 3 attempts
  expect_leads(db.url(), id, "4000", "REJECTED", 2);                         // campaign maximum: 2
  expect_leads(db.url(), id, "5000", "NO_ANSWER", 1);                        // rule: 1
  expect_leads(db.url(), id, "6000", "SERVICE_TEMPORARILY_UNAVAILABLE", 2);  // campaign maximum
  expect_leads(db.url(), id, "7000", "FAILURE", 1);
  expect_leads(db.url(), id, "8000", "AMD", 1);                              // fax
  expect_leads(db.url(), id, "9000", "FAILURE", 1);                          // SIT
  EXPECT_EQ(overlaps(db.url(), id), 0);
  // Retries waited their retry time from the previous call's end (2 "minutes" = 0.2 s here).
  EXPECT_EQ(count(db.url(), "SELECT count(*) FROM call_attempts a JOIN call_attempts b ON a.lead_id = b.lead_id AND b.id > a.id "
                            "WHERE a.campaign_id = " + std::to_string(id) + " AND b.dialed_at < a.ended_at + interval '190 ms' "
                            "AND a.result = 'BUSY'"), 0);
  // The machines' attempts carry the AMD verdict; the people's the SIP 200.
  EXPECT_EQ(count(db.url(), "SELECT count(*) FROM call_attempts WHERE number LIKE '2000%' AND amd_verdict = 'machine'"), 60);
  EXPECT_EQ(count(db.url(), "SELECT count(*) FROM call_attempts WHERE number LIKE '3000%' AND sip_code = 486"), 90);
  auto live = dialer.runner->live(id);
  EXPECT_EQ(live.at("transferredToAgents").as_uint64(), 90u);
  EXPECT_EQ(live.at("doNotCall").as_uint64(), 10u);
  EXPECT_EQ(live.at("dialing").as_int64() + live.at("ringing").as_int64() + live.at("connected").as_int64(), 0);
  const auto metrics = dialer.metrics.render();
  EXPECT_NE(metrics.find("hark_calls_total{campaign=\"" + std::to_string(id) + "\",result=\"BUSY\"} 90"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("hark_amd_verdict_seconds_count{campaign=\"" + std::to_string(id) + "\"}"), std::string::npos);
}

TEST(CampaignRunner, TwoProcessesOnOneDatabaseNeverDialALeadTwiceAtOnce) {
  test::TestDb db("runner_two");
  Carrier carrier("127.0.0.31");
  // Each process may place 30 calls, the campaign 100: both processes must dial.
  control::RunnerOptions ro;
  ro.max_concurrent = 30;
  Dialer a("127.0.0.32", "127.0.0.31", db.url(), ro);
  Dialer b("127.0.0.33", "127.0.0.31", db.url(), ro);
  Seed s;
  s.name = "two";
  s.channels = 100;
  s.max_attempts = 3;
  s.retry_rules = R"({"BUSY": {"retryMinutes": 1, "maxAttempts": 3}})";
  s.leads = {{"1000", 60}, {"3000", 60}, {"4000", 40}};
  const auto id = seed_campaign(db.url(), s);
  ASSERT_TRUE(wait_done(db.url(), id, 180s));
  EXPECT_EQ(overlaps(db.url(), id), 0);
  expect_leads(db.url(), id, "1000", "SUCCESS", 1);
  expect_leads(db.url(), id, "3000", "BUSY", 3);
  expect_leads(db.url(), id, "4000", "REJECTED", 3);
  // Both processes dialed, each within its own cap.
  EXPECT_EQ(count(db.url(), "SELECT count(DISTINCT instance_id) FROM call_attempts"), 2);
  // Per process: at no attempt's dial were more than 30 of the same process's attempts open.
  EXPECT_LE(count(db.url(), "SELECT coalesce(max(n), 0) FROM (SELECT (SELECT count(*) FROM call_attempts b "
                            "WHERE b.instance_id = a.instance_id AND b.dialed_at <= a.dialed_at "
                            "AND b.ended_at > a.dialed_at) AS n FROM call_attempts a) x"), 30);
  // Together: never more than the two caps.
  EXPECT_LE(count(db.url(), "SELECT max(n) FROM (SELECT (SELECT count(*) FROM call_attempts b WHERE b.dialed_at <= a.dialed_at "
                            "AND b.ended_at > a.dialed_at) AS n FROM call_attempts a) x"), 60);
}

TEST(CampaignRunner, DoNotCallServiceDownStopsDialingUntilItAnswers) {
  test::TestDb db("runner_dnc");
  Carrier carrier("127.0.0.41");
  control::RunnerOptions ro;
  ro.dnc_probe_ms = 500;  // probes every 0.5 s instead of 2 s: the same rule, a quarter of the wait
  Dialer dialer("127.0.0.42", "127.0.0.41", db.url(), ro);
  // The external service: another hark control server (the integrated service's API).
  control::ControlServerOptions o;
  o.http.listen = "127.0.0.43:0";
  o.http.threads = 1;
  auto service = std::make_unique<control::ControlServer>(db.url(), o);
  ASSERT_TRUE(service->auth().bootstrap_master("svc", "svc-password"));
  ASSERT_EQ(service->start(), "");
  const int port = service->port();
  const auto token = service->auth().login("svc", "svc-password").token;
  db.exec("WITH l AS (INSERT INTO dnc_lists (name, version, internal_length) VALUES ('ext', 1, 7) RETURNING id) "
          "INSERT INTO dnc_numbers (list_id, number) SELECT id, '1000001' FROM l");
  service->dnc().refresh(*sql::open_prepared(db.url()));
  db.exec("INSERT INTO dnc_services (name, url, timeout_ms, bearer_token) VALUES ('ext', 'http://127.0.0.43:" +
          std::to_string(port) + "/donotcall', 300, '" + token + "')");
  service->stop();  // down before the campaign starts
  service.reset();
  Seed s;
  s.name = "dnc";
  s.channels = 20;  // the 20 leads in one round of calls
  s.dnc_service = "(SELECT id FROM dnc_services WHERE name = 'ext')";
  s.leads = {{"1000", 20}};
  const auto id = seed_campaign(db.url(), s);
  const auto state = [&] {
    return count(db.url(), "SELECT CASE state WHEN 'DNC_OUT_OF_SERVICE' THEN 1 WHEN 'RUNNING' THEN 2 ELSE 0 END FROM schedules WHERE campaign_id = " + std::to_string(id) +
                 " AND day = (now() AT TIME ZONE 'UTC')::date");
  };
  for (int i = 0; i < 600 && state() != 1; ++i) std::this_thread::sleep_for(100ms);  // up to 60 s
  EXPECT_EQ(state(), 1);  // DNC_OUT_OF_SERVICE
  std::this_thread::sleep_for(1500ms);  // about three probes later: still nothing dialed (fail closed)
  EXPECT_EQ(count(db.url(), "SELECT count(*) FROM call_attempts"), 0);
  EXPECT_EQ(count(db.url(), "SELECT count(*) FROM leads WHERE in_progress"), 0);
  // Back up on the same address: dialing resumes, and the listed number is not dialed.
  o.http.listen = "127.0.0.43:" + std::to_string(port);
  service = std::make_unique<control::ControlServer>(db.url(), o);
  ASSERT_EQ(service->start(), "");
  ASSERT_TRUE(wait_done(db.url(), id, 90s));
  EXPECT_EQ(state(), 2);
  expect_leads(db.url(), id, "1000001", "DNC", 1);
  for (int i = 2; i <= 20; ++i) {
    char n[16];
    std::snprintf(n, sizeof n, "1000%03d", i);
    expect_leads(db.url(), id, n, "SUCCESS", 1);
  }
}

TEST(CampaignRunner, PostgresRestartedDuringACampaign) {
  // A cluster of this test's own: stopping it must not disturb the other tests.
  const std::string dir = "/var/tmp/hark-pg-restart-" + std::to_string(::getpid());
  const std::string pg = "HARK_PG_DIR=" + dir + " bash " + hark::test::source_file("scripts/pg.sh ");
  FILE* p = ::popen((pg + "start 2>/dev/null").c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[512] = {};
  ASSERT_NE(std::fgets(buf, sizeof buf, p), nullptr);
  ::pclose(p);
  std::string url(buf);
  url.erase(url.find_last_not_of("\n") + 1);
  {
    pqxx::connection c(url);
    sql::apply_migrations(c, sql::builtin_migrations());
  }
  {
    Carrier carrier("127.0.0.51");
    // Rings of 15 s: the first round's no-answers are still ringing when the database goes
    // down, however long stopping it takes on a loaded machine. (Without them, the whole first
    // round of people could end, within a second of each other, before the stop was complete,
    // and the next round's claim fail: no call was left to end during the outage.)
    Dialer dialer("127.0.0.52", "127.0.0.51", url, {}, 15);
    Seed s;
    s.name = "restart";
    s.channels = 20;  // calls still end while the database is down, in half the rounds
    // Claimed in lead order: the no-answers first, in the first round with 10 people.
    s.leads = {{"5000", 10}, {"1000", 40}, {"3000", 10}};
    s.retry_rules = R"({"BUSY": {"maxAttempts": 1}, "NO_ANSWER": {"maxAttempts": 1}})";
    const auto id = seed_campaign(url, s);
    const auto five_done_by = std::chrono::steady_clock::now() + 120s;
    while (count(url, "SELECT count(*) FROM call_attempts WHERE state = 'DONE'") < 5) {
      ASSERT_LT(std::chrono::steady_clock::now(), five_done_by) << "no 5 calls ended in 120 s";
      std::this_thread::sleep_for(100ms);
    }
    ASSERT_EQ(std::system((pg + "stop 2>/dev/null").c_str()), 0);
    // Calls end meanwhile; their ends wait for the database.
    for (int i = 0; i < 600 && dialer.runner->unwritten() < 3; ++i) std::this_thread::sleep_for(100ms);  // up to 60 s
    EXPECT_GE(dialer.runner->unwritten(), 3u);
    ASSERT_EQ(std::system((pg + "start >/dev/null 2>&1").c_str()), 0);
    EXPECT_TRUE(wait_done(url, id, 120s));
    EXPECT_EQ(dialer.runner->unwritten(), 0u);
    expect_leads(url, id, "1000", "SUCCESS", 1);
    expect_leads(url, id, "3000", "BUSY", 1);
    expect_leads(url, id, "5000", "NO_ANSWER", 1);
    EXPECT_EQ(overlaps(url, id), 0);
  }
  std::system((pg + "stop 2>/dev/null; rm -rf " + dir).c_str());
}

}  // namespace

namespace {

// Issue 20: with dialEveryNumber, a busy first number moves to the second at once; the person
// there ends the lead SUCCESS and the third is never dialed. The call log has both attempts
// with their numbers. Loopback .120 (carrier) and .121 (hark).
TEST(CampaignRunner, ThreeNumbersFirstBusySecondAnswersEndsSuccessOnTheSecond) {
  test::TestDb db("runner_every_number");
  Carrier carrier("127.0.0.120");
  Dialer dialer("127.0.0.121", "127.0.0.120", db.url());
  Seed s;
  s.name = "every-number";
  s.max_attempts = 5;
  const auto id = seed_campaign(db.url(), s);
  db.exec("UPDATE campaigns SET state = 'STOPPED', dial_every_number = true WHERE id = " + std::to_string(id));
  db.exec("INSERT INTO leads (campaign_id, name, phone, extra_phones) VALUES (" + std::to_string(id) +
          ", 'Three numbers', '3000001', '{1000001,1000002}')");  // busy, a person, a person
  db.exec("UPDATE campaigns SET state = 'STARTED' WHERE id = " + std::to_string(id));
  ASSERT_TRUE(wait_done(db.url(), id, 60s));
  pqxx::connection c(db.url());
  pqxx::work tx(c);
  const auto lead = tx.exec1("SELECT status, attempts FROM leads WHERE campaign_id = " + std::to_string(id));
  EXPECT_EQ(lead[0].as<std::string>(), "SUCCESS");
  EXPECT_EQ(lead[1].as<int>(), 2);
  const auto log = tx.exec1("SELECT string_agg(number || ':' || result || ':' || round, ' ' ORDER BY id) FROM call_attempts "
                            "WHERE campaign_id = " + std::to_string(id))[0].as<std::string>();
  EXPECT_EQ(log, "3000001:BUSY:1 1000001:SUCCESS:1");
}

}  // namespace
