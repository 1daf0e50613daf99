// Webhooks for CRMs and their outbox in PostgreSQL (migration 0015): the webhook rows the API
// manages, the enqueue the runner does (one INSERT per event, fanned out to every webhook of
// the campaign that wants it), and the claim and answer of the delivery workers
// (control/webhooks/webhook_delivery.h).
#pragma once

#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <vector>

namespace hark::sql {

/// A webhook as the API shows it: never its secret.
struct WebhookRow {
  long long id = 0, campaign_id = 0;
  std::string url;
  std::vector<std::string> events;
  std::string created_at;
};

/// One line of a webhook's delivery log.
struct DeliveryRow {
  long long id = 0;
  std::optional<long long> attempt_id;
  std::string event, status;
  int attempts = 0;
  std::optional<std::string> next_try_at;  ///< pending only
  std::optional<int> last_status;          ///< the receiver's last HTTP status
  std::optional<std::string> last_error, delivered_at;
  std::string created_at;
};

/// A delivery claimed by a worker: locked by the claiming transaction until it commits.
struct DueDelivery {
  long long id = 0;
  std::string event, body, url, secret;
  int attempts = 0;  ///< tries before this one
};

WebhookRow insert_webhook(pqxx::transaction_base& tx, long long campaign_id, const std::string& url,
                          const std::vector<std::string>& events, const std::string& secret);
std::vector<WebhookRow> list_webhooks(pqxx::transaction_base& tx, long long campaign_id);
/// The campaign of webhook `id`, if it exists.
std::optional<long long> webhook_campaign(pqxx::transaction_base& tx, long long id);
void delete_webhook(pqxx::transaction_base& tx, long long id);
/// The newest `limit` deliveries of webhook `id`, newest first.
std::vector<DeliveryRow> list_deliveries(pqxx::transaction_base& tx, long long webhook_id, int limit);

/// Queues `event` of call `attempt_id` for every webhook of the campaign that wants it: `json`
/// (an object) plus the lead's fields under "lead". Returns how many deliveries it queued.
int enqueue_webhook_event(pqxx::transaction_base& tx, long long campaign_id, long long attempt_id,
                          const std::string& event, const std::string& json);

/// The next due delivery, locked FOR UPDATE SKIP LOCKED in `tx` (other workers skip it).
std::optional<DueDelivery> claim_delivery(pqxx::transaction_base& tx);
/// The receiver answered 2xx.
void mark_delivered(pqxx::transaction_base& tx, long long id, int http_status);
/// The try failed: due again in `retry_s`, or failed for good when `give_up`.
void mark_retry(pqxx::transaction_base& tx, long long id, std::optional<int> http_status, const std::string& error,
                bool give_up, double retry_s);

}  // namespace hark::sql
