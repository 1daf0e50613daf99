// The campaign's agent board (agent_board.h) and the abandoned-call rules (abandon_rules.h):
// pure units, no clock, no store.
#include "control/campaign/agent_board.h"

#include <gtest/gtest.h>

#include "control/campaign/abandon_rules.h"
#include "control/campaign/campaign_settings.h"
#include "control/campaign/json_fields.h"

using namespace hark::control;

namespace {
AgentRow agent(std::string id, std::string state, std::string ext = {}) {
  AgentRow a;
  a.id = std::move(id);
  a.state = std::move(state);
  a.extension = std::move(ext);
  return a;
}
}  // namespace

TEST(AgentBoard, AggregateFreeAgentsCountPeopleBeingHandedOver) {
  AgentBoard b;
  b.update({}, 2, "9000", 0);
  EXPECT_FALSE(b.per_agent());
  EXPECT_EQ(b.ready(), 2);
  EXPECT_EQ(b.take(1), "9000");
  EXPECT_EQ(b.take(1), "");  // one agent per call
  EXPECT_EQ(b.take(2), "9000");
  EXPECT_EQ(b.ready(), 0);
  EXPECT_EQ(b.take(3), "");  // both free agents are taken: this person is abandoned
  // Ends: the contact center's own count takes over again.
  b.on_call_end(1, true);
  EXPECT_EQ(b.ready(), 1);
  EXPECT_EQ(b.take(3), "9000");
}

TEST(AgentBoard, PerAgentStatesRuleAndAHandedOverAgentIsHeldUntilReportedAgain) {
  AgentBoard b;
  b.update({agent("a1", "ready", "1001"), agent("a2", "paused"), agent("a3", "ready")}, 10, "9000", 0);
  EXPECT_TRUE(b.per_agent());
  EXPECT_EQ(b.ready(), 2);  // freeAgents (10) is not used once agents report
  EXPECT_EQ(b.busy(), 0);
  EXPECT_EQ(b.take(7), "1001");  // the agent's extension
  EXPECT_EQ(b.take(8), "9000");  // no extension: the pilot
  EXPECT_EQ(b.take(9), "");      // a2 is paused
  EXPECT_EQ(b.ready(), 0);
  EXPECT_EQ(b.busy(), 2);
  // The holds go to the store; the store shows them held (talking).
  const auto w = b.drain_writes();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].agent_id, "a1");
  EXPECT_EQ(w[0].attempt_id, 7);
  EXPECT_TRUE(w[0].hold);
  auto a1 = agent("a1", "talking", "1001");
  a1.held_attempt = 7;
  auto a3 = agent("a3", "talking");
  a3.held_attempt = 8;
  b.update({a1, agent("a2", "paused"), a3}, 10, "9000", 5);
  // The transferred call ends: the agent stays held until the contact center reports it.
  b.on_call_end(7, true);
  EXPECT_EQ(b.ready(), 0);
  // The call to a3 never reached it (the transfer failed): a3 is ready again, and released.
  b.on_call_end(8, false);
  EXPECT_EQ(b.ready(), 1);
  const auto r = b.drain_writes();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].hold);
  EXPECT_EQ(r[0].agent_id, "a3");
  // a1 reported ready 125 s after hark gave it the call: one handling time.
  b.update({agent("a1", "ready", "1001"), agent("a2", "paused"), agent("a3", "ready")}, 10, "9000", 130);
  EXPECT_EQ(b.ready(), 2);
  const auto h = b.drain_handled();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_DOUBLE_EQ(h[0], 130);
}

TEST(AgentBoard, AHoldTakenAfterTheWritesSurvivesTheNextRead) {
  AgentBoard b;
  b.update({agent("a1", "ready")}, 0, "9000", 0);
  (void)b.drain_writes();
  EXPECT_EQ(b.take(4), "9000");  // on the SIP thread, after this tick's writes
  b.update({agent("a1", "ready")}, 0, "9000", 1);  // the store has not seen it yet
  EXPECT_EQ(b.ready(), 0);
  EXPECT_EQ(b.take(5), "");
  EXPECT_EQ(b.drain_writes().size(), 1u);
}

TEST(AbandonRules, RatesPerWindowAndTheRecentRateNeedsEnoughPeople) {
  AbandonCounts c{1000, 20, 100, 4, 10, 5};
  auto r = abandon_rates(c);
  EXPECT_DOUBLE_EQ(r.days30, 0.02);
  EXPECT_DOUBLE_EQ(r.hours24, 0.04);
  EXPECT_DOUBLE_EQ(r.worst(), 0.04);
  EXPECT_DOUBLE_EQ(r.recent, 0);  // 10 people in 15 minutes say nothing
  c.people_15m = 50;
  EXPECT_DOUBLE_EQ(abandon_rates(c).recent, 0.1);
  EXPECT_DOUBLE_EQ(abandon_rates(AbandonCounts{}).worst(), 0);
}

TEST(AbandonRules, AnAbandonedNumberRests72HoursUnlessAnAgentIsGuaranteed) {
  EXPECT_EQ(abandoned_retry_minutes(60, false), 72 * 60);
  EXPECT_EQ(abandoned_retry_minutes(5000, false), 5000);
  EXPECT_EQ(abandoned_retry_minutes(60, true), 60);
  EXPECT_TRUE(retryable_status("ABANDONED"));
}

TEST(PacingSettings, ModesCapsAndPromptsAreCheckedAndShown) {
  CampaignSettings s;
  s.apply_pacing(boost::json::parse(R"({"dialingMode":"predictive","powerLines":2.5,"abandonCap":0.02,
      "countAmdFalsePositives":true,"guaranteedAgent":true,"identificationPrompt":7})").as_object());
  EXPECT_EQ(s.dialing_mode, "predictive");
  EXPECT_DOUBLE_EQ(s.power_lines, 2.5);
  EXPECT_DOUBLE_EQ(s.abandon_cap, 0.02);
  EXPECT_TRUE(s.count_amd_false_positives);
  EXPECT_TRUE(s.guaranteed_agent);
  EXPECT_EQ(s.identification_prompt_id, 7);
  const auto j = s.to_json();
  EXPECT_EQ(j.at("dialingMode").as_string(), "predictive");
  EXPECT_EQ(j.at("identificationPrompt").as_int64(), 7);
  auto refused = [&](const char* body, const char* field) {
    try {
      s.apply_pacing(boost::json::parse(body).as_object());
    } catch (const ValidationError& e) {
      return e.field == field;
    }
    return false;
  };
  EXPECT_TRUE(refused(R"({"dialingMode":"agressive"})", "dialingMode"));
  EXPECT_TRUE(refused(R"({"abandonCap":0.5})", "abandonCap"));
  EXPECT_TRUE(refused(R"({"powerLines":0})", "powerLines"));
  EXPECT_TRUE(refused(R"({"powerLines":"2"})", "powerLines"));
  s.apply_pacing(boost::json::parse(R"({"identificationPrompt":null})").as_object());
  EXPECT_FALSE(s.identification_prompt_id);
}
