#include "control/campaign/trunk_backoff.h"

#include <algorithm>

namespace hark::control {

bool is_trunk_failure(int sip_code, bool answered, bool rang) {
  if (answered || rang) return false;
  return sip_code == 408 || sip_code == 500 || sip_code == 502 || sip_code == 503 || sip_code == 504;
}

TrunkBackoff::State TrunkBackoff::state(Clock::time_point now) const {
  if (!tripped_) return State::closed;
  return now < until_ ? State::open : State::half_open;
}

int TrunkBackoff::allowed(int want, Clock::time_point now) {
  switch (state(now)) {
    case State::closed: return want;
    case State::open: return 0;
    case State::half_open: return probe_up_ ? 0 : std::min(want, 1);
  }
  return 0;
}

void TrunkBackoff::on_dial() {
  if (tripped_) probe_up_ = true;
}

bool TrunkBackoff::on_end(bool trunk_failure, Clock::time_point now) {
  if (!trunk_failure) {
    // The trunk carried a call to the callee: whatever the callee did, the trunk is up.
    streak_ = 0, tripped_ = false, probe_up_ = false, delay_ms_ = opt_.initial_delay_ms;
    return false;
  }
  ++streak_;
  if (tripped_) {
    // Calls placed before the breaker opened keep failing: only the probe's failure (once
    // the delay has passed) opens it again, with a longer delay.
    if (state(now) == State::half_open) {
      delay_ms_ = std::min(delay_ms_ * 2, opt_.max_delay_ms);
      until_ = now + std::chrono::milliseconds(delay_ms_);
      probe_up_ = false;
    }
  } else if (streak_ >= opt_.threshold) {
    tripped_ = true;
    until_ = now + std::chrono::milliseconds(delay_ms_);
  }
  return true;
}

const char* TrunkBackoff::name(State s) {
  switch (s) {
    case State::closed: return "closed";
    case State::open: return "open";
    case State::half_open: return "half_open";
  }
  return "?";
}

}  // namespace hark::control
