// The REST API against a real PostgreSQL: every endpoint x every role, the group rules,
// edit-while-running, validation, bad input, leads CSV, do-not-call (lists, the integrated
// service, an external HTTPS service with certificate checks), health, metrics, OpenAPI.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <sodium.h>

#include "control/api/control_server.h"
#include "control/campaign/dnc_client.h"
#include "control/api_fixture.h"

using namespace hark;
namespace json = boost::json;
using test::Api;
using test::FakeRunner;

namespace {

/// Lower-case hex SHA-256 of `s`, computed here rather than by the code under test.
std::string sha256_hex(const std::string& s) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  std::string out;
  for (unsigned char c : h) out += "0123456789abcdef"[c >> 4], out += "0123456789abcdef"[c & 15];
  return out;
}

const std::vector<std::string> kRoles = {"master", "group_manager", "campaign_admin", "campaign_supervisor", "agent"};

TEST_F(Api, EveryEndpointByEveryRole) {
  // Ids that do not exist: allowed roles get past the role check (then 404/409/422), forbidden
  // roles get 403, and nothing changes.
  struct Case {
    std::string method, pattern, path, body;
    std::set<std::string> allowed;  // "*": any logged-in role; empty: public
  };
  const std::set<std::string> any = {"*"}, mm = {"master", "group_manager"}, m = {"master"},
                              ca = {"campaign_admin"}, cr = {"campaign_admin", "campaign_supervisor"},
                              dw = {"master", "campaign_admin"}, dr = {"master", "campaign_admin", "campaign_supervisor"},
                              cra = {"campaign_admin", "campaign_supervisor", "agent"}, ctl = {"campaign_admin", "agent"};
  const std::string c = "/api/v1/campaigns/999999";
  const std::vector<Case> cases = {
      {"POST", "/api/v1/login", "/api/v1/login", R"({"username":"sup","password":"sup-password"})", {}},
      {"POST", "/api/v1/logout", "", "", any},  // checked on its own below
      {"GET", "/api/v1/me", "/api/v1/me", "", any},
      {"GET", "/healthz", "/healthz", "", {}},
      {"GET", "/metrics", "/metrics", "", {}},
      {"GET", "/openapi.json", "/openapi.json", "", {}},
      {"GET", "/", "/", "", {}},  // the dashboard: public, like its files (it logs in through the API)
      {"GET", "/ui/{file}", "/ui/app.js", "", {}},
      {"GET", "/api/v1/users", "/api/v1/users", "", mm},
      {"POST", "/api/v1/users", "/api/v1/users", "{}", mm},
      {"GET", "/api/v1/users/{id}", "/api/v1/users/999999", "", mm},
      {"PATCH", "/api/v1/users/{id}", "/api/v1/users/999999", "{}", mm},
      {"DELETE", "/api/v1/users/{id}", "/api/v1/users/999999", "", mm},
      {"POST", "/api/v1/users/{id}/password", "/api/v1/users/999999/password", R"({"password":"long enough"})", m},
      {"POST", "/api/v1/users/{id}/unlock", "/api/v1/users/999999/unlock", "", m},
      {"GET", "/api/v1/groups", "/api/v1/groups", "", any},
      {"POST", "/api/v1/groups", "/api/v1/groups", "{}", m},
      {"GET", "/api/v1/groups/{id}", "/api/v1/groups/999999", "", any},
      {"PATCH", "/api/v1/groups/{id}", "/api/v1/groups/999999", "{}", mm},
      {"GET", "/api/v1/audit", "/api/v1/audit", "", m},
      {"GET", "/api/v1/logs", "/api/v1/logs", "", m},
      {"GET", "/api/v1/campaigns", "/api/v1/campaigns", "", cr},
      {"POST", "/api/v1/campaigns", "/api/v1/campaigns", "{}", ca},
      {"GET", "/api/v1/campaigns/{id}", c, "", cr},
      {"PATCH", "/api/v1/campaigns/{id}", c, "{}", ca},
      {"DELETE", "/api/v1/campaigns/{id}", c, "", ca},
      {"POST", "/api/v1/campaigns/{id}/start", c + "/start", "", ca},
      {"POST", "/api/v1/campaigns/{id}/stop", c + "/stop", "", ca},
      {"GET", "/api/v1/campaigns/{id}/summary", c + "/summary", "", cr},
      {"PUT", "/api/v1/campaigns/{id}/agents", c + "/agents", R"({"freeAgents":1})", ca},
      // agent states (issue 18; api_agents_test.cpp has their behaviour)
      {"GET", "/api/v1/campaigns/{id}/agents", c + "/agents", "", cr},
      {"PUT", "/api/v1/campaigns/{id}/agents/{agent}", c + "/agents/a1", R"({"state":"ready"})", ca},
      {"POST", "/api/v1/campaigns/{id}/preview/next", c + "/preview/next", R"({"agentId":"a1"})", ca},
      {"POST", "/api/v1/campaigns/{id}/preview/{leadId}/accept", c + "/preview/1/accept", R"({"agentId":"a1"})", ca},
      {"POST", "/api/v1/campaigns/{id}/preview/{leadId}/skip", c + "/preview/1/skip", R"({"agentId":"a1"})", ca},
      {"GET", "/api/v1/campaigns/{id}/live", c + "/live", "", cr},
      {"GET", "/api/v1/campaigns/{id}/events", c + "/events", "", cr},
      {"GET", "/api/v1/campaigns/{id}/schedules", c + "/schedules", "", cr},
      {"PATCH", "/api/v1/campaigns/{id}/schedules", c + "/schedules", "{}", ca},
      {"POST", "/api/v1/campaigns/{id}/schedules", c + "/schedules", R"({"day":"2099-01-01"})", ca},
      {"POST", "/api/v1/campaigns/{id}/leads", c + "/leads", "a,5551234\n", ca},
      {"GET", "/api/v1/campaigns/{id}/leads", c + "/leads", "", cr},
      {"GET", "/api/v1/campaigns/{id}/leads/{leadId}", c + "/leads/1", "", cr},
      {"PATCH", "/api/v1/campaigns/{id}/leads/{leadId}", c + "/leads/1", "{}", ca},
      // lead lifecycle (issue 20)
      {"POST", "/api/v1/campaigns/{id}/leads.json", c + "/leads.json", R"({"phone":"5551234"})", ca},
      {"DELETE", "/api/v1/campaigns/{id}/leads/{leadId}", c + "/leads/1", "", ca},
      {"POST", "/api/v1/campaigns/{id}/leads/{leadId}/callback", c + "/leads/1/callback", R"({"at":"2099-01-01T10:00:00Z"})", ca},
      {"POST", "/api/v1/campaigns/{id}/recycle", c + "/recycle", R"({"statuses":["BUSY"]})", ca},
      {"POST", "/api/v1/campaigns/{id}/clone", c + "/clone", "{}", ca},
      {"GET", "/api/v1/campaigns/{id}/calls", c + "/calls", "", cr},
      // inbound callbacks (issue 16): screen pops
      {"GET", "/api/v1/leads", "/api/v1/leads?phone=%2B14155550123", "", cr},
      {"GET", "/api/v1/campaigns/{id}/calls.csv", c + "/calls.csv", "", cr},
      {"POST", "/donotcall", "/donotcall", R"({"number":"5550000"})", any},
      {"GET", "/api/v1/dnc/lists", "/api/v1/dnc/lists", "", dr},
      {"POST", "/api/v1/dnc/lists", "/api/v1/dnc/lists", "{}", dw},
      {"POST", "/api/v1/dnc/lists/{id}/numbers", "/api/v1/dnc/lists/999999/numbers", "5551234\n", dw},
      {"GET", "/api/v1/dnc/lists/{id}/numbers/{number}", "/api/v1/dnc/lists/999999/numbers/5551234", "", dr},
      {"PUT", "/api/v1/dnc/lists/{id}/numbers/{number}", "/api/v1/dnc/lists/999999/numbers/5551234", "", dw},
      {"DELETE", "/api/v1/dnc/lists/{id}/numbers/{number}", "/api/v1/dnc/lists/999999/numbers/5551234", "", dw},
      {"GET", "/api/v1/dnc/services", "/api/v1/dnc/services", "", dr},
      {"POST", "/api/v1/dnc/services", "/api/v1/dnc/services", "{}", dw},
      {"POST", "/api/v1/dnc/services/{id}/check", "/api/v1/dnc/services/999999/check", R"({"number":"5551234"})", dr},
      {"GET", "/api/v1/prompts", "/api/v1/prompts", "", cr},
      {"POST", "/api/v1/prompts", "/api/v1/prompts?name=p", "", ca},
      {"GET", "/api/v1/prompts/{id}", "/api/v1/prompts/999999", "", cr},
      {"DELETE", "/api/v1/prompts/{id}", "/api/v1/prompts/999999", "", ca},
      // Recordings, QA and reports (issue 17; api_reports_test.cpp has their behaviour).
      {"GET", "/api/v1/recordings/{attemptId}", "/api/v1/recordings/999999", "", cr},
      {"PUT", "/api/v1/calls/{attemptId}/label", "/api/v1/calls/999999/label", R"({"label":"human"})", cr},
      {"GET", "/api/v1/qa/amd", "/api/v1/qa/amd", "", cr},
      {"GET", "/api/v1/qa/export", "/api/v1/qa/export", "", cr},
      {"GET", "/api/v1/reports/calls", "/api/v1/reports/calls", "", cr},
      {"GET", "/api/v1/reports/calls.csv", "/api/v1/reports/calls.csv", "", cr},
      // Calls that are up, their commands, all live figures (issue 16; api_live_calls_test.cpp).
      {"GET", "/api/v1/calls", "/api/v1/calls", "", cra},
      {"GET", "/api/v1/calls/{id}", "/api/v1/calls/999999", "", cra},
      {"POST", "/api/v1/calls", "/api/v1/calls", R"({"number":"+12015550123","campaignId":999999})", ctl},
      {"POST", "/api/v1/calls/{id}/hangup", "/api/v1/calls/999999/hangup", "", ctl},
      {"POST", "/api/v1/calls/{id}/transfer", "/api/v1/calls/999999/transfer", R"({"target":"5551234"})", ctl},
      {"POST", "/api/v1/calls/{id}/hold", "/api/v1/calls/999999/hold", "", ctl},
      {"POST", "/api/v1/calls/{id}/resume", "/api/v1/calls/999999/resume", "", ctl},
      {"POST", "/api/v1/calls/{id}/consult", "/api/v1/calls/999999/consult", R"({"target":"5551234"})", ctl},
      {"POST", "/api/v1/calls/{id}/complete", "/api/v1/calls/999999/complete", "", ctl},
      {"POST", "/api/v1/calls/{id}/cancel", "/api/v1/calls/999999/cancel", "", ctl},
      {"GET", "/api/v1/live", "/api/v1/live", "", cr},
      {"GET", "/api/v1/reports/daily", "/api/v1/reports/daily", "", cr},
      {"GET", "/api/v1/reports/daily.csv", "/api/v1/reports/daily.csv", "", cr},
      {"GET", "/api/v1/reports/leads", "/api/v1/reports/leads?campaign=999999", "", cr},
      {"GET", "/api/v1/reports/leads.csv", "/api/v1/reports/leads.csv?campaign=999999", "", cr},
      // Webhooks for CRMs (issue 16 part 4; api_webhooks_test.cpp has their behaviour).
      {"POST", "/api/v1/campaigns/{id}/webhooks", c + "/webhooks", R"({"url":"http://crm.example.com/","events":["ended"]})", ca},
      {"GET", "/api/v1/campaigns/{id}/webhooks", c + "/webhooks", "", cr},
      {"DELETE", "/api/v1/webhooks/{id}", "/api/v1/webhooks/999999", "", ca},
      {"GET", "/api/v1/webhooks/{id}/deliveries", "/api/v1/webhooks/999999/deliveries", "", cr},
  };
  // The table covers every route there is.
  std::set<std::string> routes, covered;
  for (const auto& r : server->router()->routes()) routes.insert(r.method + " " + r.pattern);
  for (const auto& k : cases) covered.insert(k.method + " " + k.pattern);
  EXPECT_EQ(routes, covered);

  for (const auto& k : cases) {
    if (k.path.empty()) continue;
    const auto type = k.pattern.ends_with("/leads") || k.pattern.ends_with("/numbers") ? "text/csv" : "application/json";
    if (!k.allowed.empty()) {
      auto anon = req(k.method, k.path, "", k.body, type);
      EXPECT_EQ(anon.status, 401) << k.method << " " << k.path << " without a token";
    }
    for (const auto& role : kRoles) {
      auto r = req(k.method, k.path, role, k.body, type);
      const bool allowed = k.allowed.empty() || k.allowed.count("*") || k.allowed.count(role);
      if (allowed) EXPECT_TRUE(r.status != 403 && r.status != 401 && r.status != 500) << k.method << " " << k.path << " as " << role << ": " << r.status << " " << r.body;
      else EXPECT_EQ(r.status, 403) << k.method << " " << k.path << " as " << role << ": " << r.body;
    }
  }
}

TEST_F(Api, LoginAndLogout) {
  ASSERT_EQ(post("/api/v1/users", "master", R"({"username":"lock","password":"lock-password","role":"master"})").status, 201);
  auto bad = test::http_request(server->port(), "POST", "/api/v1/login", "", R"({"username":"lock","password":"wrong"})");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.error_code(), "bad_credentials");
  // Wrong passwords never lock the account (they are throttled: login_throttle_test.cpp).
  for (int i = 0; i < 5; ++i)
    test::http_request(server->port(), "POST", "/api/v1/login", "", R"({"username":"lock","password":"wrong"})");
  const auto t = login("lock", "lock-password");
  ASSERT_EQ(t.size(), 64u);  // 256 bits, hex
  EXPECT_EQ(test::http_request(server->port(), "GET", "/api/v1/me", t).status, 200);
  // Only the token's SHA-256 is stored, never the token itself; the password is an argon2id string.
  const auto stored = [&](const std::string& v) {
    return db->exec("SELECT count(*) FROM sessions WHERE token_hash = '" + v + "'")[0][0].as<int>();
  };
  EXPECT_EQ(stored(sha256_hex(t)), 1);
  EXPECT_EQ(stored(t), 0);
  EXPECT_EQ(test::http_request(server->port(), "POST", "/api/v1/logout", t).status, 204);
  EXPECT_EQ(test::http_request(server->port(), "GET", "/api/v1/me", t).status, 401);
  EXPECT_EQ(stored(sha256_hex(t)), 0);  // logout deletes the session
  EXPECT_EQ(db->exec("SELECT password_hash FROM users WHERE username = 'lock'")[0][0].as<std::string>().rfind("$argon2id$", 0), 0u);
  // This suite hashes at the tests' minimum cost (api_fixture.h); a server's default is
  // libsodium's interactive argon2id (64 MiB, 2 passes), and either verifies.
  EXPECT_EQ(control::AuthOptions{}.hash_cost, control::PasswordHashCost::interactive);
  const auto strong = control::hash_password("a password of a user");
  EXPECT_EQ(strong.rfind("$argon2id$v=19$m=65536,t=2,", 0), 0u) << strong;
  EXPECT_TRUE(control::verify_password(strong, "a password of a user"));
  const auto cheap = control::hash_password("a password of a user", control::PasswordHashCost::test_minimum);
  EXPECT_EQ(cheap.rfind("$argon2id$v=19$m=8,t=1,", 0), 0u) << cheap;
  EXPECT_TRUE(control::verify_password(cheap, "a password of a user"));
  EXPECT_FALSE(control::verify_password(cheap, "another password"));
}

TEST_F(Api, GroupManagerManagesOwnGroupsOnly) {
  auto mine = post("/api/v1/users", "group_manager",
                   json::serialize(json::object{{"username", "mgr-made"}, {"password", "mgr-made-pw"},
                                                {"role", "campaign_supervisor"}, {"groups", json::array{g1}}}));
  ASSERT_EQ(mine.status, 201) << mine.body;
  // Not in another group, not a master.
  EXPECT_EQ(post("/api/v1/users", "group_manager",
                 json::serialize(json::object{{"username", "x1"}, {"password", "x1-password"}, {"role", "campaign_admin"},
                                              {"groups", json::array{g2}}})).status, 403);
  EXPECT_EQ(post("/api/v1/users", "group_manager",
                 json::serialize(json::object{{"username", "x2"}, {"password", "x2-password"}, {"role", "master"}})).status, 403);
  // Lists only users of their groups; cannot see g2's admin or the master.
  auto list = get("/api/v1/users", "group_manager").json().at("users").as_array();
  std::set<std::string> names;
  for (auto& u : list) names.insert(std::string(u.at("username").as_string()));
  EXPECT_TRUE(names.count("adm") && names.count("sup") && names.count("mgr-made"));
  EXPECT_FALSE(names.count("adm2") || names.count("root"));
  const auto adm2 = get("/api/v1/users", "master").json().at("users").as_array();
  long long adm2_id = 0;
  for (auto& u : adm2) if (u.at("username") == "adm2") adm2_id = u.at("id").as_int64();
  EXPECT_EQ(get("/api/v1/users/" + std::to_string(adm2_id), "group_manager").status, 404);
  // Managers enable/disable their groups but do not rename them.
  EXPECT_EQ(patch("/api/v1/groups/" + std::to_string(g1), "group_manager", R"({"name":"renamed"})").status, 403);
  EXPECT_EQ(patch("/api/v1/groups/" + std::to_string(g2), "group_manager", R"({"enabled":false})").status, 404);
  const auto id = mine.json().at("id").as_int64();
  EXPECT_EQ(req("DELETE", "/api/v1/users/" + std::to_string(id), "group_manager").status, 204);
}

TEST_F(Api, DisabledGroupRules) {
  const auto stopped = make_campaign("dg-stopped");
  const auto started = make_campaign("dg-started");
  ASSERT_EQ(post("/api/v1/campaigns/" + std::to_string(started) + "/start", "campaign_admin").status, 200);
  ASSERT_EQ(patch("/api/v1/groups/" + std::to_string(g1), "group_manager", R"({"enabled":false})").status, 200);
  // Admins and supervisors of only disabled groups cannot log in (nor use old tokens); managers can.
  auto r = test::http_request(server->port(), "POST", "/api/v1/login", "", R"({"username":"adm","password":"adm-password"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.error_code(), "no_enabled_group");
  EXPECT_EQ(get("/api/v1/campaigns", "campaign_supervisor").status, 401);
  const auto mgr = login("mgr", "mgr-password");
  EXPECT_FALSE(mgr.empty());
  // A user in g1 and g2 still gets in; it cannot start g1's stopped campaign nor create in g1.
  ASSERT_EQ(post("/api/v1/users", "master", json::serialize(json::object{{"username", "both"}, {"password", "both-password"},
                                                                         {"role", "campaign_admin"}, {"groups", json::array{g1, g2}}})).status, 201);
  tok["both"] = login("both", "both-password");
  auto start = post("/api/v1/campaigns/" + std::to_string(stopped) + "/start", "both");
  EXPECT_EQ(start.status, 409);
  EXPECT_EQ(start.error_code(), "group_disabled");
  auto create = post("/api/v1/campaigns", "both", json::serialize(campaign_body("dg-new", g1)));
  EXPECT_EQ(create.status, 409);
  EXPECT_EQ(create.error_field(), "groupId");
  // Nor move a g2 campaign into g1.
  const auto in_g2 = make_campaign("dg-g2", g2, "both");
  auto move = patch("/api/v1/campaigns/" + std::to_string(in_g2), "both", json::serialize(json::object{{"groupId", g1}}));
  EXPECT_EQ(move.status, 409);
  // The started one keeps running.
  EXPECT_EQ(get("/api/v1/campaigns/" + std::to_string(started), "both").json().at("state"), "STARTED");
  ASSERT_EQ(patch("/api/v1/groups/" + std::to_string(g1), "group_manager", R"({"enabled":true})").status, 200);
  tok["campaign_admin"] = login("adm", "adm-password");
  tok["campaign_supervisor"] = login("sup", "sup-password");
  EXPECT_EQ(post("/api/v1/campaigns/" + std::to_string(started) + "/stop", "campaign_admin").status, 200);
}

TEST_F(Api, CampaignValidationSchedulesAndEditWhileRunning) {
  auto bad = [&](json::object change, const std::string& field) {
    auto b = campaign_body("v-" + field, g1);
    for (auto& kv : change) b[kv.key()] = kv.value();
    auto r = post("/api/v1/campaigns", "campaign_admin", json::serialize(b));
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.error_field(), field) << r.body;
  };
  bad({{"maxAttempts", 0}}, "maxAttempts");
  bad({{"maxAttempts", 101}}, "maxAttempts");
  bad({{"retryMinutes", 0}}, "retryMinutes");
  bad({{"retryMinutes", 1441}}, "retryMinutes");
  bad({{"maxAttempts", "5"}}, "maxAttempts");
  bad({{"timeZone", "Mars/Olympus"}}, "timeZone");
  bad({{"endTime", "07:00"}}, "endTime");
  bad({{"endTime", "24:01"}}, "endTime");
  bad({{"startTime", "24:00"}}, "startTime");  // 24:00 ends a day; it starts none
  bad({{"startDate", "2026-02-30"}}, "startDate");
  bad({{"weekdays", json::array{"funday"}}}, "weekdays");
  bad({{"type", "predictive"}}, "type");
  bad({{"retryRules", json::object{{"SUCCESS", json::object{{"retryMinutes", 5}}}}}}, "retryRules");
  bad({{"amdParams", json::object{{"greetingMs", 99999999}}}}, "greetingMs");
  bad({{"nmae", "typo"}}, "nmae");
  bad({{"name", ""}}, "name");

  // A week, Monday to Friday: one schedule per working day.
  auto b = campaign_body("sched", g1);
  b["startDate"] = "2099-03-02";  // a Monday
  b["endDate"] = "2099-03-08";
  b["weekdays"] = json::array{"mon", "tue", "wed", "thu", "fri"};
  b["retryRules"] = json::object{{"BUSY", json::object{{"retryMinutes", 2}, {"maxAttempts", 2}}}};
  b["amdParams"] = json::object{{"greetingMs", 2000}};
  auto created = post("/api/v1/campaigns", "campaign_admin", json::serialize(b));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = std::to_string(created.json().at("id").as_int64());
  EXPECT_EQ(created.json().at("maxAttempts"), 5);
  EXPECT_EQ(created.json().at("retryMinutes"), 60);
  auto days = get("/api/v1/campaigns/" + id + "/schedules", "campaign_supervisor").json().at("schedules").as_array();
  ASSERT_EQ(days.size(), 5u);
  EXPECT_EQ(days[0].at("day"), "2099-03-02");
  EXPECT_EQ(days[0].at("state"), "NOT_RUNNING");
  EXPECT_EQ(post("/api/v1/campaigns", "campaign_admin", json::serialize(b)).status, 409);  // name taken
  // Add a Saturday; a second entry on one day is refused.
  EXPECT_EQ(post("/api/v1/campaigns/" + id + "/schedules", "campaign_admin", R"({"day":"2099-03-07","startTime":"10:00","endTime":"12:00"})").status, 201);
  EXPECT_EQ(post("/api/v1/campaigns/" + id + "/schedules", "campaign_admin", R"({"day":"2099-03-07"})").status, 409);
  EXPECT_EQ(post("/api/v1/campaigns/" + id + "/schedules", "campaign_admin", R"({"day":"2000-01-01"})").status, 422);
  // New hours for every remaining day at once.
  auto hours = patch("/api/v1/campaigns/" + id + "/schedules", "campaign_admin", R"({"startTime":"09:30","endTime":"18:00"})");
  ASSERT_EQ(hours.status, 200) << hours.body;
  EXPECT_EQ(hours.json().at("updated"), 6);
  EXPECT_EQ(hours.json().at("schedules").as_array()[0].at("startTime"), "09:30");
  // To the end of the day: 24:00 (23:59 would leave its last minute uncalled).
  hours = patch("/api/v1/campaigns/" + id + "/schedules", "campaign_admin", R"({"endTime":"24:00"})");
  ASSERT_EQ(hours.status, 200) << hours.body;
  EXPECT_EQ(hours.json().at("schedules").as_array()[0].at("endTime"), "24:00");
  EXPECT_EQ(patch("/api/v1/campaigns/" + id, "campaign_admin", R"({"endTime":"24:00"})").json().at("endTime"), "24:00");
  // Supervisors read, never write; admins of another group do not see it.
  EXPECT_EQ(patch("/api/v1/campaigns/" + id, "campaign_supervisor", R"({"description":"x"})").status, 403);
  tok["adm2"] = tok["admin2"];
  EXPECT_EQ(get("/api/v1/campaigns/" + id, "adm2").status, 404);

  // Running: settings, schedules and leads are frozen (409); stopped again: editable.
  ASSERT_EQ(post("/api/v1/campaigns/" + id + "/start", "campaign_admin").status, 200);
  EXPECT_EQ(post("/api/v1/campaigns/" + id + "/start", "campaign_admin").status, 409);
  EXPECT_EQ(patch("/api/v1/campaigns/" + id, "campaign_admin", R"({"description":"x"})").status, 409);
  EXPECT_EQ(patch("/api/v1/campaigns/" + id + "/schedules", "campaign_admin", R"({"startTime":"10:00"})").status, 409);
  EXPECT_EQ(post("/api/v1/campaigns/" + id + "/schedules", "campaign_admin", R"({"day":"2099-03-09"})").status, 409);
  EXPECT_EQ(req("POST", "/api/v1/campaigns/" + id + "/leads", "campaign_admin", "a,5551234\n", "text/csv").status, 409);
  EXPECT_EQ(req("DELETE", "/api/v1/campaigns/" + id, "campaign_admin").status, 409);
  EXPECT_EQ(req("PUT", "/api/v1/campaigns/" + id + "/agents", "campaign_admin", R"({"freeAgents":4})").status, 200);
  ASSERT_EQ(post("/api/v1/campaigns/" + id + "/stop", "campaign_admin").status, 200);
  EXPECT_EQ(patch("/api/v1/campaigns/" + id, "campaign_admin", R"({"description":"edited","maxAttempts":100})").status, 200);
  auto summary = get("/api/v1/campaigns/" + id + "/summary", "campaign_supervisor").json();
  EXPECT_EQ(summary.at("campaign").at("description"), "edited");
  EXPECT_EQ(summary.at("campaign").at("freeAgents"), 4);
  EXPECT_EQ(summary.at("leads").at("byStatus").as_object().size(), 11u);  // ten, and ABANDONED (issue 18)
  // Listing can hide finished campaigns.
  db->exec("UPDATE campaigns SET state = 'FINISHED' WHERE id = " + id);
  auto all = get("/api/v1/campaigns", "campaign_admin").json().at("campaigns").as_array().size();
  auto unfinished = get("/api/v1/campaigns?hideFinished=true", "campaign_admin").json().at("campaigns").as_array().size();
  EXPECT_EQ(unfinished + 1, all);
}

TEST_F(Api, LeadsCsvMixedRowsAndOptions) {
  const auto id = std::to_string(make_campaign("leads"));
  const std::string csv =
      "name,phone,phone2,external_id,description,color\n"
      "Ann,+1 201 555 0100,201-555-0199,e1,first,red\n"
      "No Phone,,,e2,,\n"
      "Bob,2015550101,,e3,\"multi\nline\",blue\n"
      "Ann again,(201) 555-0100,,e5,,\n"
      "Cy,2015550103,,e1,dup external id,\n";
  // A byte that is not UTF-8 refuses the whole file, naming its line (issue 20: a Latin-1 file
  // is converted with charset=latin1, not half imported).
  auto bad = req("POST", "/api/v1/campaigns/" + id + "/leads", "campaign_admin",
                 csv + "Bad \xff utf8,2015550102,,e4,,\n", "text/csv");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("line 8 has the byte 0xFF"), std::string::npos) << bad.body;
  auto r = req("POST", "/api/v1/campaigns/" + id + "/leads", "campaign_admin", csv, "text/csv");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j.at("imported"), 3);  // Ann, Bob, Ann again (duplicate phones kept without the option)
  std::set<int64_t> lines;
  for (auto& e : j.at("rejected").as_array()) lines.insert(e.at("line").as_int64());
  EXPECT_EQ(lines, (std::set<int64_t>{3, 7})) << r.body;  // no phone, duplicate external id
  // With the options: duplicates (in the file and already in the campaign) and phoneless rows skipped.
  auto r2 = req("POST", "/api/v1/campaigns/" + id + "/leads?skipDuplicates=true&skipWithoutPhone=true", "campaign_admin",
                "Dee,+12015550101\nEve,\nFay,2015550200\nFay2,201.555.0200\n", "text/csv");
  ASSERT_EQ(r2.status, 200) << r2.body;
  EXPECT_EQ(r2.json().at("imported"), 1);
  EXPECT_EQ(r2.json().at("skippedDuplicates"), 2);
  EXPECT_EQ(r2.json().at("skippedWithoutPhone"), 1);
  EXPECT_TRUE(r2.json().at("rejected").as_array().empty());
  // Paged, filtered list; view; edit.
  auto page = get("/api/v1/campaigns/" + id + "/leads?pageSize=2&page=2&status=NOT_CALLED", "campaign_supervisor").json();
  EXPECT_EQ(page.at("total"), 4);
  EXPECT_EQ(page.at("leads").as_array().size(), 2u);
  EXPECT_EQ(get("/api/v1/campaigns/" + id + "/leads?status=BOGUS", "campaign_admin").status, 422);
  auto first = get("/api/v1/campaigns/" + id + "/leads?pageSize=1", "campaign_admin").json().at("leads").as_array()[0];
  EXPECT_EQ(first.at("phone"), "+12015550100");
  EXPECT_EQ(first.at("phoneRaw"), "+1 201 555 0100");
  EXPECT_EQ(first.at("extraPhones").as_array()[0], "+12015550199");
  EXPECT_EQ(first.at("fields").at("color"), "red");
  const auto lead = std::to_string(first.at("id").as_int64());
  auto edited = patch("/api/v1/campaigns/" + id + "/leads/" + lead, "campaign_admin", R"({"name":"Ann B","phone":"(201) 555-0111"})");
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json().at("phone"), "+12015550111");
  EXPECT_EQ(edited.json().at("phoneRaw"), "(201) 555-0111");
  EXPECT_EQ(patch("/api/v1/campaigns/" + id + "/leads/" + lead, "campaign_admin", R"({"phone":"12345678"})").error_field(), "phone");
  EXPECT_EQ(get("/api/v1/campaigns/" + id + "/leads/" + lead, "campaign_supervisor").json().at("name"), "Ann B");
  // A file with no valid row at all is a 422 that still lists every line.
  auto none = req("POST", "/api/v1/campaigns/" + id + "/leads", "campaign_admin", "x,\ny,\n", "text/csv");
  EXPECT_EQ(none.status, 422);
  EXPECT_EQ(none.json().at("rejected").as_array().size(), 2u);
}

TEST_F(Api, BadInputGetsClearErrorsNeverA500) {
  auto r = post("/api/v1/groups", "master", "{\"name\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_code(), "malformed_json");
  EXPECT_EQ(post("/api/v1/groups", "master", "[1,2]").status, 400);
  EXPECT_EQ(post("/api/v1/groups", "master", "{\"name\": \"bad \xc3\x28 utf8\"}").status, 400);
  r = post("/api/v1/groups", "master", R"({"name": 42})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_field(), "name");
  r = post("/api/v1/groups", "master", R"({"name": "nul\u0000inside"})");
  EXPECT_EQ(r.status, 422);
  // Oversized bodies: 413 (this server's limit is 1 MiB).
  r = req("POST", "/api/v1/campaigns/1/leads", "campaign_admin", std::string(2 << 20, 'x'), "text/csv");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.error_code(), "too_large");
  // Unknown paths and methods.
  EXPECT_EQ(get("/api/v1/nothing", "master").status, 404);
  EXPECT_EQ(req("DELETE", "/api/v1/groups", "master").status, 405);
  EXPECT_EQ(get("/api/v1/users/abc", "master").status, 404);
  EXPECT_EQ(get("/api/v1/campaigns?hideFinished=maybe", "campaign_admin").status, 422);
  EXPECT_EQ(get("/api/v1/campaigns/1/leads?pageSize=100000", "campaign_admin").status, 422);
  EXPECT_EQ(test::http_request(server->port(), "GET", "/api/v1/me", std::string(64, 'z')).status, 401);

  // SQL metacharacters in every string field are stored verbatim, never executed.
  const std::string evil = "x'); DROP TABLE users; -- \"\\ %_ $1";
  auto g = post("/api/v1/groups", "master", json::serialize(json::object{{"name", evil}, {"description", evil}}));
  ASSERT_EQ(g.status, 201) << g.body;
  EXPECT_EQ(g.json().at("name"), json::value(evil));
  auto u = post("/api/v1/users", "master", json::serialize(json::object{{"username", evil}, {"password", evil}, {"role", "master"}}));
  ASSERT_EQ(u.status, 201) << u.body;
  EXPECT_FALSE(login(evil, evil).empty());
  auto b = campaign_body(evil, g1);
  for (const char* f : {"description", "pilotNumber", "queue", "callerId"}) b[f] = evil;
  auto c = post("/api/v1/campaigns", "campaign_admin", json::serialize(b));
  ASSERT_EQ(c.status, 201) << c.body;
  for (const char* f : {"name", "description", "pilotNumber", "queue", "callerId"})
    EXPECT_EQ(c.json().at(f), json::value(evil)) << f;
  const auto cid = std::to_string(c.json().at("id").as_int64());
  auto leads = req("POST", "/api/v1/campaigns/" + cid + "/leads", "campaign_admin",
                   "name,phone,external_id,description,note\n\"" + std::string("x'); DROP TABLE leads; --") + "\",5550001,\"';--\",\"$$\",\"\\\\N\"\n",
                   "text/csv");
  ASSERT_EQ(leads.status, 200) << leads.body;
  auto lead = get("/api/v1/campaigns/" + cid + "/leads", "campaign_admin").json().at("leads").as_array()[0];
  EXPECT_EQ(lead.at("name"), "x'); DROP TABLE leads; --");
  EXPECT_EQ(lead.at("externalId"), "';--");
  EXPECT_EQ(lead.at("fields").at("note"), "\\\\N");
  auto list = post("/api/v1/dnc/lists", "campaign_admin", json::serialize(json::object{{"name", evil}}));
  EXPECT_EQ(list.status, 201);
  EXPECT_EQ(list.json().at("name"), json::value(evil));
  EXPECT_EQ(db->exec("SELECT count(*) FROM users")[0][0].as<int>() > 0, true);
  // Nothing above was a 500.
  EXPECT_EQ(get("/metrics", "").body.find("code=\"500\""), std::string::npos);
}

TEST_F(Api, DoNotCallListsAndIntegratedService) {
  auto l = post("/api/v1/dnc/lists", "campaign_admin", R"({"name":"blocked"})");
  ASSERT_EQ(l.status, 201) << l.body;
  const auto id = std::to_string(l.json().at("id").as_int64());
  auto up = req("POST", "/api/v1/dnc/lists/" + id + "/numbers", "campaign_admin",
                "number\n+1 201 555 0001\n2015550002\nnot a number\n(201) 555-0002\n", "text/csv");
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.json().at("added"), 2);
  EXPECT_EQ(up.json().at("alreadyListed"), 1);
  ASSERT_EQ(up.json().at("rejected").as_array().size(), 1u);
  EXPECT_EQ(up.json().at("rejected").as_array()[0].at("line"), 4);
  auto check = [&](const std::string& n) { return get("/api/v1/dnc/lists/" + id + "/numbers/" + n, "campaign_supervisor").json().at("doNotCall").as_bool(); };
  EXPECT_TRUE(check("12015550001"));
  EXPECT_TRUE(check("2015550002"));
  EXPECT_FALSE(check("2015550003"));
  EXPECT_EQ(req("PUT", "/api/v1/dnc/lists/" + id + "/numbers/2015550003", "campaign_admin").status, 200);
  EXPECT_TRUE(check("2015550003"));
  EXPECT_EQ(req("DELETE", "/api/v1/dnc/lists/" + id + "/numbers/2015550002", "campaign_admin").status, 200);
  EXPECT_FALSE(check("2015550002"));
  EXPECT_EQ(get("/api/v1/dnc/lists/" + id + "/numbers/12", "campaign_admin").status, 422);
  // The integrated service: the same API external services speak.
  auto yes = post("/donotcall", "campaign_supervisor", R"({"number":"2015550003"})");
  EXPECT_EQ(yes.status, 200);
  EXPECT_EQ(yes.json(), json::parse(R"({"number":"2015550003","doNotCall":true})"));
  EXPECT_EQ(post("/donotcall", "campaign_supervisor", R"({"number":"2015559999"})").json().at("doNotCall"), false);
  EXPECT_EQ(post("/donotcall", "campaign_supervisor", R"({"number":"abc"})").status, 422);
  // The database is the truth: another process's index loads the same numbers.
  control::DncIndex other;
  auto c = sql::open_prepared(db->url());
  EXPECT_GE(other.refresh(*c), 1);
  EXPECT_TRUE(other.listed(std::stoll(id), "+12015550003"));
  EXPECT_FALSE(other.listed(std::stoll(id), "+12015550002"));
  EXPECT_EQ(other.refresh(*c), 0);  // unchanged versions: nothing reloaded
}

TEST_F(Api, ExternalDncServiceOverHttpsWithCertificateChecks) {
  // A second hark control server with TLS plays the external service.
  const auto dir = std::filesystem::temp_directory_path() / ("hark-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " + cert +
                          " -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  control::ControlServerOptions o;
  o.http.listen = "127.0.0.1:0";
  o.http.threads = 1;
  o.http.tls_cert_file = cert;
  o.http.tls_key_file = key;
  auto tls = std::make_unique<control::ControlServer>(db->url(), o);
  ASSERT_EQ(tls->start(), "");
  ASSERT_TRUE(tls->http_tls());
  auto l = post("/api/v1/dnc/lists", "campaign_admin", R"({"name":"ext-backing"})");
  const auto lid = l.json().at("id").as_int64();
  ASSERT_EQ(req("PUT", "/api/v1/dnc/lists/" + std::to_string(lid) + "/numbers/2015557777", "campaign_admin").status, 200);
  tls->dnc().refresh(*sql::open_prepared(db->url()));

  const std::string url = "https://127.0.0.1:" + std::to_string(tls->port()) + "/donotcall";
  control::DncService svc{url, 2000, tok["campaign_supervisor"], cert};
  EXPECT_EQ(control::check_dnc(svc, "2015557777"), control::DncAnswer::listed);
  EXPECT_EQ(control::check_dnc(svc, "2015550000"), control::DncAnswer::clear);
  std::string err;
  svc.ca_file.clear();  // not trusted: the certificate check fails, so the service counts as down
  EXPECT_EQ(control::check_dnc(svc, "2015557777", &err), control::DncAnswer::unreachable);
  EXPECT_NE(err.find("certificate"), std::string::npos) << err;
  svc.ca_file = cert;
  svc.bearer_token = "";
  EXPECT_EQ(control::check_dnc(svc, "2015557777", &err), control::DncAnswer::unreachable);  // 401
  EXPECT_NE(err.find("401"), std::string::npos) << err;

  // Configured through the API and checked through it.
  auto s = post("/api/v1/dnc/services", "campaign_admin",
                json::serialize(json::object{{"name", "ext"}, {"url", url}, {"timeoutMs", 500}, {"bearerToken", tok["campaign_supervisor"]}}));
  ASSERT_EQ(s.status, 201) << s.body;
  EXPECT_EQ(s.json().at("hasBearerToken"), true);
  EXPECT_EQ(post("/api/v1/dnc/services", "campaign_admin", R"({"name":"bad","url":"ftp://x"})").error_field(), "url");
  const auto sid = std::to_string(s.json().at("id").as_int64());
  // This server does not trust the self-signed certificate: 502, not a hang or a 500.
  auto untrusted = post("/api/v1/dnc/services/" + sid + "/check", "campaign_admin", R"({"number":"2015557777"})");
  EXPECT_EQ(untrusted.status, 502) << untrusted.body;
  // A service that stops answering: a listener that never replies trips the timeout.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor silent(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  control::DncService mute{"http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/donotcall", 300, "", ""};
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(control::check_dnc(mute, "2015550000", &err), control::DncAnswer::unreachable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_NE(err.find("no answer"), std::string::npos) << err;
  tls.reset();
  std::filesystem::remove_all(dir);
}

TEST_F(Api, CallLogPagedAndCsv) {
  const auto id = make_campaign("calllog");
  ASSERT_EQ(req("POST", "/api/v1/campaigns/" + std::to_string(id) + "/leads", "campaign_admin", "Ann,5550100\n", "text/csv").status, 200);
  db->exec("INSERT INTO call_attempts (campaign_id, lead_id, number, state, ended_at, sip_code, sip_reason, amd_verdict, amd_cause, result) "
           "SELECT campaign_id, id, phone, 'DONE', now(), 486, 'Busy, \"really\"', NULL, NULL, 'BUSY' FROM leads WHERE campaign_id = " +
           std::to_string(id));
  auto page = get("/api/v1/campaigns/" + std::to_string(id) + "/calls", "campaign_supervisor");
  ASSERT_EQ(page.status, 200);
  ASSERT_EQ(page.json().at("calls").as_array().size(), 1u);
  EXPECT_EQ(page.json().at("calls").as_array()[0].at("sipCode"), 486);
  EXPECT_EQ(page.json().at("calls").as_array()[0].at("result"), "BUSY");
  auto csv = get("/api/v1/campaigns/" + std::to_string(id) + "/calls.csv", "campaign_supervisor");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type.rfind("text/csv", 0), 0u);
  EXPECT_NE(csv.body.find(",486,\"Busy, \"\"really\"\"\",,,BUSY"), std::string::npos) << csv.body;
}

TEST_F(Api, HealthMetricsOpenApiAudit) {
  auto h = get("/healthz", "");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.json().at("database"), "ok");
  auto m = get("/metrics", "");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("# TYPE hark_http_requests_total counter"), std::string::npos);
  EXPECT_NE(m.body.find("hark_http_request_seconds_bucket{le=\"+Inf\"}"), std::string::npos);
  auto doc = get("/openapi.json", "").json();
  EXPECT_EQ(doc.at("openapi"), "3.0.3");
  // The document names exactly the routes of the router's table: each (method, path) pair.
  std::set<std::pair<std::string, std::string>> documented, routed;
  for (auto& p : doc.at("paths").as_object())
    for (auto& op : p.value().as_object()) {
      std::string m(op.key());
      for (auto& ch : m) ch = char(std::toupper(static_cast<unsigned char>(ch)));
      documented.insert({m, std::string(p.key())});
      EXPECT_EQ(op.value().at("operationId"), json::value(m + " " + std::string(p.key())));
    }
  for (const auto& r : server->router()->routes()) routed.insert({r.method, r.pattern});
  EXPECT_EQ(routed.size(), server->router()->routes().size());  // no route twice
  EXPECT_EQ(documented, routed);
  EXPECT_TRUE(doc.at("paths").as_object().contains("/api/v1/campaigns/{id}/leads"));
  // The prompt upload documents its audio bodies.
  const auto& upload = doc.at("paths").at("/api/v1/prompts").at("post");
  EXPECT_TRUE(upload.at("requestBody").at("content").as_object().contains("audio/wav"));
  EXPECT_TRUE(upload.at("responses").as_object().contains("415"));
  // Who changed what.
  auto audit = get("/api/v1/audit?limit=1000", "master").json().at("entries").as_array();
  bool saw = false;
  for (auto& e : audit) saw |= e.at("action") == "create" && e.at("object").as_string().starts_with("group/") && e.at("user") == "root";
  EXPECT_TRUE(saw);
}


// The HTTP side of live supervision: /live and the server-sent-event stream, with a stand-in
// for the runner (FakeRunner, api_fixture.h; the runner itself is tested in runner_test.cpp).
TEST_F(Api, LiveViewAndEventStream) {
  FakeRunner fake;
  server->set_runner(&fake);
  const auto id = std::to_string(make_campaign("live"));
  auto live = get("/api/v1/campaigns/" + id + "/live", "campaign_supervisor");
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.json().at("dialing"), 0);  // from PostgreSQL (no call up), not the runner's memory
  // Raw socket: the stream's headers, then an event pushed after the client connected.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket sock(ioc);
  sock.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server->port())});
  const std::string rq = "GET /api/v1/campaigns/" + id + "/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                         tok["campaign_supervisor"] + "\r\n\r\n";
  boost::asio::write(sock, boost::asio::buffer(rq));
  std::string got;
  // Reads until `what` arrives (returning at once) or 20 s pass: a generous deadline, no fixed wait.
  auto read_until = [&](const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    char buf[4096];
    while (got.find(what) == std::string::npos) {
      boost::system::error_code ec;
      size_t n = 0;
      bool done = false;
      sock.async_read_some(boost::asio::buffer(buf), [&](boost::system::error_code e, size_t k) { ec = e, n = k, done = true; });
      ioc.restart();
      ioc.run_until(deadline);
      if (!done) {  // the deadline passed: cancel the read and let its handler run
        sock.cancel();
        ioc.restart();
        ioc.run();
        break;
      }
      if (ec) break;
      got.append(buf, n);
    }
    return got.find(what) != std::string::npos;
  };
  ASSERT_TRUE(read_until("\r\n\r\n")) << got;
  EXPECT_NE(got.find("Content-Type: text/event-stream"), std::string::npos) << got;
  fake.stream->push("call", R"({"state":"ringing"})");
  EXPECT_TRUE(read_until("event: call\ndata: {\"state\":\"ringing\"}\n\n")) << got;
  sock.close();
  fake.stream->close();
  server->set_runner(nullptr);
}

}  // namespace
