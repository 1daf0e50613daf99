// The login throttle's token buckets on a clock the test moves, and the bounded work pool that
// checks passwords off the HTTP I/O threads.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>

#include "control/api/login_throttle.h"
#include "control/api/work_pool.h"

namespace hark::control {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(TokenBuckets, BurstThenOneTokenPerRefillPeriod) {
  TokenBuckets b(3, 0.5, 100);
  const auto t0 = Clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) {
    EXPECT_GE(b.tokens("k", t0), 1.0) << i;
    b.take("k", t0);
  }
  EXPECT_LT(b.tokens("k", t0), 1.0);
  EXPECT_DOUBLE_EQ(b.wait_s("k", t0), 2.0);  // one token every 2 s
  EXPECT_GE(b.tokens("k", t0 + 2s), 1.0);
  EXPECT_DOUBLE_EQ(b.tokens("k", t0 + 1h), 3.0);  // never more than the burst
  EXPECT_DOUBLE_EQ(b.tokens("other", t0), 3.0);   // keys are independent
  b.give_back("k", t0);
  EXPECT_GE(b.tokens("k", t0), 1.0);
}

TEST(TokenBuckets, ForgetsTheLeastRecentlyUsedKeyBeyondTheCap) {
  TokenBuckets b(2, 0.001, 3);
  const auto t0 = Clock::time_point{} + 1h;
  for (const char* k : {"a", "b", "c"}) b.take(k, t0), b.take(k, t0);
  b.take("a", t0 + 1s);  // "a" is now the most recently used
  b.take("d", t0 + 2s);  // a fourth key: "b", the oldest, goes
  EXPECT_EQ(b.size(), 3u);
  EXPECT_DOUBLE_EQ(b.tokens("b", t0 + 2s), 2.0);  // forgotten: full again
  EXPECT_LT(b.tokens("a", t0 + 2s), 1.0);
  EXPECT_LT(b.tokens("c", t0 + 2s), 1.0);
  for (int i = 0; i < 10000; ++i) b.take("flood" + std::to_string(i), t0 + 3s);
  EXPECT_EQ(b.size(), 3u);  // memory stays bounded whatever the flood
}

TEST(LoginThrottle, AnAddressIsRefusedAfterItsBurstWithTheWaitInSeconds) {
  LoginThrottleOptions o;
  o.address_burst = 3;
  o.address_per_s = 0.1;
  LoginThrottle t(o);
  const auto t0 = Clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(t.admit("10.0.0.1", "user" + std::to_string(i), t0)) << i;
  const auto wait = t.admit("10.0.0.1", "someone", t0);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 10);
  EXPECT_FALSE(t.admit("10.0.0.2", "someone", t0));  // another address is not slowed
  EXPECT_FALSE(t.admit("10.0.0.1", "someone", t0 + 10s));
}

TEST(LoginThrottle, SuccessesAreNotCounted) {
  LoginThrottleOptions o;
  o.address_burst = 2;
  LoginThrottle t(o);
  const auto t0 = Clock::time_point{} + 1h;
  for (int i = 0; i < 100; ++i) {
    ASSERT_FALSE(t.admit("10.0.0.1", "alice", t0)) << i;
    t.succeeded("10.0.0.1", "alice", t0);
  }
  EXPECT_FALSE(t.username_throttled("alice", t0));
}

TEST(LoginThrottle, OneAddressGuessingForAnHourNeverLocksTheUsernameOut) {
  LoginThrottle t;  // the defaults hark runs with
  auto now = Clock::time_point{} + 1h;
  int admitted = 0;
  for (int s = 0; s < 3600; ++s, now += 1s) {
    if (!t.admit("203.0.113.9", "admin", now)) ++admitted;  // every attempt fails
    ASSERT_FALSE(t.username_throttled("admin", now)) << "after " << s << " s";
  }
  EXPECT_LE(admitted, 10 + 360 + 1);  // the address's burst, then one every 10 s
  EXPECT_FALSE(t.admit("198.51.100.7", "admin", now));  // the owner, elsewhere, gets in
}

TEST(LoginThrottle, ManyAddressesTogetherThrottleTheUsernameForEveryone) {
  LoginThrottleOptions o;
  o.address_burst = 2;
  o.username_burst = 4;
  o.username_per_s = 0.001;
  LoginThrottle t(o);
  const auto t0 = Clock::time_point{} + 1h;
  for (int a = 0; a < 2; ++a)
    for (int i = 0; i < 2; ++i) ASSERT_FALSE(t.admit("10.0.0." + std::to_string(a), "admin", t0));
  EXPECT_TRUE(t.username_throttled("admin", t0));
  EXPECT_TRUE(t.admit("10.9.9.9", "admin", t0));      // unknown and known names alike
  EXPECT_FALSE(t.admit("10.9.9.9", "nobody", t0));
  t.clear_username("admin");                           // the master's unlock
  EXPECT_FALSE(t.username_throttled("admin", t0));
  EXPECT_FALSE(t.admit("10.9.9.9", "admin", t0));
}

TEST(LoginThrottle, AnAddressTheOwnerLoggedInFromIsNotHeldBackByTheUsername) {
  LoginThrottleOptions o;
  o.address_burst = 2;
  o.username_burst = 4;
  o.username_per_s = 0.001;
  LoginThrottle t(o);
  const auto t0 = Clock::time_point{} + 1h;
  ASSERT_FALSE(t.admit("10.0.0.100", "admin", t0));
  t.succeeded("10.0.0.100", "admin", t0);  // the owner's usual address
  for (int a = 0; a < 5; ++a)              // a distributed attack empties the username's bucket
    for (int i = 0; i < 2; ++i) t.admit("10.0.0." + std::to_string(a), "admin", t0);
  EXPECT_TRUE(t.username_throttled("admin", t0));
  EXPECT_TRUE(t.admit("10.0.0.200", "admin", t0));   // a new address waits
  EXPECT_FALSE(t.admit("10.0.0.100", "admin", t0));  // the known one does not
  EXPECT_TRUE(t.admit("10.0.0.100", "admin", t0) == std::nullopt);  // only its own bucket counts
  EXPECT_TRUE(t.admit("10.0.0.100", "admin", t0));   // ...which is now empty (burst 2)
  EXPECT_TRUE(t.admit("10.0.0.100", "someone-else", t0));
}

TEST(LruSet, KeepsTheMostRecentlyUsed) {
  LruSet s(2);
  s.insert("a");
  s.insert("b");
  s.insert("a");
  s.insert("c");  // "b" goes
  EXPECT_TRUE(s.contains("a"));
  EXPECT_FALSE(s.contains("b"));
  EXPECT_TRUE(s.contains("c"));
  EXPECT_EQ(s.size(), 2u);
}

TEST(LoginThrottle, AddressKeys) {
  EXPECT_EQ(LoginThrottle::address_key("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(LoginThrottle::address_key("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(LoginThrottle::address_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(LoginThrottle::address_key("2001:db8:1:2::1"), LoginThrottle::address_key("2001:db8:1:2:ffff::9"));
  EXPECT_NE(LoginThrottle::address_key("2001:db8:1:2::1"), LoginThrottle::address_key("2001:db8:1:3::1"));
}

TEST(WorkPool, AFullQueueRefusesAtOnceAndStopDropsTheWaitingJobs) {
  WorkPool pool(1, 2);
  std::latch started(1), release(1);
  ASSERT_TRUE(pool.try_submit([&] { started.count_down(); release.wait(); }));
  started.wait();  // the one worker is busy
  std::atomic<int> ran{0};
  EXPECT_TRUE(pool.try_submit([&] { ++ran; }));
  EXPECT_TRUE(pool.try_submit([&] { ++ran; }));
  EXPECT_FALSE(pool.try_submit([&] { ++ran; }));  // queue of two is full
  EXPECT_EQ(pool.queued(), 2u);
  auto stopped = std::async(std::launch::async, [&] { pool.stop(); });
  while (pool.queued() != 0) std::this_thread::yield();  // stop() dropped them
  release.count_down();
  stopped.get();
  EXPECT_EQ(ran.load(), 0);
  EXPECT_FALSE(pool.try_submit([&] { ++ran; }));
}

TEST(WorkPool, RunsJobsOnItsOwnThreads) {
  WorkPool pool(2, 8);
  std::promise<std::thread::id> where;
  auto f = where.get_future();
  ASSERT_TRUE(pool.try_submit([&] { where.set_value(std::this_thread::get_id()); }));
  ASSERT_EQ(f.wait_for(60s), std::future_status::ready);
  EXPECT_NE(f.get(), std::this_thread::get_id());
}

}  // namespace
}  // namespace hark::control
