// Group isolation on every /campaigns/{id}/... route: another group's campaign is a 404, the
// same 404 as a campaign that does not exist, and nothing it sends changes anything. The same
// for do-not-call lists and services, which belong to a group or are global (master-only).
#include <gtest/gtest.h>

#include "control/api_fixture.h"

using namespace hark;
using test::Api;
using test::FakeRunner;
namespace json = boost::json;

namespace {

TEST_F(Api, AnotherGroupsCampaignIsNotFoundOnEveryCampaignRoute) {
  // A campaign of g1 with a lead and a call: g2's admin gets the very 404 a campaign that does
  // not exist gets, on every /campaigns/{id}/... route (leads, calls, live, summary, ...), and
  // nothing changes; g1's own admin and supervisor see it (so the 404 is the group check).
  FakeRunner fake;
  server->set_runner(&fake);
  const auto id = std::to_string(make_campaign("isolated"));
  ASSERT_EQ(req("POST", "/api/v1/campaigns/" + id + "/leads", "campaign_admin", "Ann,2015550100\n", "text/csv").status, 200);
  const auto lead = std::to_string(db->exec("SELECT id FROM leads WHERE campaign_id = " + id)[0][0].as<long long>());
  db->exec("INSERT INTO call_attempts (campaign_id, lead_id, number, state, result) VALUES (" + id + ", " + lead +
           ", '2015550100', 'DONE', 'BUSY')");
  const std::string c = "/api/v1/campaigns/" + id, none = "/api/v1/campaigns/999999";
  struct Case { std::string method, tail, body, type; bool read; };
  const std::vector<Case> cases = {
      {"GET", "", "", "", true},
      {"GET", "/summary", "", "", true},
      {"GET", "/leads", "", "", true},
      {"GET", "/leads/" + lead, "", "", true},
      {"GET", "/calls", "", "", true},
      {"GET", "/calls.csv", "", "", true},
      {"GET", "/live", "", "", true},
      {"GET", "/schedules", "", "", true},
      {"GET", "/webhooks", "", "", true},
      {"POST", "/webhooks", R"({"url":"http://crm.example.com/","events":["ended"]})", "application/json", false},
      {"PATCH", "", R"({"description":"taken"})", "application/json", false},
      {"PATCH", "/leads/" + lead, R"({"name":"taken"})", "application/json", false},
      {"POST", "/leads", "Eve,2015550199\n", "text/csv", false},
      {"PUT", "/agents", R"({"freeAgents":7})", "application/json", false},
      {"PATCH", "/schedules", R"({"startTime":"09:00"})", "application/json", false},
      // agent states (issue 18)
      {"GET", "/agents", "", "", true},
      {"PUT", "/agents/a1", R"({"state":"ready"})", "application/json", false},
      {"POST", "/preview/next", R"({"agentId":"a1"})", "application/json", false},
      {"POST", "/preview/" + lead + "/accept", R"({"agentId":"a1"})", "application/json", false},
      {"POST", "/preview/" + lead + "/skip", R"({"agentId":"a1"})", "application/json", false},
      // lead lifecycle (issue 20)
      {"POST", "/leads.json", R"({"phone":"5550198"})", "application/json", false},
      {"POST", "/leads/" + lead + "/callback", R"({"at":"2099-01-01T10:00:00Z"})", "application/json", false},
      {"POST", "/recycle", R"({"statuses":["BUSY"]})", "application/json", false},
      {"POST", "/clone", R"({"name":"taken-clone"})", "application/json", false},
      {"DELETE", "/leads/" + lead, "", "application/json", false},
      {"POST", "/start", "", "application/json", false},
      {"DELETE", "", "", "application/json", false},
  };
  for (const auto& k : cases) {
    const auto theirs = req(k.method, c + k.tail, "admin2", k.body, k.type.empty() ? "application/json" : k.type);
    const auto missing = req(k.method, none + k.tail, "admin2", k.body, k.type.empty() ? "application/json" : k.type);
    EXPECT_EQ(theirs.status, 404) << k.method << " " << k.tail << ": " << theirs.body;
    EXPECT_EQ(theirs.body, missing.body) << k.method << " " << k.tail;
    if (k.read) {
      EXPECT_EQ(req(k.method, c + k.tail, "campaign_admin").status, 200) << k.method << " " << k.tail;
      EXPECT_EQ(req(k.method, c + k.tail, "campaign_supervisor").status, 200) << k.method << " " << k.tail;
    }
  }
  // The event stream: 404 for the other group, before any stream is opened.
  auto events = req("GET", c + "/events", "admin2");
  EXPECT_EQ(events.status, 404);
  EXPECT_EQ(events.error_code(), "not_found");
  // Nothing the other group sent changed anything.
  auto mine = get(c, "campaign_admin").json();
  EXPECT_EQ(mine.at("description"), "");
  EXPECT_EQ(mine.at("freeAgents"), 0);
  EXPECT_EQ(get(c + "/agents", "campaign_admin").json().at("agents").as_array().size(), 0u);
  EXPECT_EQ(mine.at("state"), "STOPPED");
  EXPECT_EQ(get(c + "/leads/" + lead, "campaign_admin").json().at("name"), "Ann");
  EXPECT_EQ(get(c + "/leads", "campaign_admin").json().at("total"), 1);
  EXPECT_EQ(get(c + "/webhooks", "campaign_admin").json().at("webhooks").as_array().size(), 0u);
  fake.stream->close();
  server->set_runner(nullptr);
}

TEST_F(Api, AnotherGroupsDoNotCallListsAndServicesAreNotFound) {
  // g1's list and service: g2's admin gets the 404 of a list that does not exist on every
  // route, changes nothing (a number g2 "removes" stays listed, so g1's campaigns still skip
  // it), cannot point a g2 campaign at them (422), and does not see them in the listings or
  // through the integrated service.
  auto l = post("/api/v1/dnc/lists", "campaign_admin", R"({"name":"g1-only"})");
  ASSERT_EQ(l.status, 201) << l.body;
  EXPECT_EQ(l.json().at("groupId"), g1);  // an admin of one group: that group by default
  const auto lid = std::to_string(l.json().at("id").as_int64());
  ASSERT_EQ(req("PUT", "/api/v1/dnc/lists/" + lid + "/numbers/2015551111", "campaign_admin").status, 200);
  const auto svc = post("/api/v1/dnc/services", "campaign_admin", R"({"name":"g1-svc","url":"http://127.0.0.1:9/donotcall"})");
  ASSERT_EQ(svc.status, 201) << svc.body;
  const auto sid = std::to_string(svc.json().at("id").as_int64());

  struct Case { std::string method, tail, body, type; };
  const std::vector<Case> list_cases = {
      {"GET", "/numbers/2015551111", "", "application/json"},
      {"PUT", "/numbers/2015552222", "", "application/json"},
      {"DELETE", "/numbers/2015551111", "", "application/json"},
      {"POST", "/numbers", "2015553333\n", "text/csv"},
  };
  for (const auto& k : list_cases) {
    const auto theirs = req(k.method, "/api/v1/dnc/lists/" + lid + k.tail, "admin2", k.body, k.type);
    const auto missing = req(k.method, "/api/v1/dnc/lists/999999" + k.tail, "admin2", k.body, k.type);
    EXPECT_EQ(theirs.status, 404) << k.method << " " << k.tail << ": " << theirs.body;
    EXPECT_EQ(theirs.body, missing.body) << k.method << " " << k.tail;
  }
  const auto check = req("POST", "/api/v1/dnc/services/" + sid + "/check", "admin2", R"({"number":"2015551111"})");
  EXPECT_EQ(check.status, 404) << check.body;
  EXPECT_EQ(check.body, req("POST", "/api/v1/dnc/services/999999/check", "admin2", R"({"number":"2015551111"})").body);
  // Nothing changed: g1's supervisor still sees the number listed, and only that one.
  auto listed = [&](const std::string& n) {
    return get("/api/v1/dnc/lists/" + lid + "/numbers/" + n, "campaign_supervisor").json().at("doNotCall").as_bool();
  };
  EXPECT_TRUE(listed("2015551111"));
  EXPECT_FALSE(listed("2015552222"));
  EXPECT_FALSE(listed("2015553333"));
  // Listings and the integrated service show g2 nothing of g1's.
  for (const auto& [path, key] : {std::pair{"/api/v1/dnc/lists", "lists"}, std::pair{"/api/v1/dnc/services", "services"}}) {
    const auto theirs = get(path, "admin2").json(), ours = get(path, "campaign_supervisor").json();
    for (const auto& item : theirs.at(key).as_array())
      EXPECT_NE(item.at("groupId"), g1) << path << ": " << json::serialize(item);
    bool mine = false;
    for (const auto& item : ours.at(key).as_array()) mine = mine || item.at("groupId") == g1;
    EXPECT_TRUE(mine) << path;
  }
  EXPECT_EQ(post("/donotcall", "admin2", R"({"number":"2015551111"})").json().at("doNotCall"), false);
  EXPECT_EQ(post("/donotcall", "campaign_supervisor", R"({"number":"2015551111"})").json().at("doNotCall"), true);
  // A g2 campaign cannot use g1's list or service: created or patched, 422 on the field.
  auto body = campaign_body("g2-uses-g1-list", g2);
  body["dncListId"] = std::stoll(lid);
  auto bad = post("/api/v1/campaigns", "admin2", json::serialize(body));
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.error_field(), "dncListId");
  body.erase("dncListId");
  body["dncServiceId"] = std::stoll(sid);
  bad = post("/api/v1/campaigns", "admin2", json::serialize(body));
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.error_field(), "dncServiceId");
  const auto theirs = std::to_string(make_campaign("g2-own", g2, "admin2"));
  bad = patch("/api/v1/campaigns/" + theirs, "admin2", R"({"dncListId":)" + lid + "}");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.error_field(), "dncListId");
  // g1's own campaign may use it.
  EXPECT_EQ(patch("/api/v1/campaigns/" + std::to_string(make_campaign("g1-own")), "campaign_admin",
                  R"({"dncListId":)" + lid + "}").status, 200);
  // An admin names only their own groups.
  EXPECT_EQ(post("/api/v1/dnc/lists", "admin2", R"({"name":"x","groupId":)" + std::to_string(g1) + "}").status, 403);
  // Names are per group: g2 may have a list of the same name (and learns nothing from it).
  EXPECT_EQ(post("/api/v1/dnc/lists", "admin2", R"({"name":"g1-only"})").status, 201);
}

TEST_F(Api, GlobalDoNotCallListsAreChangedOnlyByMasters) {
  auto g = post("/api/v1/dnc/lists", "master", R"({"name":"national"})");
  ASSERT_EQ(g.status, 201) << g.body;
  EXPECT_TRUE(g.json().at("groupId").is_null());
  const auto id = std::to_string(g.json().at("id").as_int64());
  EXPECT_EQ(req("PUT", "/api/v1/dnc/lists/" + id + "/numbers/2015554444", "master").status, 200);
  // Every group reads it and may use it; no campaign admin changes it.
  EXPECT_EQ(get("/api/v1/dnc/lists/" + id + "/numbers/2015554444", "campaign_supervisor").json().at("doNotCall"), true);
  EXPECT_EQ(req("DELETE", "/api/v1/dnc/lists/" + id + "/numbers/2015554444", "admin2").status, 403);
  EXPECT_EQ(req("DELETE", "/api/v1/dnc/lists/" + id + "/numbers/2015554444", "campaign_admin").status, 403);
  EXPECT_EQ(req("POST", "/api/v1/dnc/lists/" + id + "/numbers", "campaign_admin", "2015555555\n", "text/csv").status, 403);
  EXPECT_EQ(get("/api/v1/dnc/lists/" + id + "/numbers/2015554444", "campaign_supervisor").json().at("doNotCall"), true);
  auto body = campaign_body("g2-uses-global", g2);
  body["dncListId"] = std::stoll(id);
  EXPECT_EQ(post("/api/v1/campaigns", "admin2", json::serialize(body)).status, 201);
  // A master manages global ones only, and does not see a group's.
  EXPECT_EQ(post("/api/v1/dnc/lists", "master", R"({"name":"y","groupId":)" + std::to_string(g1) + "}").status, 403);
  auto own = post("/api/v1/dnc/lists", "campaign_admin", R"({"name":"g1-private"})").json().at("id").as_int64();
  EXPECT_EQ(req("PUT", "/api/v1/dnc/lists/" + std::to_string(own) + "/numbers/2015556666", "master").status, 404);
}

TEST_F(Api, AnotherGroupsPromptIsNotFound) {
  // A prompt of g1: g2's admin gets the 404 of a prompt that does not exist, does not see it
  // listed, cannot delete it nor make a g2 campaign play it; g1's admin and supervisor see it.
  auto up = upload_prompt("isolated", "campaign_admin", wav(500));
  ASSERT_EQ(up.status, 201) << up.body;
  const auto id = std::to_string(up.json().at("id").as_int64());
  const std::string p = "/api/v1/prompts/" + id, none = "/api/v1/prompts/999999";
  for (const char* method : {"GET", "DELETE"}) {
    const auto theirs = req(method, p, "admin2"), missing = req(method, none, "admin2");
    EXPECT_EQ(theirs.status, 404) << method << ": " << theirs.body;
    EXPECT_EQ(theirs.body, missing.body) << method;
  }
  EXPECT_EQ(get("/api/v1/prompts", "admin2").json().at("prompts").as_array().size(), 0u);
  EXPECT_EQ(get(p, "campaign_admin").status, 200);
  EXPECT_EQ(get(p, "campaign_supervisor").status, 200);
  // Uploading into g1 as g2's admin is refused; a g2 campaign cannot name g1's prompt.
  EXPECT_EQ(upload_prompt("theirs", "admin2", wav(500), "audio/wav", g1).status, 403);
  const auto theirs = std::to_string(make_campaign("isolated-prompt", g2, "admin2"));
  auto r = patch("/api/v1/campaigns/" + theirs, "admin2", R"({"voicemailPromptId":)" + id + "}");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json().at("error").at("field"), "voicemailPromptId");
}

}  // namespace
