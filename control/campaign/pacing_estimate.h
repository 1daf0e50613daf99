// The measured figures the predictive pacer needs: answer rate, person rate, connect time and
// handling time, as counts that fade with a time constant, so a change of the answer rate
// mid-shift shows within minutes. Times are seconds given by the caller (the runner's steady
// clock, or the simulation's clock): no clock here, no I/O.
//
// A call's outcome counts only once every call placed at the same moment has its outcome
// (`settle_s` after placing: the ring timeout and the AMD's verdict): busy lines end in 3 s
// and people answer in 5-25 s, so counting outcomes as they come would see the busy ones first
// and guess the answer rate low after every start or change, which is when it matters. So a
// surge detector also weighs the people arriving against those the calls placed should bring
// (on_placed, on_connect_time): a rise shows there within seconds of the first new people.
#pragma once

#include <deque>
#include <functional>
#include <queue>
#include <vector>

#include "control/campaign/dial_pacer.h"
#include "signaling/outcome.h"

namespace hark::control {

/// Whether an ended call counts as a person for the person rate: one the AMD passed to an
/// agent (`to_agent`), unless it proved a machine while it waited for one (a late beep: it
/// ends AMD, signaling::CallPolicy::on_late_machine); one transferred; one abandoned.
inline bool counts_as_person(bool to_agent, signaling::LeadStatus outcome) {
  using signaling::LeadStatus;
  return (to_agent && outcome != LeadStatus::amd) || outcome == LeadStatus::success ||
         outcome == LeadStatus::abandoned;
}

class PacingEstimate {
 public:
  /// `fade_s`: how long an observation counts (its weight falls by e each `fade_s`).
  explicit PacingEstimate(double fade_s = 300, double settle_s = 40) : fade_s_(fade_s), settle_s_(settle_s) {}

  /// A call placed at `placed_s` that rang `rang_s` ended before reaching an agent, or was passed
  /// to one: `answered` (anyone picked up), `to_agent` (AMD said person, meant for an agent).
  void on_call_outcome(double now_s, double placed_s, double rang_s, bool answered, bool to_agent);
  /// Counts the outcomes that have settled by `now_s` (call it before fill).
  void advance(double now_s);
  /// A call was placed (every call, whatever its outcome).
  void on_placed(double now_s);
  /// A person was passed to an agent (or abandoned) `connect_s` after the call was placed.
  void on_connect_time(double now_s, double connect_s);
  /// An agent finished a call: talk and wrap-up together took `handle_s`.
  void on_handled(double now_s, double handle_s);

  /// Fills answer_rate, person_rate, uncertainty, reach_by_age, reach_ring_share, connect_s and
  /// handle_s of `f`.
  void fill(PacingFigures& f) const;
  /// People arriving over those the calls placed were expected to bring then, once well beyond
  /// chance (1: no surge). fill() scales the rates by it.
  double surge() const { return surge_; }

 private:
  void fade(double now_s);
  void fill_times(PacingFigures& f) const;
  void fill_rates(PacingFigures& f) const;
  void detect_surge(double now_s);
  struct Outcome {
    double placed_s, rang_s;
    bool answered, to_agent;
    bool operator>(const Outcome& o) const { return placed_s > o.placed_s; }
  };

  double fade_s_, settle_s_;
  std::priority_queue<Outcome, std::vector<Outcome>, std::greater<>> pending_;  ///< by placing time
  double last_s_ = 0;
  bool started_ = false;
  // Weighted counts; the first guesses count as a few observations that fade like the rest.
  double placed_ = 10, answered_ = 5, to_agent_ = 3;
  RingAges ended_by_age_{}, reached_by_age_{};  ///< calls by how long they rang: all, and those that reached an agent
  double fast_placed_ = 10, fast_answered_ = 5, fast_to_agent_ = 3;  ///< the same fading 4 times faster
  double connect_w_ = 3, connect_sum_ = 30;
  double handle_w_ = 3, handle_sum_ = 360;
  std::deque<std::pair<double, double>> placed_by_s_;  ///< the last minute's calls placed, by second
  std::deque<double> people_at_;                       ///< when the last window's people arrived
  double surge_ = 1;
  double cusum_at_ = -1e300, cusum_ = 0, run_seen_ = 0, run_expected_ = 0;  ///< the surge detector's state
  bool alarm_ = false;
};

}  // namespace hark::control
