#include "sql/webhook_store.h"


namespace hark::sql {

namespace {

/// "answered,ended" -> {"answered", "ended"} (events are words without commas).
std::vector<std::string> text_list(const std::string& joined) {
  std::vector<std::string> out;
  size_t from = 0;
  while (from < joined.size()) {
    auto comma = joined.find(',', from);
    if (comma == std::string::npos) comma = joined.size();
    out.push_back(joined.substr(from, comma - from));
    from = comma + 1;
  }
  return out;
}

WebhookRow webhook_row(const pqxx::row& r) {
  return {r["id"].as<long long>(), r["campaign_id"].as<long long>(), r["url"].as<std::string>(),
          text_list(r["events"].as<std::string>()), r["created_at"].as<std::string>()};
}

std::string text_array(const std::vector<std::string>& v) {
  // Events are validated words (no quotes or commas), so the literal needs no escaping.
  std::string s = "{";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
  return s + "}";
}

template <class T>
std::optional<T> maybe(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<T>();
}

}  // namespace

WebhookRow insert_webhook(pqxx::transaction_base& tx, long long campaign_id, const std::string& url,
                          const std::vector<std::string>& events, const std::string& secret) {
  return webhook_row(tx.exec_prepared1("webhook_insert", campaign_id, url, text_array(events), secret));
}

std::vector<WebhookRow> list_webhooks(pqxx::transaction_base& tx, long long campaign_id) {
  std::vector<WebhookRow> out;
  for (auto r : tx.exec_prepared("webhooks_list", campaign_id)) out.push_back(webhook_row(r));
  return out;
}

std::optional<long long> webhook_campaign(pqxx::transaction_base& tx, long long id) {
  auto r = tx.exec_prepared("webhook_campaign", id);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<long long>();
}

void delete_webhook(pqxx::transaction_base& tx, long long id) { tx.exec_prepared0("webhook_delete", id); }

std::vector<DeliveryRow> list_deliveries(pqxx::transaction_base& tx, long long webhook_id, int limit) {
  std::vector<DeliveryRow> out;
  for (auto r : tx.exec_prepared("webhook_deliveries_list", webhook_id, limit)) {
    DeliveryRow d;
    d.id = r["id"].as<long long>();
    d.attempt_id = maybe<long long>(r["attempt_id"]);
    d.event = r["event"].as<std::string>();
    d.status = r["status"].as<std::string>();
    d.attempts = r["attempts"].as<int>();
    d.next_try_at = maybe<std::string>(r["next_try_at"]);
    d.last_status = maybe<int>(r["last_status"]);
    d.last_error = maybe<std::string>(r["last_error"]);
    d.created_at = r["created_at"].as<std::string>();
    d.delivered_at = maybe<std::string>(r["delivered_at"]);
    out.push_back(std::move(d));
  }
  return out;
}

int enqueue_webhook_event(pqxx::transaction_base& tx, long long campaign_id, long long attempt_id,
                          const std::string& event, const std::string& json) {
  return int(tx.exec_prepared("webhook_enqueue", campaign_id, attempt_id, event, json).affected_rows());
}

std::optional<DueDelivery> claim_delivery(pqxx::transaction_base& tx) {
  auto r = tx.exec_prepared("webhook_claim");
  if (r.empty()) return std::nullopt;
  const auto row = r[0];
  return DueDelivery{row["id"].as<long long>(),   row["event"].as<std::string>(), row["body"].as<std::string>(),
                     row["url"].as<std::string>(), row["secret"].as<std::string>(), row["attempts"].as<int>()};
}

void mark_delivered(pqxx::transaction_base& tx, long long id, int http_status) {
  tx.exec_prepared0("webhook_delivered", id, http_status);
}

void mark_retry(pqxx::transaction_base& tx, long long id, std::optional<int> http_status, const std::string& error,
                bool give_up, double retry_s) {
  tx.exec_prepared0("webhook_retry", id, http_status, error, give_up, retry_s);
}

}  // namespace hark::sql
