// The campaign runner's side of webhooks (issue 16 part 4), against the in-memory store of
// runner_harness.h: each call event that is a webhook event is queued in the store, in order,
// with the call's attempt and campaign; `ended` travels with the attempt's end (one
// transaction in PostgreSQL); while the store is down the events wait and are queued once it
// is back; other events (dialing, ringing) queue nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "runner_harness.h"

using namespace hark;
using namespace hark::test;
namespace json = boost::json;

namespace {

signaling::CallEvent event(uint64_t tag, signaling::CallState state) {
  signaling::CallEvent e;
  e.tag = tag;
  e.state = state;
  return e;
}

TEST(RunnerWebhooks, CallEventsAreQueuedInOrderAndTheEndWithTheAttempt) {
  RunnerHarness h;
  auto& c = h.campaign();
  h.schedule(c.id, kDay);
  h.lead(c.id, "2015550100");
  h.tick();
  ASSERT_EQ(h.dialed.size(), 1u);
  const auto tag = h.dialed[0].tag;
  h.runner->on_call_event(event(tag, signaling::CallState::ringing));
  auto answered = event(tag, signaling::CallState::answered);
  answered.sip_code = 200;
  h.runner->on_call_event(answered);
  auto verdict = event(tag, signaling::CallState::verdict);
  verdict.has_verdict = true;
  verdict.verdict = amd::Verdict::human;
  verdict.amd_ms = 1800;
  h.runner->on_call_event(verdict);
  h.runner->on_call_event(event(tag, signaling::CallState::transferring));
  h.end(tag, signaling::LeadStatus::success, true, 200);
  h.tick();

  ASSERT_EQ(h.d->webhooks.size(), 3u);
  const std::vector<std::string> order = {"answered", "verdict", "transferred"};
  for (size_t i = 0; i < 3; ++i) {
    const auto& w = h.d->webhooks[i];
    EXPECT_EQ(w.event, order[i]);
    EXPECT_EQ(w.attempt_id, (long long)tag);
    EXPECT_EQ(w.campaign_id, c.id);
    const auto body = json::parse(w.json).as_object();
    EXPECT_EQ(body.at("event").as_string(), order[i]);
    EXPECT_EQ(body.at("attemptId").as_int64(), (long long)tag);
    EXPECT_EQ(body.at("number"), "2015550100");
  }
  EXPECT_EQ(json::parse(h.d->webhooks[1].json).at("amd").at("verdict"), "human");
  // The end's event is written with the end, not queued on its own.
  const auto& end = h.d->attempt((long long)tag).end;
  EXPECT_EQ(end.campaign_id, c.id);
  ASSERT_FALSE(end.webhook_body.empty());
  const auto ended = json::parse(end.webhook_body).as_object();
  EXPECT_EQ(ended.at("event"), "ended");
  EXPECT_EQ(ended.at("result"), "SUCCESS");
  EXPECT_EQ(ended.at("answered"), true);
}

TEST(RunnerWebhooks, EventsWaitWhileTheStoreIsDown) {
  RunnerHarness h;
  auto& c = h.campaign();
  h.schedule(c.id, kDay);
  h.lead(c.id, "1");
  h.tick();
  ASSERT_EQ(h.dialed.size(), 1u);
  const auto tag = h.dialed[0].tag;
  h.d->down = true;
  h.runner->on_call_event(event(tag, signaling::CallState::answered));
  h.end(tag, signaling::LeadStatus::unknown, true);
  h.tick();
  EXPECT_TRUE(h.d->webhooks.empty());
  EXPECT_EQ(h.d->attempt((long long)tag).state, "DIALING");
  h.d->down = false;
  h.tick();
  ASSERT_EQ(h.d->webhooks.size(), 1u);
  EXPECT_EQ(h.d->webhooks[0].event, "answered");
  EXPECT_EQ(json::parse(h.d->attempt((long long)tag).end.webhook_body).at("event"), "ended");
}

}  // namespace
