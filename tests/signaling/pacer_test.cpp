#include "signaling/pacer.h"

#include <gtest/gtest.h>

using hark::signaling::Pacer;
using namespace std::chrono_literals;

namespace {
int take_all(Pacer& p) {
  int n = 0;
  while (p.try_take()) ++n;
  return n;
}
}  // namespace

TEST(Pacer, FirstCallGoesOutAtOnceThenOneTokenPerInterval) {
  const auto t0 = Pacer::Clock::time_point{} + 1h;
  Pacer p(10, t0);
  EXPECT_EQ(take_all(p), 1);
  p.refill(t0 + 50ms);  // half a token
  EXPECT_EQ(take_all(p), 0);
  p.refill(t0 + 100ms);
  EXPECT_EQ(take_all(p), 1);
  p.refill(t0 + 400ms);
  EXPECT_EQ(take_all(p), 3);
}

TEST(Pacer, BurstIsCappedAtOneSecondOfTokens) {
  const auto t0 = Pacer::Clock::time_point{} + 1h;
  Pacer p(50, t0);
  take_all(p);
  p.refill(t0 + 10s);  // idle for a long time: no more than one second's worth
  EXPECT_EQ(take_all(p), 50);
}

TEST(Pacer, SlowRatesStillAllowOneCall) {
  const auto t0 = Pacer::Clock::time_point{} + 1h;
  Pacer p(0.5, t0);  // one call every 2 s; the bucket holds at least one token
  EXPECT_EQ(take_all(p), 1);
  p.refill(t0 + 1s);
  EXPECT_EQ(take_all(p), 0);
  p.refill(t0 + 2s);
  EXPECT_EQ(take_all(p), 1);
  p.refill(t0 + 60s);
  EXPECT_EQ(take_all(p), 1);
}

TEST(Pacer, ManySmallRefillsAddUpLikeOneLarge) {
  const auto t0 = Pacer::Clock::time_point{} + 1h;
  Pacer p(100, t0);
  take_all(p);
  int taken = 0;
  for (int i = 1; i <= 100; ++i) {  // 20 ms ticks for 2 s: 200 calls at 100/s
    p.refill(t0 + i * 20ms);
    taken += take_all(p);
  }
  EXPECT_EQ(taken, 200);
}
