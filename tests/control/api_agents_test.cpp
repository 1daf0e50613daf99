// Agent states and the pacing settings over the REST API, on real PostgreSQL (issue 18): each
// agent's report, hark's hold on an agent ended by the next report, the dialing mode settings,
// and the abandon rates in the summary from the call log (AMD false positives by setting).
#include <gtest/gtest.h>

#include "api_fixture.h"

using namespace hark;
namespace json = boost::json;
using test::Api;

namespace {
std::string at(long long id, const std::string& rest) { return "/api/v1/campaigns/" + std::to_string(id) + rest; }
}  // namespace

TEST_F(Api, AgentsReportTheirStatesAndAReportEndsHarksHold) {
  const auto id = make_campaign("agents");
  auto r = get(at(id, "/agents"), "campaign_supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("counting"), "freeAgents");  // nobody reported: the aggregate rules
  EXPECT_EQ(r.json().at("agents").as_array().size(), 0u);

  r = req("PUT", at(id, "/agents/a1"), "campaign_admin", R"({"state":"ready","extension":"1001"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("state"), "ready");
  EXPECT_EQ(r.json().at("extension"), "1001");
  EXPECT_EQ(req("PUT", at(id, "/agents/a2"), "campaign_admin", R"({"state":"wrapup"})").status, 200);
  EXPECT_EQ(req("PUT", at(id, "/agents/a3"), "campaign_admin", R"({"state":"lunch"})").status, 422);
  EXPECT_EQ(req("PUT", at(id, "/agents/a3"), "campaign_admin", R"({"state":"ready","skill":1})").status, 422);
  EXPECT_EQ(req("PUT", at(id, "/agents/a3"), "campaign_supervisor", R"({"state":"ready"})").status, 403);
  EXPECT_EQ(req("PUT", at(999999, "/agents/a3"), "campaign_admin", R"({"state":"ready"})").status, 404);
  r = get(at(id, "/agents"), "campaign_supervisor");
  EXPECT_EQ(r.json().at("counting"), "perAgent");
  EXPECT_EQ(r.json().at("ready"), 1);
  EXPECT_EQ(r.json().at("agents").as_array().size(), 2u);

  // The runner handed a call to a1 (agent_hold): talking, held, not ready.
  db->exec("UPDATE campaign_agents SET state = 'talking', held_attempt = 42 WHERE agent_id = 'a1' AND campaign_id = " +
           std::to_string(id));
  r = get(at(id, "/agents"), "campaign_admin");
  EXPECT_EQ(r.json().at("ready"), 0);
  EXPECT_EQ(r.json().at("agents").as_array()[0].at("heldByAttempt"), 42);
  // The contact center reports a1 again: the hold is over, the extension kept.
  r = req("PUT", at(id, "/agents/a1"), "campaign_admin", R"({"state":"ready"})");
  EXPECT_TRUE(r.json().at("heldByAttempt").is_null());
  EXPECT_EQ(r.json().at("extension"), "1001");
  EXPECT_EQ(get(at(id, "/agents"), "campaign_admin").json().at("ready"), 1);
  // The aggregate endpoint still works beside it.
  EXPECT_EQ(req("PUT", at(id, "/agents"), "campaign_admin", R"({"freeAgents":4})").status, 200);
  EXPECT_EQ(get(at(id, "/agents"), "campaign_admin").json().at("freeAgents"), 4);
}

TEST_F(Api, PacingSettingsAndTheIdentificationPromptOfTheGroup) {
  const auto id = make_campaign("pacing-settings");
  auto up = upload_prompt("ident", "campaign_admin", wav(500));
  ASSERT_EQ(up.status, 201) << up.body;
  const auto prompt = up.json().at("id").as_int64();
  auto r = patch(at(id, ""), "campaign_admin",
                 R"({"dialingMode":"predictive","abandonCap":0.02,"powerLines":3,"countAmdFalsePositives":true,)"
                 R"("guaranteedAgent":false,"identificationPrompt":)" + std::to_string(prompt) + "}");
  ASSERT_EQ(r.status, 200) << r.body;
  r = get(at(id, ""), "campaign_supervisor");
  EXPECT_EQ(r.json().at("dialingMode"), "predictive");
  EXPECT_DOUBLE_EQ(r.json().at("abandonCap").to_number<double>(), 0.02);
  EXPECT_DOUBLE_EQ(r.json().at("powerLines").to_number<double>(), 3);
  EXPECT_EQ(r.json().at("countAmdFalsePositives"), true);
  EXPECT_EQ(r.json().at("identificationPrompt"), prompt);
  EXPECT_EQ(patch(at(id, ""), "campaign_admin", R"({"identificationPrompt":999999})").status, 422);
  EXPECT_EQ(patch(at(id, ""), "campaign_admin", R"({"dialingMode":"turbo"})").status, 422);
  EXPECT_EQ(patch(at(id, ""), "campaign_admin", R"({"abandonCap":0.2})").status, 422);
  // The API's upper bound is stored too (a real 0.1 is a little above the numeric 0.1).
  r = patch(at(id, ""), "campaign_admin", R"({"abandonCap":0.1})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NEAR(get(at(id, ""), "campaign_supervisor").json().at("abandonCap").to_number<double>(), 0.1, 1e-6);
}

TEST_F(Api, TheSummaryShowsTheAbandonRatesFromTheCallLog) {
  const auto id = make_campaign("abandon-rates");
  const auto c = std::to_string(id);
  const auto lead = post(at(id, "/leads.json"), "campaign_admin", R"({"phone":"5550100"})").json().at("id").as_int64();
  auto attempt = [&](const std::string& result, const std::string& verdict, const std::string& label, const std::string& ago) {
    db->exec("INSERT INTO call_attempts (campaign_id, lead_id, number, state, dialed_at, answered_at, result, amd_verdict, "
             "qa_label) VALUES (" + c + ", " + std::to_string(lead) + ", '5550100', 'DONE', now() - interval '" + ago +
             "', now() - interval '" + ago + "', '" + result + "', " + (verdict.empty() ? "NULL" : "'" + verdict + "'") +
             ", " + (label.empty() ? "NULL" : "'" + label + "'") + ")");
  };
  attempt("SUCCESS", "human", "", "1 hour");
  attempt("SUCCESS", "human", "", "1 hour");
  attempt("ABANDONED", "human", "", "1 hour");
  attempt("SUCCESS", "human", "", "3 days");
  attempt("ABANDONED", "human", "", "40 days");  // outside both windows
  attempt("AMD", "machine", "human", "2 hours");  // a false positive QA found
  attempt("AMD", "machine", "", "2 hours");       // a machine: no person
  auto s = get(at(id, "/summary"), "campaign_supervisor").json().at("abandoned");
  EXPECT_EQ(s.at("people30d"), 4);
  EXPECT_EQ(s.at("abandoned30d"), 1);
  EXPECT_DOUBLE_EQ(s.at("rate30d").to_number<double>(), 0.25);
  EXPECT_EQ(s.at("people24h"), 3);
  EXPECT_DOUBLE_EQ(s.at("rate24h").to_number<double>(), 1.0 / 3);
  // Ofcom: the AMD's false positives count as abandoned people.
  ASSERT_EQ(patch(at(id, ""), "campaign_admin", R"({"countAmdFalsePositives":true})").status, 200);
  s = get(at(id, "/summary"), "campaign_supervisor").json().at("abandoned");
  EXPECT_EQ(s.at("people30d"), 5);
  EXPECT_EQ(s.at("abandoned30d"), 2);
  EXPECT_DOUBLE_EQ(s.at("rate24h").to_number<double>(), 0.5);
}

TEST_F(Api, PreviewReservesALeadForAnAgentWhoAcceptsOrSkipsIt) {
  const auto id = make_campaign("preview");
  const auto l1 = post(at(id, "/leads.json"), "campaign_admin", R"({"phone":"5550201"})").json().at("id").as_int64();
  const auto l2 = post(at(id, "/leads.json"), "campaign_admin", R"({"phone":"5550202"})").json().at("id").as_int64();
  EXPECT_EQ(post(at(id, "/preview/next"), "campaign_admin", R"({"agentId":"a1"})").status, 409);  // not preview
  ASSERT_EQ(patch(at(id, ""), "campaign_admin", R"({"dialingMode":"preview"})").status, 200);
  auto r = post(at(id, "/preview/next"), "campaign_admin", R"({"agentId":"a1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("id"), l1);
  EXPECT_EQ(post(at(id, "/preview/next"), "campaign_admin", R"({"agentId":"a1"})").json().at("id"), l1);  // still its own
  EXPECT_EQ(post(at(id, "/preview/next"), "campaign_admin", R"({"agentId":"a2"})").json().at("id"), l2);  // l1 is reserved
  EXPECT_EQ(post(at(id, "/preview/next"), "campaign_admin", R"({"agentId":"a3"})").status, 204);  // nothing left
  // Only the agent it is reserved for may accept or skip it.
  EXPECT_EQ(post(at(id, "/preview/" + std::to_string(l1) + "/accept"), "campaign_admin", R"({"agentId":"a2"})").status, 409);
  EXPECT_EQ(post(at(id, "/preview/" + std::to_string(l1) + "/accept"), "campaign_supervisor", R"({"agentId":"a1"})").status, 403);
  r = post(at(id, "/preview/" + std::to_string(l1) + "/accept"), "campaign_admin", R"({"agentId":"a1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(db->exec("SELECT preview_accepted FROM leads WHERE id = " + std::to_string(l1))[0][0].as<bool>(), true);
  // Skipped: not offered again for the retry time.
  EXPECT_EQ(post(at(id, "/preview/" + std::to_string(l2) + "/skip"), "campaign_admin", R"({"agentId":"a2"})").status, 204);
  EXPECT_EQ(post(at(id, "/preview/next"), "campaign_admin", R"({"agentId":"a2"})").status, 204);
  EXPECT_EQ(post(at(id, "/preview/" + std::to_string(l2) + "/skip"), "campaign_admin", R"({"agentId":"a2"})").status, 409);
}
