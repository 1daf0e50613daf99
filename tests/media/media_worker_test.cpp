#include "media/media_worker.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <thread>

using namespace hark::media;

// A consumer that falls behind by more than the whole event queue must still get every
// stream's `ended`: each one frees a call, its ports and its lead. Closing streams the worker
// does not know is the cheapest way to make it emit `ended`s (no sockets needed).
TEST(MediaWorker, EndedEventsArriveEvenWhenTheEventQueueOverflows) {
  MediaWorker w(0, 16, nullptr);
  w.start();
  const size_t n = w.events().capacity() * 3;
  for (StreamId id = 1; id <= n;) {
    MediaCommand c;
    c.kind = CommandKind::close;
    c.id = id;
    if (w.commands().push(c)) ++id;
    else std::this_thread::yield();  // the worker takes commands as fast as it can
  }
  // Only now does the consumer look: the queue has been full for a while.
  StreamId expect = 1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (expect <= n && std::chrono::steady_clock::now() < deadline) {
    pollfd p{w.events().wakeup_fd(), POLLIN, 0};
    ::poll(&p, 1, 100);
    w.events().clear_wakeup();
    while (auto e = w.events().pop()) {
      ASSERT_EQ(e->kind, MediaEventKind::ended);
      ASSERT_EQ(e->id, expect) << "lost or reordered";
      ++expect;
    }
  }
  EXPECT_EQ(expect - 1, n) << "ended events lost";
  EXPECT_EQ(w.events_dropped(), 0u);
  w.stop();
}
