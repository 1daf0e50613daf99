#include "media/spsc_queue.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <thread>

using hark::media::SpscQueue;

TEST(SpscQueue, FifoAndFull) {
  SpscQueue<int> q(4);
  EXPECT_EQ(q.capacity(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(q.push(i));
  EXPECT_FALSE(q.push(99));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(q.pop(), i);
  EXPECT_FALSE(q.pop());
}

TEST(SpscQueue, WakeupFdSignalsOnlyWhenItemsWait) {
  SpscQueue<int> q(8);
  pollfd p{q.wakeup_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0);
  q.push(1);
  q.push(2);
  EXPECT_EQ(::poll(&p, 1, 0), 1);
  q.clear_wakeup();
  EXPECT_EQ(::poll(&p, 1, 0), 0);
  while (q.pop()) {}
  q.push(3);  // empty -> non-empty again: signals
  EXPECT_EQ(::poll(&p, 1, 0), 1);
}

TEST(SpscQueue, TwoThreadsNeverLoseOrReorder) {
  SpscQueue<uint64_t> q(1024);
  constexpr uint64_t kN = 2'000'000;
  std::thread producer([&] {
    for (uint64_t i = 0; i < kN;) if (q.push(i)) ++i;
  });
  uint64_t expect = 0;
  while (expect < kN) {
    pollfd p{q.wakeup_fd(), POLLIN, 0};
    ::poll(&p, 1, 10);
    q.clear_wakeup();
    while (auto v = q.pop()) {
      ASSERT_EQ(*v, expect);
      ++expect;
    }
  }
  producer.join();
  EXPECT_FALSE(q.pop());
}
