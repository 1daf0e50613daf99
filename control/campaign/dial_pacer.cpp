// The pacer's arithmetic. Predictive treats the next connect time as one round: the people the
// calls in flight (and the new ones) bring are a sum of Bernoulli trials, the busy agents that
// come back are another, and the overflow of one over the other is taken as normal. Its
// expected positive part, over the people expected, is the fraction abandoned in that round.
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
  if (x <= 0.5) return cap;
  return cap * (1.0 - (x - 0.5) * 1.8);  // the cap at half the cap, down to a tenth of it at the cap
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
  d.target = std::min(abandon_target(f.abandon_rate, c.abandon_cap), abandon_target(f.recent_abandon_rate, c.abandon_cap));
  // Progressive's calls always find an agent; beyond them, add calls while the round's
  // expected overflow stays within the target share of its people.
  int n = std::min(room, progressive_calls(f));
  Round r = round_with(f, c.grace_s, n);
  while (n < room) {
    const Round next = round_with(f, c.grace_s, n + 1);
    if (next.overflow > d.target * next.people) break;
    ++n;
    r = next;
  }
  d.place = n;
  d.expected = r.people;
  return d;
}

}  // namespace hark::control
