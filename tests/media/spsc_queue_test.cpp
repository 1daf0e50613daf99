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

// The consumer sleeps on the eventfd with no timeout, as the media workers and the SIP thread
// do: a lost wake-up (the producer skipping the signal while the consumer goes to sleep on a
// non-empty queue) hangs here, and the suite's hang guard fails the test with every stack.
void consume_asleep(SpscQueue<uint64_t>& q, uint64_t n) {
  uint64_t expect = 0;
  while (expect < n) {
    pollfd p{q.wakeup_fd(), POLLIN, 0};
    if (::poll(&p, 1, -1) != 1) continue;  // EINTR
    q.clear_wakeup();
    while (auto v = q.pop()) {
      if (*v != expect) {
        ADD_FAILURE() << "got " << *v << ", expected " << expect;
        return;
      }
      ++expect;
    }
  }
}

TEST(SpscQueue, TwoThreadsNeverLoseOrReorder) {
  SpscQueue<uint64_t> q(1024);
  constexpr uint64_t kN = 2'000'000;
  std::thread producer([&] {
    for (uint64_t i = 0; i < kN;) if (q.push(i)) ++i;
  });
  consume_asleep(q, kN);
  producer.join();
  EXPECT_FALSE(q.pop());
}

TEST(SpscQueue, StressNoWakeupIsLostWhenTheQueueKeepsEmptying) {
  // A small queue and a consumer as fast as the producer: the queue goes empty -> non-empty
  // millions of times, each a chance for the producer's "was it empty?" check to race the
  // consumer's "is it empty? then sleep". Without the seq_cst fences this hangs within seconds.
  SpscQueue<uint64_t> q(64);
  constexpr uint64_t kN = 3'000'000;
  std::thread producer([&] {
    for (uint64_t i = 0; i < kN;) if (q.push(i)) ++i;
  });
  consume_asleep(q, kN);
  producer.join();
  EXPECT_FALSE(q.pop());
}

TEST(SpscQueue, KeepFreeHoldsRoomBack) {
  SpscQueue<int> q(8);
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(q.push(i, 2));
  EXPECT_FALSE(q.push(6, 2));  // would leave only one slot free
  EXPECT_TRUE(q.push(6));      // the held-back room is there for a push without reserve
  EXPECT_TRUE(q.push(7));
  EXPECT_FALSE(q.push(8));
  for (int i = 0; i < 8; ++i) EXPECT_EQ(q.pop(), i);
}
