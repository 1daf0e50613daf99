// The webhook delivery workers of one hark process: a few threads, each with its own
// PostgreSQL connection, that claim due outbox rows (FOR UPDATE SKIP LOCKED, so processes
// sharing the database never POST one row at once), POST them signed, and write the answer:
// delivered, or due again after a back-off, or failed after the last try. The row is locked
// by the claiming transaction until the answer is written, so a process that dies mid-POST
// leaves it pending for another try: at-least-once delivery (X-Hark-Delivery lets a receiver
// drop a duplicate). Nothing here is on the dialing path: the runner only inserts rows.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "control/webhooks/webhook_backoff.h"

namespace hark::control {

struct WebhookDeliveryOptions {
  int threads = 4;            ///< deliveries in flight at once, at most (one connection each)
  int timeout_ms = 5000;      ///< one POST, connect to answer
  int idle_poll_ms = 500;     ///< an idle worker looks for due rows this often
  WebhookRetry retry{};
  std::string ca_file{};      ///< extra trusted CA for https receivers (PEM); empty: system CAs
};

class WebhookDelivery {
 public:
  WebhookDelivery(std::string database_url, WebhookDeliveryOptions o = {});
  ~WebhookDelivery();
  WebhookDelivery(const WebhookDelivery&) = delete;
  WebhookDelivery& operator=(const WebhookDelivery&) = delete;

  void start();
  /// Stops the workers; a POST under way finishes (or times out) first.
  void stop();
  /// Counts since start: rows delivered, and tries that failed.
  uint64_t delivered() const { return delivered_; }
  uint64_t failed_tries() const { return failed_tries_; }

 private:
  void work();
  /// Claims, POSTs and answers one due row; false when none was due.
  bool deliver_one(pqxx::connection& c);
  /// Waits `ms` or until stop(); false once stopping.
  bool idle(int ms);

  std::string url_;
  WebhookDeliveryOptions opt_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<uint64_t> delivered_{0}, failed_tries_{0};
  std::atomic<bool> db_down_logged_{false};
};

}  // namespace hark::control
