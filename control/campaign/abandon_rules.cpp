#include "control/campaign/abandon_rules.h"

#include <algorithm>

namespace hark::control {

namespace {
double share(long long part, long long whole) { return whole > 0 ? double(part) / double(whole) : 0.0; }
}  // namespace

AbandonRates abandon_rates(const AbandonCounts& c) {
  AbandonRates r;
  r.days30 = share(c.abandoned_30d, c.people_30d);
  r.hours24 = share(c.abandoned_24h, c.people_24h);
  r.recent = c.people_15m >= kRecentMinPeople ? share(c.abandoned_15m, c.people_15m) : 0.0;
  return r;
}

int abandoned_retry_minutes(int retry_minutes, bool guaranteed_agent) {
  return guaranteed_agent ? retry_minutes : std::max(retry_minutes, kAbandonedRestMinutes);
}

}  // namespace hark::control
