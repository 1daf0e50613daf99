// Token-bucket pacing of new INVITEs: `rate` tokens a second, a burst of at most max(1, rate).
#pragma once

#include <algorithm>
#include <chrono>

namespace hark::signaling {

class Pacer {
 public:
  using Clock = std::chrono::steady_clock;

  /// Starts with one token, so the first call goes out at once.
  Pacer(double per_second, Clock::time_point now) : rate_(per_second), last_(now) {}

  /// Adds the tokens earned since the last refill.
  void refill(Clock::time_point now) {
    const double dt = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(std::max(1.0, rate_), tokens_ + dt * rate_);
  }
  /// Takes a token for one INVITE; false when none is left.
  bool try_take() {
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }
  double tokens() const { return tokens_; }

 private:
  double rate_;
  double tokens_ = 1;
  Clock::time_point last_;
};

}  // namespace hark::signaling
