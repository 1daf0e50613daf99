// A few threads that ask external do-not-call services, so the runner's thread never waits on
// one: it hands the lookups over, waits for them only up to its per-campaign budget, and takes
// the answers that came (late ones are there for the next tick). A slow service then slows only
// its own campaign's dialing, never the other campaigns' or a stop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "control/campaign/dnc_client.h"

namespace hark::control {

class DncCheckPool {
 public:
  /// One lookup: done once the service answered or gave up.
  struct Lookup {
    bool done = false;  ///< guarded by the pool's lock
    DncAnswer answer = DncAnswer::unreachable;
    std::string error;
  };
  using Check = std::function<DncAnswer(std::string* error)>;

  /// `threads` lookups at once at most; `on_done` runs (on a pool thread) after each one.
  DncCheckPool(int threads, std::function<void()> on_done = {});
  /// Waits for the lookups already running (each bounded by its service's timeout); those
  /// still queued are dropped.
  ~DncCheckPool();
  DncCheckPool(const DncCheckPool&) = delete;
  DncCheckPool& operator=(const DncCheckPool&) = delete;

  /// Queues a lookup; its result appears in the returned Lookup.
  std::shared_ptr<const Lookup> submit(Check check);
  /// Waits until every one of `lookups` is done or `deadline` passes; true when all are done.
  bool wait(const std::vector<std::shared_ptr<const Lookup>>& lookups, std::chrono::steady_clock::time_point deadline);
  /// Whether `l` is done, and if so its answer and error (copied under the lock).
  bool result(const Lookup& l, DncAnswer* answer, std::string* error);

 private:
  void work();

  std::function<void()> on_done_;
  std::mutex mu_;
  std::condition_variable queued_cv_, done_cv_;
  std::deque<std::pair<std::shared_ptr<Lookup>, Check>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hark::control
