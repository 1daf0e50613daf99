#include "control/webhooks/webhook_backoff.h"

#include <algorithm>

namespace hark::control {

double webhook_retry_delay_s(int tries, const WebhookRetry& r) {
  double ms = std::max(1, r.initial_ms);
  // Doubling stops at the cap, so a large `tries` never overflows.
  for (int i = 1; i < tries && ms < r.max_ms; ++i) ms *= 2;
  return std::min(ms, double(std::max(r.max_ms, r.initial_ms))) / 1000.0;
}

bool webhook_gives_up(int tries, const WebhookRetry& r) { return tries >= r.max_tries; }

}  // namespace hark::control
