// Group isolation on every /campaigns/{id}/... route: another group's campaign is a 404, the
// same 404 as a campaign that does not exist, and nothing it sends changes anything.
#include <gtest/gtest.h>

#include "control/api_fixture.h"

using namespace hark;
using test::Api;
using test::FakeRunner;

namespace {

TEST_F(Api, AnotherGroupsCampaignIsNotFoundOnEveryCampaignRoute) {
  // A campaign of g1 with a lead and a call: g2's admin gets the very 404 a campaign that does
  // not exist gets, on every /campaigns/{id}/... route (leads, calls, live, summary, ...), and
  // nothing changes; g1's own admin and supervisor see it (so the 404 is the group check).
  FakeRunner fake;
  server->set_runner(&fake);
  const auto id = std::to_string(make_campaign("isolated"));
  ASSERT_EQ(req("POST", "/api/v1/campaigns/" + id + "/leads", "campaign_admin", "Ann,5550100\n", "text/csv").status, 200);
  const auto lead = std::to_string(db->exec("SELECT id FROM leads WHERE campaign_id = " + id)[0][0].as<long long>());
  db->exec("INSERT INTO call_attempts (campaign_id, lead_id, number, state, result) VALUES (" + id + ", " + lead +
           ", '5550100', 'DONE', 'BUSY')");
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
      {"PATCH", "", R"({"description":"taken"})", "application/json", false},
      {"PATCH", "/leads/" + lead, R"({"name":"taken"})", "application/json", false},
      {"POST", "/leads", "Eve,5550199\n", "text/csv", false},
      {"PUT", "/agents", R"({"freeAgents":7})", "application/json", false},
      {"PATCH", "/schedules", R"({"startTime":"09:00"})", "application/json", false},
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
  EXPECT_EQ(mine.at("state"), "STOPPED");
  EXPECT_EQ(get(c + "/leads/" + lead, "campaign_admin").json().at("name"), "Ann");
  EXPECT_EQ(get(c + "/leads", "campaign_admin").json().at("total"), 1);
  fake.stream->close();
  server->set_runner(nullptr);
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
