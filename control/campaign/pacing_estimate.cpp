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
  const double before = last_s_;
  last_s_ = now_s;
  // Old figures fade, but never below a few observations' weight: after a night without calls
  // the rates are yesterday's, held loosely (a large uncertainty), not unknown.
  const auto keep = [&](double weight) { return weight > kFloor ? std::max(k, kFloor / weight) : 1.0; };
  const double kc = keep(placed_), kk = keep(connect_w_), kh = keep(handle_w_);
  placed_ *= kc, answered_ *= kc, to_agent_ *= kc;
  for (auto& w : ended_by_age_) w *= kc;
  for (auto& w : reached_by_age_) w *= kc;
  const double kf = std::exp(-(now_s - before) / (fade_s_ / 4));
  const double kfc = fast_placed_ > kFloor ? std::max(kf, kFloor / fast_placed_) : 1.0;
  fast_placed_ *= kfc, fast_answered_ *= kfc, fast_to_agent_ *= kfc;
  connect_w_ *= kk, connect_sum_ *= kk;
  handle_w_ *= kh, handle_sum_ *= kh;
}

void PacingEstimate::on_call_outcome(double now_s, double placed_s, double rang_s, bool answered, bool to_agent) {
  pending_.push({placed_s, rang_s, answered, answered && to_agent});
  advance(now_s);
}

void PacingEstimate::advance(double now_s) {
  fade(now_s);
  while (!pending_.empty() && pending_.top().placed_s <= now_s - settle_s_) {
    const auto o = pending_.top();
    pending_.pop();
    placed_ += 1, fast_placed_ += 1;
    const int k = std::clamp(int(o.rang_s / kRingAgeBucketS), 0, kRingAgeBuckets - 1);
    ended_by_age_[size_t(k)] += 1;
    reached_by_age_[size_t(k)] += o.to_agent ? 1 : 0;
    answered_ += o.answered ? 1 : 0, fast_answered_ += o.answered ? 1 : 0;
    to_agent_ += o.to_agent ? 1 : 0, fast_to_agent_ += o.to_agent ? 1 : 0;
  }
  detect_surge(now_s);
}

void PacingEstimate::on_placed(double now_s) {
  const double s = std::floor(now_s);
  if (!placed_by_s_.empty() && placed_by_s_.back().first == s) placed_by_s_.back().second += 1;
  else placed_by_s_.push_back({s, 1});
}

void PacingEstimate::detect_surge(double now_s) {
  // A rise of the answer rate shows in the settled counts only 40 s and more after it; the
  // people themselves arrive from 7 s on. Each second, the people who arrived in it against
  // those the calls placed in the last minute were expected to bring (the rate in use, and when
  // the calls that reach an agent do), summed as a CUSUM for a rise by half: it sounds once the
  // excess is well beyond chance (and rests at half that), and the surge is then the ratio of
  // the last half minute or so.
  constexpr double kMemoryS = 60, kRise = 1.5, kAlarm = 4, kSurgeFadeS = 20;
  if (now_s - cusum_at_ > kMemoryS) cusum_at_ = std::floor(now_s);  // first call, or a quiet spell
  while (cusum_at_ + 1 <= now_s) {
    const double from = cusum_at_, to = cusum_at_ + 1;
    cusum_at_ = to;
    while (!placed_by_s_.empty() && placed_by_s_.front().first < to - kMemoryS) placed_by_s_.pop_front();
    double seen = 0;
    while (!people_at_.empty() && people_at_.front() < to) seen += people_at_.front() >= from, people_at_.pop_front();
    PacingFigures f;
    fill_rates(f);
    double known = 0, mean_ring = 0;
    for (int k = 0; k < kRingAgeBuckets; ++k)
      known += f.reach_ring_share[size_t(k)], mean_ring += f.reach_ring_share[size_t(k)] * (k + 0.5) * kRingAgeBucketS;
    if (known <= 0) continue;
    fill_times(f);
    const double delay = std::max(0.0, f.connect_s - mean_ring);
    // The share of the calls that reach an agent that do so within `x` seconds of placing.
    const auto by = [&](double x) {
      double c = 0;
      for (int k = 0; k < kRingAgeBuckets; ++k)
        c += f.reach_ring_share[size_t(k)] * std::clamp((x - delay) / kRingAgeBucketS - k, 0.0, 1.0);
      return c;
    };
    const double p = f.answer_rate * f.person_rate;
    double expected = 0;
    for (const auto& [at, n] : placed_by_s_) expected += n * p * (by(to - at - 0.5) - by(from - at - 0.5));
    cusum_ = std::max(0.0, cusum_ + seen * std::log(kRise) - expected * (kRise - 1));
    // The surge itself from the last half minute or so (fading), so it follows the rates as
    // their fast counts catch up instead of being applied twice.
    const double k = std::exp(-1.0 / kSurgeFadeS);
    run_seen_ = run_seen_ * k + seen, run_expected_ = run_expected_ * k + expected;
    if (cusum_ > kAlarm) alarm_ = true;
    if (cusum_ <= kAlarm / 2) alarm_ = false;
  }
  surge_ = alarm_ && run_expected_ > 0 ? std::clamp(run_seen_ / run_expected_, 1.0, 3.0) : 1.0;
}

void PacingEstimate::on_connect_time(double now_s, double connect_s) {
  fade(now_s);
  people_at_.push_back(now_s);
  connect_w_ += 1;
  connect_sum_ += connect_s;
}

void PacingEstimate::on_handled(double now_s, double handle_s) {
  fade(now_s);
  handle_w_ += 1;
  handle_sum_ += handle_s;
}

void PacingEstimate::fill(PacingFigures& f) const {
  fill_rates(f);
  fill_times(f);
  if (surge_ <= 1) return;
  // People come faster than the rates say: scale the share of calls that reach an agent.
  const double p = f.answer_rate * f.person_rate, scaled = std::min(1.0, p * surge_);
  f.person_rate = std::min(1.0, f.person_rate * surge_);
  f.answer_rate = f.person_rate > 0 ? std::min(1.0, scaled / f.person_rate) : f.answer_rate;
  for (auto& r : f.reach_by_age) r = std::min(1.0, r * surge_);
}

void PacingEstimate::fill_rates(PacingFigures& f) const {
  // The slow counts, unless the fast ones say more calls reach an agent now: a rise of the
  // answer rate shows in a quarter of the time (abandons), a fall at the slow pace (idle agents).
  // "Says more": by over two of its standard errors, so its noise alone rarely decides.
  const double slow_p = placed_ > 0 ? to_agent_ / placed_ : 0, fast_p = fast_placed_ > 0 ? fast_to_agent_ / fast_placed_ : 0;
  const double fast_se = fast_placed_ > 0 ? std::sqrt(std::max(fast_p * (1 - fast_p), 0.01) / fast_placed_) : 1;
  const bool fast = fast_p > slow_p + 2 * fast_se;
  const double n = fast ? fast_placed_ : placed_, answered = fast ? fast_answered_ : answered_,
               to_agent = fast ? fast_to_agent_ : to_agent_;
  f.answer_rate = n > 0 ? answered / n : 0;
  f.person_rate = answered > 0 ? to_agent / answered : 0;
  // The standard error of the share of calls that reach an agent, from the calls that count now.
  const double p = n > 0 ? to_agent / n : 0;
  f.uncertainty = n > 0 ? std::sqrt(std::max(p * (1 - p), 0.01) / n) : 0.5;
  // A call still ringing at age k ends in bucket k or later: its chance to reach an agent is
  // that of the calls that rang at least that long (a little high: those include calls that
  // ended earlier in the bucket). Ages few calls reach keep the whole rate.
  double ended = 0, reached = 0;
  const double scale = fast ? p / std::max(slow_p, 1e-9) : 1.0;  // a rise seen by the fast counts
  for (int k = kRingAgeBuckets - 1; k >= 0; --k) {
    ended += ended_by_age_[size_t(k)], reached += reached_by_age_[size_t(k)];
    f.reach_by_age[size_t(k)] = ended >= 20 ? std::min(1.0, reached / ended * scale) : p;
  }
  // When the calls that reach an agent stopped ringing: the pacer's timed round.
  double reached_all = 0;
  for (double r : reached_by_age_) reached_all += r;
  for (int k = 0; k < kRingAgeBuckets; ++k)
    f.reach_ring_share[size_t(k)] = reached_all >= 20 ? reached_by_age_[size_t(k)] / reached_all : 0;
}

void PacingEstimate::fill_times(PacingFigures& f) const {
  f.connect_s = connect_w_ > 0 ? connect_sum_ / connect_w_ : 10;
  f.handle_s = handle_w_ > 0 ? handle_sum_ / handle_w_ : 120;
}

}  // namespace hark::control
