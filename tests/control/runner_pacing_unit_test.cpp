// The runner's dialing modes (issue 18) against the in-memory store: power and predictive dial
// ahead of the agents reported ready, a person takes a reported agent through the campaign's
// AgentBoard (held in the store until reported again), one with no agent free ends ABANDONED
// and rests 72 h (in retry minutes, shortened here) unless the campaign guarantees an agent;
// progressive on the aggregate freeAgents dials as before.
#include <gtest/gtest.h>

#include "runner_harness.h"

using namespace hark;
using namespace hark::test;
using signaling::LeadStatus;
using signaling::Reaction;

namespace {

control::AgentRow ready_agent(std::string id, std::string ext) {
  control::AgentRow a;
  a.id = std::move(id);
  a.state = "ready";
  a.extension = std::move(ext);
  return a;
}

/// A campaign paced on agents (no fixed channels) with `n` leads, running today.
sql::CampaignRecord& paced(RunnerHarness& h, const std::string& mode, int n) {
  auto& c = h.campaign();
  c.fixed_channels.reset();
  c.dialing_mode = mode;
  c.max_concurrent = 100;
  h.schedule(c.id, kDay);
  for (int i = 0; i < n; ++i) h.lead(c.id, "555" + std::to_string(1000 + i));
  return c;
}

control::RunnerOptions one_second_minutes() {
  control::RunnerOptions o;
  o.retry_unit_ms = 1000;  // a retry "minute" lasts one second: 72 h are 4320 s
  return o;
}

}  // namespace

TEST(RunnerPacing, PowerDialsItsLinesPerReadyAgent) {
  RunnerHarness h;
  auto& c = paced(h, "power", 40);
  c.power_lines = 3;
  h.d->agents[c.id] = {ready_agent("a1", "1001"), ready_agent("a2", "1002")};
  h.tick();  // schedules move
  h.tick();
  EXPECT_EQ(h.take_dialed().size(), 6u);  // 3 lines x 2 ready agents
  h.tick();
  EXPECT_TRUE(h.take_dialed().empty());   // the lines are out
}

TEST(RunnerPacing, APersonTakesAReportedAgentOrIsAbandoned) {
  RunnerHarness h(one_second_minutes());
  auto& c = paced(h, "power", 60);
  c.power_lines = 3;
  const auto id = c.id;
  h.d->agents[id] = {ready_agent("a1", "1001"), ready_agent("a2", "1002")};
  auto paused = ready_agent("b1", "");
  paused.state = "paused";
  h.d->agents[id].push_back(paused);
  h.tick();
  h.tick();
  ASSERT_EQ(h.dialed.size(), 6u);
  const auto calls = h.dialed;
  h.take_dialed();
  // Every call sends its person through the campaign's gate, with the TSR's wait.
  const auto& person = calls[0].plan.person;
  ASSERT_EQ(person.kind, Reaction::Kind::to_agent);
  ASSERT_TRUE(person.gate);
  // 2 s after the greeting, less the silence after it the AMD waits for to say "person".
  EXPECT_EQ(person.hold_ms, 2000 - amd::Params::hark_defaults().after_greeting_silence_ms);
  // Three people answer: two agents, two transfers; the third finds nobody.
  EXPECT_EQ(person.gate->take(calls[0].tag), "1001");
  EXPECT_EQ(person.gate->take(calls[1].tag), "1002");
  EXPECT_EQ(person.gate->take(calls[2].tag), "");
  h.end(calls[0].tag, LeadStatus::success, true);
  h.end(calls[2].tag, LeadStatus::abandoned, true);
  h.tick();
  // The holds are in the store: both agents talking, held by their calls, until reported again.
  ASSERT_EQ(h.d->hold_writes.size(), 2u);
  for (const auto& a : h.d->agents[id]) {
    if (a.id[0] != 'a') continue;
    EXPECT_EQ(a.state, "talking");
    EXPECT_TRUE(a.held_attempt);
  }
  EXPECT_EQ(person.gate->take(999), "");  // nobody ready
  // The abandoned lead rests 72 h (4320 retry minutes), the live figures count it.
  const auto& abandoned = h.d->attempt(long(calls[2].tag));
  EXPECT_EQ(abandoned.result, "ABANDONED");
  const auto& lead = h.d->lead(abandoned.lead_id);
  EXPECT_EQ(lead.status, "ABANDONED");
  EXPECT_FALSE(lead.done);
  ASSERT_TRUE(lead.next_us);
  EXPECT_EQ(*lead.next_us - h.d->now_us, 4320LL * 1'000'000);
  EXPECT_EQ(h.runner->live(id).at("abandoned").as_uint64(), 1u);
  // The second call's transfer failed: its agent is ready again.
  h.end(calls[1].tag, LeadStatus::unknown, true);
  h.tick();
  EXPECT_EQ(person.gate->take(1000), "1002");
}

TEST(RunnerPacing, PredictiveDialsAheadOfTheReadyAgents) {
  RunnerHarness h;
  auto& c = paced(h, "predictive", 200);
  for (int i = 0; i < 20; ++i) h.d->agents[c.id].push_back(ready_agent(std::to_string(100 + i), ""));
  h.tick();
  h.tick();
  // One call in three or so reaches a person at first: more calls than agents, fewer than 3x.
  EXPECT_GT(h.dialed.size(), 20u);
  EXPECT_LT(h.dialed.size(), 60u);
}

TEST(RunnerPacing, AGuaranteedAgentLetsAnAbandonedNumberBeCalledAtItsUsualRetryTime) {
  RunnerHarness h(one_second_minutes());
  auto& c = paced(h, "power", 5);
  c.guaranteed_agent = true;
  h.d->agents[c.id] = {ready_agent("a1", "1001")};
  h.tick();
  h.tick();
  ASSERT_FALSE(h.dialed.empty());
  const auto tag = h.dialed[0].tag;
  h.end(tag, LeadStatus::abandoned, true);
  h.tick();
  const auto& lead = h.d->lead(h.d->attempt(long(tag)).lead_id);
  ASSERT_TRUE(lead.next_us);
  EXPECT_EQ(*lead.next_us - h.d->now_us, 60LL * 1'000'000);  // retryMinutes, not 72 h
}

TEST(RunnerPacing, AnAbandonRateAtTheCapTurnsPowerIntoProgressive) {
  RunnerHarness h;
  auto& c = paced(h, "power", 40);
  c.power_lines = 3;
  h.d->abandon = {1000, 30, 100, 3, 0, 0};  // 3 % over 30 days: at the cap
  h.d->agents[c.id] = {ready_agent("a1", "1001"), ready_agent("a2", "1002")};
  h.tick();
  h.tick();
  EXPECT_EQ(h.take_dialed().size(), 2u);
  EXPECT_NE(h.metrics.render().find("hark_abandon_rate{campaign=\"" + std::to_string(c.id) + "\",window=\"30d\"} 0.03"),
            std::string::npos);
}

TEST(RunnerPacing, ProgressiveOnFreeAgentsDialsAsBeforeWithAPlainTransfer) {
  RunnerHarness h;
  auto& c = paced(h, "progressive", 10);
  c.free_agents = 3;
  h.tick();
  h.tick();
  ASSERT_EQ(h.dialed.size(), 3u);
  EXPECT_EQ(h.dialed[0].plan.person.kind, Reaction::Kind::transfer);
  EXPECT_EQ(h.dialed[0].plan.person.target, "5000");
}

TEST(RunnerPacing, PreviewDialsOnlyTheAcceptedLeadForItsAgent) {
  RunnerHarness h;
  auto& c = paced(h, "preview", 10);
  h.d->agents[c.id] = {ready_agent("a1", "1001"), ready_agent("a2", "")};
  h.tick();
  h.tick();
  EXPECT_TRUE(h.dialed.empty());  // nothing by itself
  auto& accepted = h.d->leads[3];
  accepted.preview_accepted = true, accepted.preview_agent = "a1";
  auto& other = h.d->leads[5];
  other.preview_accepted = true, other.preview_agent = "a2";  // no extension: the pilot
  h.tick();
  ASSERT_EQ(h.dialed.size(), 2u);
  EXPECT_EQ(h.dialed[0].number, accepted.phone);
  EXPECT_EQ(h.dialed[0].plan.person.kind, Reaction::Kind::transfer);  // the agent waits: never abandoned
  EXPECT_EQ(h.dialed[0].plan.person.target, "1001");
  EXPECT_EQ(h.dialed[1].plan.person.target, "5000");
  h.take_dialed();
  h.tick();
  EXPECT_TRUE(h.dialed.empty());
}
