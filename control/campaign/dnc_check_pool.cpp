#include "control/campaign/dnc_check_pool.h"

#include <algorithm>

namespace hark::control {

DncCheckPool::DncCheckPool(int threads, std::function<void()> on_done) : on_done_(std::move(on_done)) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { work(); });
}

DncCheckPool::~DncCheckPool() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
    queue_.clear();
  }
  queued_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

std::shared_ptr<const DncCheckPool::Lookup> DncCheckPool::submit(Check check) {
  auto l = std::make_shared<Lookup>();
  {
    std::lock_guard lk(mu_);
    queue_.emplace_back(l, std::move(check));
  }
  queued_cv_.notify_one();
  return l;
}

bool DncCheckPool::wait(const std::vector<std::shared_ptr<const Lookup>>& lookups,
                        std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lk(mu_);
  return done_cv_.wait_until(lk, deadline, [&] {
    return std::all_of(lookups.begin(), lookups.end(), [](const auto& l) { return l->done; });
  });
}

bool DncCheckPool::result(const Lookup& l, DncAnswer* answer, std::string* error) {
  std::lock_guard lk(mu_);
  if (!l.done) return false;
  if (answer) *answer = l.answer;
  if (error) *error = l.error;
  return true;
}

void DncCheckPool::work() {
  for (;;) {
    std::shared_ptr<Lookup> l;
    Check check;
    {
      std::unique_lock lk(mu_);
      queued_cv_.wait(lk, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      l = std::move(queue_.front().first);
      check = std::move(queue_.front().second);
      queue_.pop_front();
    }
    std::string error;
    DncAnswer a = DncAnswer::unreachable;
    try {
      a = check(&error);
    } catch (const std::exception& e) {
      error = e.what();  // fail closed: counts as unreachable
    }
    {
      std::lock_guard lk(mu_);
      l->answer = a;
      l->error = std::move(error);
      l->done = true;
    }
    done_cv_.notify_all();
    if (on_done_) on_done_();
  }
}

}  // namespace hark::control
