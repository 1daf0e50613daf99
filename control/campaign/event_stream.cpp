#include "control/campaign/event_stream.h"

namespace hark::control {

void EventStream::push(std::string event_name, std::string data) {
  std::string f = "event: " + event_name + "\ndata: " + data + "\n\n";
  std::lock_guard lk(mu_);
  if (closed_) return;
  // A reader that stopped reading must not grow memory without bound.
  if (q_.size() >= 10000) { ++dropped_; return; }
  q_.push_back(std::move(f));
  cv_.notify_one();
}

bool EventStream::pop(std::string& out, std::chrono::milliseconds wait) {
  std::unique_lock lk(mu_);
  cv_.wait_for(lk, wait, [&] { return closed_ || !q_.empty(); });
  if (q_.empty()) return false;
  out = std::move(q_.front());
  q_.pop_front();
  return true;
}

void EventStream::close() {
  std::lock_guard lk(mu_);
  closed_ = true;
  cv_.notify_all();
}

bool EventStream::closed() const {
  std::lock_guard lk(mu_);
  return closed_;
}

}  // namespace hark::control
