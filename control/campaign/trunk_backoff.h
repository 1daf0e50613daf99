// Per-trunk back-off (one per configured trunk, kept by the runner): a circuit breaker over call ends, so a carrier outage (every call 503)
// pauses dialing instead of burning every lead's attempts.
//
// Closed: dial freely; `threshold` trunk failures in a row (ends with no provisional response
// and 408/500/502/503/504, the trunk's own answer or sofia's for an unreachable trunk) open it.
// Open: no new call until the delay (2 s, doubling to 60 s) has passed. Half-open: one probe
// call at a time; its success closes the breaker, its failure opens it again with the doubled
// delay. Calls ended by a trunk failure are not charged to their lead (the runner retries them
// when the breaker closes). Pure: the caller passes the time.
#pragma once

#include <chrono>
#include <string>

namespace hark::control {

struct TrunkBackoffOptions {
  int threshold = 5;          ///< trunk failures in a row that open the breaker
  int initial_delay_ms = 2000;
  int max_delay_ms = 60000;
};

/// Whether an ended call is the trunk's failure rather than the callee's answer: never answered,
/// never rang (no 18x), and ended by 408 (no response), 500, 502, 503 or 504.
bool is_trunk_failure(int sip_code, bool answered, bool rang);

class TrunkBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { closed, open, half_open };

  explicit TrunkBackoff(TrunkBackoffOptions o = {}) : opt_(o), delay_ms_(o.initial_delay_ms) {}

  /// How many new calls may start now, of `want`: all when closed, none when open, one probe
  /// at a time when half-open.
  int allowed(int want, Clock::time_point now);
  /// Records a call placed (the probe, when half-open).
  void on_dial();
  /// A call offered this trunk as its probe went out on another trunk: the probe slot is free.
  void release_probe() { probe_up_ = false; }
  /// Records a call's end; returns true when the end was the trunk's failure.
  bool on_end(bool trunk_failure, Clock::time_point now);

  State state(Clock::time_point now) const;
  /// When an open breaker lets the probe through (retries of uncharged leads are due then).
  Clock::time_point reopens_at() const { return until_; }
  int failures_in_a_row() const { return streak_; }
  /// The state's name for logs and metrics: closed, open or half_open.
  static const char* name(State s);

 private:
  TrunkBackoffOptions opt_;
  int streak_ = 0;
  int delay_ms_;
  bool tripped_ = false;  ///< open or half-open
  bool probe_up_ = false;
  Clock::time_point until_{};
};

}  // namespace hark::control
