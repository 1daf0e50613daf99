// When a failed webhook delivery is tried again: exponential back-off, in the outbox row so a
// restart keeps it (sql/webhook_store.h).
#pragma once

namespace hark::control {

struct WebhookRetry {
  int initial_ms = 1000;   ///< the wait after the first failed try
  int max_ms = 300'000;    ///< the waits double up to this (5 min)
  int max_tries = 15;      ///< a delivery failing this many tries is given up (status failed)
};

/// Seconds from the `tries`-th failed try (1: the first) to the next: initial, doubling, capped.
double webhook_retry_delay_s(int tries, const WebhookRetry& r);

/// Whether a delivery that has failed `tries` times is given up.
bool webhook_gives_up(int tries, const WebhookRetry& r);

}  // namespace hark::control
