// A small fixed pool of threads with a bounded queue, for work that must not run on the HTTP
// I/O threads (argon2id password checks: about 100 ms of CPU and 64 MiB each). A full queue
// refuses new work at once instead of queueing for ever, so a flood of logins costs a bounded
// amount of memory and the caller can answer 503.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hark::control {

class WorkPool {
 public:
  /// `threads` workers (at least one) and at most `queue` jobs waiting for one.
  WorkPool(int threads, size_t queue);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;
  /// Queues `job`; false (and `job` dropped) when the queue is full or the pool stopped.
  bool try_submit(std::function<void()> job);
  /// Jobs waiting (not yet running).
  size_t queued() const;
  /// Drops the waiting jobs, lets the running ones finish and joins the threads.
  void stop();

 private:
  void work();

  size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hark::control
