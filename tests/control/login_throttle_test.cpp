// Login hardening over HTTP (issue 13, defects 6 and 7, and /metrics): failed logins are
// throttled per client address and per username instead of locking the account; unknown and
// existing usernames get the same answers; password checks wait on a pool of their own while
// the API keeps answering; a master's unlock is audited; /metrics can ask for a bearer token.
// Each client address is a loopback address of its own (127.0.0.x), so the tests don't share
// buckets.
#include <gtest/gtest.h>

#include <future>
#include <latch>
#include <thread>

#include "control/api/control_server.h"
#include "test_db.h"
#include "test_http.h"

namespace hark::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kMetricsToken = "metrics-token-0123456789";

struct LoginThrottle : ::testing::Test {
  static inline std::unique_ptr<TestDb> db;
  static inline std::unique_ptr<control::ControlServer> server;
  static inline std::string master;

  static void SetUpTestSuite() {
    db = std::make_unique<TestDb>("login_throttle_test");
    control::ControlServerOptions o;
    o.http.listen = "127.0.0.1:0";
    o.http.threads = 2;
    o.db_connections = 6;
    o.auth.hash_threads = 2;
    o.auth.hash_queue = 6;
    // No refill within a test: what is refused stays refused until the test says otherwise.
    o.auth.throttle.address_burst = 3;
    o.auth.throttle.address_per_s = 0.0001;
    o.auth.throttle.username_burst = 6;
    o.auth.throttle.username_per_s = 0.0002;
    o.metrics_token = kMetricsToken;
    server = std::make_unique<control::ControlServer>(db->url(), o);
    ASSERT_TRUE(server->auth().bootstrap_master("root", "root-pass-1"));
    ASSERT_EQ(server->start(), "");
    master = login("127.0.0.1", "root", "root-pass-1").json().at("token").as_string().c_str();
    for (const char* u : {"alice", "bob", "carol"}) {
      auto r = req("127.0.0.1", "POST", "/api/v1/users", master,
                   json::serialize(json::object{{"username", u}, {"password", std::string(u) + "-password"},
                                                {"role", "master"}}));
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }
  static void TearDownTestSuite() {
    server.reset();
    db.reset();
  }

  static HttpResult req(const std::string& from, const std::string& m, const std::string& path,
                        const std::string& token = {}, const std::string& body = {}) {
    return http_request_from(from, server->port(), m, path, token, body);
  }
  static HttpResult login(const std::string& from, const std::string& u, const std::string& p) {
    return req(from, "POST", "/api/v1/login", "", json::serialize(json::object{{"username", u}, {"password", p}}));
  }
  static long long user_id(const std::string& name) {
    const auto users = req("127.0.0.1", "GET", "/api/v1/users", master).json();
    for (auto& u : users.at("users").as_array())
      if (u.at("username") == json::value(name)) return u.at("id").as_int64();
    ADD_FAILURE() << "no user " << name;
    return 0;
  }
};

// What a client can see of an answer, apart from the time it took.
std::string visible(const HttpResult& r) {
  auto h = r.headers;
  h.erase("date");
  std::string out = std::to_string(r.status) + "\n";
  for (auto& [k, v] : h) out += k + ": " + v + "\n";
  return out + r.body;
}

TEST_F(LoginThrottle, UnknownWrongAndThrottledAnswersAreTheSameForEveryUsername) {
  const auto wrong = login("127.0.0.2", "alice", "not-her-password");
  const auto unknown = login("127.0.0.3", "nobody-by-that-name", "not-her-password");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.error_code(), "bad_credentials");
  EXPECT_EQ(visible(wrong), visible(unknown));
  // An address that used up its attempts is refused before any check, whatever the name.
  for (int i = 0; i < 2; ++i) EXPECT_EQ(login("127.0.0.2", "alice", "not-her-password").status, 401) << i;
  const auto throttled_known = login("127.0.0.2", "alice", "not-her-password");
  const auto throttled_unknown = login("127.0.0.2", "nobody-by-that-name", "x");
  EXPECT_EQ(throttled_known.status, 429);
  EXPECT_EQ(throttled_known.error_code(), "too_many_attempts");
  EXPECT_TRUE(throttled_known.headers.count("retry-after"));
  EXPECT_EQ(visible(throttled_known), visible(throttled_unknown));
  // Even her right password, from there; and no account was locked: from elsewhere she gets in.
  EXPECT_EQ(login("127.0.0.2", "alice", "alice-password").status, 429);
  EXPECT_EQ(login("127.0.0.3", "alice", "alice-password").status, 200);
}

TEST_F(LoginThrottle, TheMasterCannotBeLockedOutFromAnotherAddress) {
  // An anonymous attacker guesses the master's password until refused...
  int refused_after = -1;
  for (int i = 0; i < 50 && refused_after < 0; ++i) {
    const auto r = login("127.0.0.4", "root", "guess-" + std::to_string(i));
    ASSERT_TRUE(r.status == 401 || r.status == 429) << r.status << " " << r.body;
    if (r.status == 429) refused_after = i;
  }
  EXPECT_EQ(refused_after, 3);  // the address's burst
  // ...which slowed only the attacker: the master logs in from their own address.
  const auto r = login("127.0.0.5", "root", "root-pass-1");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(req("127.0.0.1", "GET", "/api/v1/users/" + std::to_string(user_id("root")), master)
                   .json().at("locked").as_bool());
  // Attackers at a second address use up the username's attempts: now a new address must
  // wait, but the addresses the master logged in from before still let them in.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login("127.0.0.11", "root", "guess-" + std::to_string(i)).status, 401);
  EXPECT_EQ(login("127.0.0.12", "root", "root-pass-1").status, 429);
  EXPECT_EQ(login("127.0.0.5", "root", "root-pass-1").status, 200);
  EXPECT_EQ(login("127.0.0.1", "root", "root-pass-1").status, 200);
}

TEST_F(LoginThrottle, AThrottledAddressGets429WithRetryAfter) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login("127.0.0.6", "stranger" + std::to_string(i), "password?").status, 401);
  const auto r = login("127.0.0.6", "stranger9", "password?");
  EXPECT_EQ(r.status, 429);
  ASSERT_TRUE(r.headers.count("retry-after"));
  EXPECT_GE(std::stoi(r.headers.at("retry-after")), 1);
  EXPECT_EQ(login("127.0.0.6", "carol", "carol-password").status, 429);
  EXPECT_EQ(login("127.0.0.7", "carol", "carol-password").status, 200);
}

TEST_F(LoginThrottle, AMasterUnlocksAUsernameAndTheUnlockIsAudited) {
  // Two addresses together use up bob's attempts: now bob is refused from everywhere.
  for (const char* from : {"127.0.0.8", "127.0.0.9"})
    for (int i = 0; i < 3; ++i) ASSERT_EQ(login(from, "bob", "wrong-" + std::to_string(i)).status, 401);
  EXPECT_EQ(login("127.0.0.10", "bob", "bob-password").status, 429);
  const auto id = user_id("bob");
  const auto path = "/api/v1/users/" + std::to_string(id);
  EXPECT_TRUE(req("127.0.0.1", "GET", path, master).json().at("locked").as_bool());
  const auto u = req("127.0.0.1", "POST", path + "/unlock", master);
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_FALSE(u.json().at("locked").as_bool());
  EXPECT_EQ(login("127.0.0.10", "bob", "bob-password").status, 200);
  bool audited = false;
  const auto audit = req("127.0.0.1", "GET", "/api/v1/audit?limit=1000", master).json();
  for (auto& e : audit.at("entries").as_array())
    audited |= e.at("action") == "unlock" && e.at("object") == json::value("user/" + std::to_string(id)) &&
               e.at("user") == "root";
  EXPECT_TRUE(audited);
  EXPECT_EQ(req("127.0.0.1", "POST", "/api/v1/users/999999/unlock", master).status, 404);
}

TEST_F(LoginThrottle, TheApiAnswersWhileLoginsWaitForThePasswordCheck) {
  // Both password-check threads are held, so logins stay in flight as long as the test wants.
  auto& pool = server->auth().hash_pool();
  std::latch busy(2), release(1);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(pool.try_submit([&] { busy.count_down(); release.wait(); }));
  busy.wait();
  // Six logins (three times the I/O threads) fill the queue; the seventh is refused at once.
  std::vector<std::future<HttpResult>> logins;
  for (int i = 0; i < 6; ++i)
    logins.push_back(std::async(std::launch::async, [i] {
      // Odd ones log carol in; even ones try names that do not exist.
      return i % 2 ? login("127.0.1." + std::to_string(i + 1), "carol", "carol-password")
                   : login("127.0.1." + std::to_string(i + 1), "ghost" + std::to_string(i), "wrong-password");
    }));
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (pool.queued() < 6 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(pool.queued(), 6u);
  auto health = std::async(std::launch::async, [] { return req("127.0.0.1", "GET", "/healthz"); });
  const bool answered = health.wait_for(60s) == std::future_status::ready;
  EXPECT_TRUE(answered) << "/healthz did not answer while logins waited for the password check";
  auto full = std::async(std::launch::async, [] { return login("127.0.1.9", "ghost9", "wrong-password"); });
  const bool refused = full.wait_for(60s) == std::future_status::ready;
  release.count_down();  // lets everything finish whatever happened above
  ASSERT_TRUE(answered);
  EXPECT_EQ(health.get().status, 200);
  ASSERT_TRUE(refused) << "a login beyond the queue waited instead of being refused";
  const auto f = full.get();
  EXPECT_EQ(f.status, 503);
  EXPECT_EQ(f.error_code(), "busy");
  EXPECT_TRUE(f.headers.count("retry-after"));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(logins[i].get().status, i % 2 ? 200 : 401) << i;
}

TEST_F(LoginThrottle, MetricsWantTheBearerTokenWhenOneIsSet) {
  EXPECT_EQ(req("127.0.0.1", "GET", "/metrics").status, 401);
  EXPECT_EQ(req("127.0.0.1", "GET", "/metrics", "not-the-metrics-token-at-all").status, 401);
  EXPECT_EQ(req("127.0.0.1", "GET", "/metrics", master).status, 401);  // a user's token is not it
  const auto m = req("127.0.0.1", "GET", "/metrics", kMetricsToken);
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("hark_http_requests_total"), std::string::npos);
}

}  // namespace
}  // namespace hark::test
