// The trunk back-off alone, on times the test gives: when it opens, how long it stays open,
// the one probe of the half-open state, and what closes it.
#include <gtest/gtest.h>

#include "control/campaign/trunk_backoff.h"

using namespace hark::control;
using namespace std::chrono_literals;

namespace {

const TrunkBackoff::Clock::time_point t0{};

TEST(TrunkFailure, OnlyUnansweredUnrungTrunkErrorsCount) {
  for (int code : {408, 500, 502, 503, 504}) EXPECT_TRUE(is_trunk_failure(code, false, false)) << code;
  for (int code : {0, 404, 480, 486, 487, 603, 501}) EXPECT_FALSE(is_trunk_failure(code, false, false)) << code;
  EXPECT_FALSE(is_trunk_failure(503, false, true));  // it rang: the callee's network answered
  EXPECT_FALSE(is_trunk_failure(503, true, false));
}

TEST(TrunkBackoff, OpensAfterTheThresholdAndAnyOtherEndResetsTheCount) {
  TrunkBackoff b({.threshold = 3, .initial_delay_ms = 2000, .max_delay_ms = 8000});
  b.on_end(true, t0), b.on_end(true, t0);
  b.on_end(false, t0);  // a busy callee: the trunk works
  b.on_end(true, t0), b.on_end(true, t0);
  EXPECT_EQ(b.allowed(10, t0), 10);
  b.on_end(true, t0);
  EXPECT_EQ(b.state(t0), TrunkBackoff::State::open);
  EXPECT_EQ(b.allowed(10, t0 + 1999ms), 0);
  EXPECT_EQ(b.reopens_at(), t0 + 2000ms);
}

TEST(TrunkBackoff, HalfOpenLetsOneProbeWhoseFailureDoublesTheDelay) {
  TrunkBackoff b({.threshold = 1, .initial_delay_ms = 2000, .max_delay_ms = 5000});
  b.on_end(true, t0);
  // Calls placed before it opened keep failing: they do not push the reopening back.
  b.on_end(true, t0 + 1s);
  EXPECT_EQ(b.reopens_at(), t0 + 2s);
  const auto t1 = t0 + 2s;
  EXPECT_EQ(b.state(t1), TrunkBackoff::State::half_open);
  EXPECT_EQ(b.allowed(10, t1), 1);
  b.on_dial();
  EXPECT_EQ(b.allowed(10, t1), 0);  // one probe at a time
  b.on_end(true, t1 + 100ms);       // the probe failed
  EXPECT_EQ(b.state(t1 + 100ms), TrunkBackoff::State::open);
  EXPECT_EQ(b.reopens_at(), t1 + 100ms + 4s);
  const auto t2 = b.reopens_at();
  b.on_dial();
  b.on_end(true, t2);
  EXPECT_EQ(b.reopens_at(), t2 + 5s);  // capped
}

TEST(TrunkBackoff, AProbeThatReachesTheCalleeClosesItAndResetsTheDelay) {
  TrunkBackoff b({.threshold = 1, .initial_delay_ms = 1000, .max_delay_ms = 8000});
  b.on_end(true, t0);
  b.on_dial();
  b.on_end(true, t0 + 1s);  // the probe failed: 2 s now
  const auto t1 = t0 + 3s;
  EXPECT_EQ(b.allowed(5, t1), 1);
  b.on_dial();
  EXPECT_FALSE(b.on_end(false, t1));  // it rang and was not answered: the trunk is up
  EXPECT_EQ(b.state(t1), TrunkBackoff::State::closed);
  EXPECT_EQ(b.allowed(5, t1), 5);
  b.on_end(true, t1);
  EXPECT_EQ(b.reopens_at(), t1 + 1s);  // the first delay again
}

}  // namespace
