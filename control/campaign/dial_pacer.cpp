// The pacer's arithmetic. Predictive treats the calls in flight (and the new ones) as one round:
// the people they bring are a sum of Bernoulli trials, the busy agents that come back are
// another, and the overflow of one over the other is taken as normal. Its expected positive
// part, over the people expected, is the fraction abandoned in that round. With the ring times
// of the calls that reach an agent known, the round is resolved in time (timed_round_with).
#include "control/campaign/dial_pacer.h"

#include <algorithm>
#include <cmath>

namespace hark::control {

std::optional<DialMode> parse_dial_mode(std::string_view s) {
  if (s == "progressive") return DialMode::progressive;
  if (s == "power") return DialMode::power;
  if (s == "predictive") return DialMode::predictive;
  if (s == "preview") return DialMode::preview;
  return std::nullopt;
}

const char* to_string(DialMode m) {
  switch (m) {
    case DialMode::progressive: return "progressive";
    case DialMode::power: return "power";
    case DialMode::predictive: return "predictive";
    case DialMode::preview: return "preview";
  }
  return "progressive";
}

double abandon_target(double measured, double cap) {
  if (cap <= 0 || measured >= cap) return 0;
  const double x = measured / cap;
  if (x <= 0.7) return kTargetGain * cap;
  return cap * (kTargetGain - (kTargetGain - 0.5) * (x - 0.7) / 0.3);  // down to half the cap near the cap
}

double recent_abandon_target(double recent, double cap) {
  if (cap <= 0) return 0;
  const double x = std::clamp(recent / cap, 0.6, 1.0);
  return cap * (kTargetGain - (kTargetGain - 0.25) * (x - 0.6) / 0.4);  // a quarter of the cap at the cap
}

namespace {

int outstanding(const PacingFigures& f) { return f.ringing + f.screening + f.waiting; }

/// One call per ready agent no call is already on its way to.
int progressive_calls(const PacingFigures& f) { return std::max(0, f.ready - outstanding(f)); }

/// E[max(X, 0)] for X normal with mean `mu` and standard deviation `sigma`.
double expected_positive(double mu, double sigma) {
  if (sigma < 1e-9) return std::max(mu, 0.0);
  const double z = mu / sigma;
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
  const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  return sigma * pdf + mu * cdf;
}

struct Round {
  double people = 0;   ///< expected
  double overflow = 0; ///< expected people with no agent
};

/// The round that `extra` more calls make.
Round round_with(const PacingFigures& f, double grace_s, int extra) {
  const double p = std::clamp(f.answer_rate * f.person_rate, 0.0, 1.0);
  const double ps = std::clamp(f.person_rate, 0.0, 1.0);
  const double lines = f.ringing + extra;
  // The calls ringing now, by age when both the ages and the shares by age are known.
  double ringing_people = f.ringing * p, ringing_var = f.ringing * p * (1 - p);
  double by_age = 0, known = 0;
  for (int k = 0; k < kRingAgeBuckets; ++k) by_age += f.ringing_by_age[k], known += f.reach_by_age[k];
  if (known > 0 && by_age > 0) {
    ringing_people = ringing_var = 0;
    for (int k = 0; k < kRingAgeBuckets; ++k) {
      const double pk = std::clamp(f.reach_by_age[k], 0.0, 1.0);
      ringing_people += f.ringing_by_age[k] * pk;
      ringing_var += f.ringing_by_age[k] * pk * (1 - pk);
    }
  }
  // Busy agents free within the round: their remaining handling time taken as exponential
  // (lognormal talk has a long tail, so this guesses low: the cautious side).
  const double horizon = std::max(0.0, f.connect_s) + grace_s;
  const double q = f.handle_s > 0 ? 1 - std::exp(-horizon / f.handle_s) : 1.0;
  const double supply = f.ready + f.busy * q;
  const double supply_var = f.busy * q * (1 - q);
  Round r;
  r.people = f.waiting + f.screening * ps + ringing_people + extra * p;
  // The rate itself is uncertain (it may just have changed): that error is common to every line,
  // and taken at two standard errors, since guessing it low is what abandons people.
  const double people_var = f.screening * ps * (1 - ps) + ringing_var + extra * p * (1 - p) +
                            std::pow(2 * lines * f.uncertainty, 2);
  r.overflow = expected_positive(r.people - supply, std::sqrt(people_var + supply_var));
  return r;
}

/// The same round resolved in time: when each person arrives (a ringing call by its age and
/// the ring times of the calls that reach an agent, then the AMD's delay) against the agents
/// free by then (plus the grace). A person abandoned is one who arrives while the people so far
/// outnumber the agents so far, so the overflow is the worst of these running deficits: people
/// who come late are matched with agents who come back late, and an early clump is seen.
Round timed_round_with(const PacingFigures& f, double grace_s, int extra) {
  const double p = std::clamp(f.answer_rate * f.person_rate, 0.0, 1.0);
  const double ps = std::clamp(f.person_rate, 0.0, 1.0);
  const double w = kRingAgeBucketS;
  double by_age = 0, known = 0, mean_ring = 0;
  for (int k = 0; k < kRingAgeBuckets; ++k) {
    by_age += f.ringing_by_age[k], known += f.reach_by_age[k];
    mean_ring += f.reach_ring_share[k] * (k + 0.5) * w;
  }
  const bool ages = known > 0 && by_age > 0;
  const double delay = std::max(0.0, f.connect_s - mean_ring);  // answer to verdict
  // Per call of age bucket `k` (ringing) and ring-end bucket `j`: the chance it reaches an agent
  // in bucket j and when it arrives from now.
  struct Arrival { double count, chance, at; };
  std::array<Arrival, kRingAgeBuckets * (kRingAgeBuckets + 1)> arr{};
  size_t n = 0;
  const auto spread = [&](double count, int k, double reach, double age) {
    double tail = 0;
    for (int j = k; j < kRingAgeBuckets; ++j) tail += f.reach_ring_share[j];
    for (int j = k; j < kRingAgeBuckets; ++j) {
      if (f.reach_ring_share[j] <= 0 || tail <= 0) continue;
      const double ring = std::max((j + 0.5) * w, age + 0.25 * w);
      arr[n++] = {count, reach * f.reach_ring_share[j] / tail, ring - age + delay};
    }
  };
  if (ages) {
    for (int k = 0; k < kRingAgeBuckets; ++k)
      if (f.ringing_by_age[k] > 0) spread(f.ringing_by_age[k], k, std::clamp(f.reach_by_age[k], 0.0, 1.0), (k + 0.5) * w);
  } else if (f.ringing > 0) {
    spread(f.ringing, 0, p, 0);
  }
  if (extra > 0) spread(extra, 0, p, 0);
  Round r;
  const double now_people = f.waiting + f.screening * ps;
  const double now_var = f.screening * ps * (1 - ps);
  r.people = now_people;
  for (size_t i = 0; i < n; ++i) r.people += arr[i].count * arr[i].chance;
  for (double t = 0; t <= (kRingAgeBuckets + 1) * w + delay; t += w / 2) {
    double people = now_people, var = now_var, lines_by_t = 0;
    for (size_t i = 0; i < n; ++i) {
      // Arrivals spread over a bucket's width around their time.
      const double share = std::clamp((t - arr[i].at) / w + 0.5, 0.0, 1.0);
      const double c = arr[i].chance * share;
      people += arr[i].count * c;
      var += arr[i].count * c * (1 - c);
      lines_by_t += arr[i].count * share;
    }
    const double q = f.handle_s > 0 ? 1 - std::exp(-(t + grace_s) / f.handle_s) : 1.0;
    const double supply = f.ready + f.busy * q, supply_var = f.busy * q * (1 - q);
    var += std::pow(2 * lines_by_t * f.uncertainty, 2);
    // Never more people without an agent than people (the normal law knows no bounds).
    r.overflow = std::max(r.overflow, std::min(people, expected_positive(people - supply, std::sqrt(var + supply_var))));
  }
  return r;
}

/// The timed round when the ring times of the calls that reach an agent are known.
Round round_for(const PacingFigures& f, double grace_s, int extra) {
  double known = 0;
  for (double s : f.reach_ring_share) known += s;
  return known > 0 ? timed_round_with(f, grace_s, extra) : round_with(f, grace_s, extra);
}

}  // namespace

PacingDecision pace(const PacingConfig& c, const PacingFigures& f) {
  PacingDecision d;
  const int room = std::max(0, c.max_lines - outstanding(f));
  switch (c.mode) {
    case DialMode::preview:
      return d;
    case DialMode::progressive:
      d.place = std::min(room, progressive_calls(f));
      return d;
    case DialMode::power: {
      if (f.abandon_rate >= c.abandon_cap) {
        d.place = std::min(room, progressive_calls(f));
        return d;
      }
      const int goal = int(std::ceil(c.power_lines * f.ready - 1e-9));
      d.place = std::min(room, std::max(0, goal - outstanding(f)));
      return d;
    }
    case DialMode::predictive:
      break;
  }
  // The law's windows (30 days, 24 h) keep the campaign lawful; the recent rate makes it react
  // within minutes when the answer rate changes under it.
  d.target = std::min(abandon_target(f.abandon_rate, c.abandon_cap), recent_abandon_target(f.recent_abandon_rate, c.abandon_cap));
  // Progressive's calls always find an agent; beyond them, add calls while the round's
  // expected overflow stays within the target share of its people.
  int n = std::min(room, progressive_calls(f));
  Round r = round_for(f, c.grace_s, n);
  while (n < room) {
    const Round next = round_for(f, c.grace_s, n + 1);
    if (next.overflow > d.target * next.people) break;
    ++n;
    r = next;
  }
  d.place = n;
  d.expected = r.people;
  return d;
}

}  // namespace hark::control
