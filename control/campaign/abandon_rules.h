// The abandoned-call rules (issue 18), as pure functions: the abandon rates a campaign is held
// to, from its counts over the law's windows, and how long an abandoned number rests.
//
// US TSR: at most 3 % of the calls a person answers may be abandoned per campaign over 30 days;
// UK Ofcom: per 24 h, AMD false positives counted, and an abandoned number is not called again
// within 72 h unless an agent is sure to be free.
#pragma once

namespace hark::control {

/// People answered and of them abandoned, per window (from PostgreSQL's call log).
struct AbandonCounts {
  long long people_30d = 0, abandoned_30d = 0;
  long long people_24h = 0, abandoned_24h = 0;
  long long people_15m = 0, abandoned_15m = 0;
};

struct AbandonRates {
  double days30 = 0, hours24 = 0;  ///< abandoned / people answered (0 without people)
  double recent = 0;               ///< the last 15 minutes, once they hold enough people
  /// The pacer's measured rate: the worse of the 30-day and 24-h rates.
  double worst() const { return days30 > hours24 ? days30 : hours24; }
};

/// Fewer people than this in the last 15 minutes say nothing about the recent rate (one
/// abandoned call of ten would read 10 %).
constexpr long long kRecentMinPeople = 30;

/// The rates from the counts.
AbandonRates abandon_rates(const AbandonCounts& c);

/// An abandoned number rests this long (Ofcom) unless the campaign guarantees an agent.
constexpr int kAbandonedRestMinutes = 72 * 60;

/// The retry delay of an attempt that ended ABANDONED: at least 72 h (in retry minutes, which
/// tests shorten) unless `guaranteed_agent`; `retry_minutes` as planned otherwise.
int abandoned_retry_minutes(int retry_minutes, bool guaranteed_agent);

}  // namespace hark::control
