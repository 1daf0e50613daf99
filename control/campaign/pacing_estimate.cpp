#include "control/campaign/pacing_estimate.h"

#include <algorithm>
#include <cmath>

namespace hark::control {

namespace {
constexpr double kFloor = 5;  ///< observations' weight the figures never fade below
}  // namespace

void PacingEstimate::fade(double now_s) {
  if (!started_) {
    started_ = true;
    last_s_ = now_s;
    return;
  }
  if (now_s <= last_s_) return;
  const double k = std::exp(-(now_s - last_s_) / fade_s_);
  last_s_ = now_s;
  // Old figures fade, but never below a few observations' weight: after a night without calls
  // the rates are yesterday's, held loosely (a large uncertainty), not unknown.
  const auto keep = [&](double weight) { return weight > kFloor ? std::max(k, kFloor / weight) : 1.0; };
  const double kc = keep(placed_), kk = keep(connect_w_), kh = keep(handle_w_);
  placed_ *= kc, answered_ *= kc, to_agent_ *= kc;
  connect_w_ *= kk, connect_sum_ *= kk;
  handle_w_ *= kh, handle_sum_ *= kh;
}

void PacingEstimate::on_call_outcome(double now_s, double placed_s, bool answered, bool to_agent) {
  pending_.push({placed_s, answered, answered && to_agent});
  advance(now_s);
}

void PacingEstimate::advance(double now_s) {
  fade(now_s);
  while (!pending_.empty() && pending_.top().placed_s <= now_s - settle_s_) {
    const auto o = pending_.top();
    pending_.pop();
    placed_ += 1;
    answered_ += o.answered ? 1 : 0;
    to_agent_ += o.to_agent ? 1 : 0;
  }
}

void PacingEstimate::on_connect_time(double now_s, double connect_s) {
  fade(now_s);
  connect_w_ += 1;
  connect_sum_ += connect_s;
}

void PacingEstimate::on_handled(double now_s, double handle_s) {
  fade(now_s);
  handle_w_ += 1;
  handle_sum_ += handle_s;
}

void PacingEstimate::fill(PacingFigures& f) const {
  f.answer_rate = placed_ > 0 ? answered_ / placed_ : 0;
  f.person_rate = answered_ > 0 ? to_agent_ / answered_ : 0;
  // The standard error of the share of calls that reach an agent, from the calls that count now.
  const double p = placed_ > 0 ? to_agent_ / placed_ : 0;
  f.uncertainty = placed_ > 0 ? std::sqrt(std::max(p * (1 - p), 0.01) / placed_) : 0.5;
  f.connect_s = connect_w_ > 0 ? connect_sum_ / connect_w_ : 10;
  f.handle_s = handle_w_ > 0 ? handle_sum_ / handle_w_ : 120;
}

}  // namespace hark::control
