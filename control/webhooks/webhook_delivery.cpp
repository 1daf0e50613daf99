#include "control/webhooks/webhook_delivery.h"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "control/webhooks/webhook_http.h"
#include "control/webhooks/webhook_signer.h"
#include "sql/db_pool.h"
#include "sql/webhook_store.h"

namespace hark::control {

WebhookDelivery::WebhookDelivery(std::string database_url, WebhookDeliveryOptions o)
    : url_(std::move(database_url)), opt_(std::move(o)) {}

WebhookDelivery::~WebhookDelivery() { stop(); }

void WebhookDelivery::start() {
  {
    std::lock_guard lk(mu_);
    stopping_ = false;
  }
  for (int i = 0; i < std::max(1, opt_.threads); ++i) threads_.emplace_back([this] { work(); });
}

void WebhookDelivery::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

bool WebhookDelivery::idle(int ms) {
  std::unique_lock lk(mu_);
  cv_.wait_for(lk, std::chrono::milliseconds(ms), [this] { return stopping_; });
  return !stopping_;
}

void WebhookDelivery::work() {
  std::unique_ptr<pqxx::connection> db;
  for (;;) {
    {
      std::lock_guard lk(mu_);
      if (stopping_) return;
    }
    try {
      if (!db) db = sql::open_prepared(url_);
      if (db_down_logged_.exchange(false)) spdlog::info("webhooks: the database is back; deliveries resume");
      if (deliver_one(*db)) continue;  // more may be due: no wait
      if (!idle(opt_.idle_poll_ms)) return;
    } catch (const std::exception& e) {
      // The database away (or a statement failing): the rows wait in the outbox.
      db.reset();
      if (!db_down_logged_.exchange(true)) spdlog::warn("webhooks: cannot reach the outbox ({}); retrying", e.what());
      if (!idle(1000)) return;
    }
  }
}

bool WebhookDelivery::deliver_one(pqxx::connection& c) {
  pqxx::work tx(c);
  const auto due = sql::claim_delivery(tx);
  if (!due) return false;
  std::string why;
  const auto url = parse_webhook_url(due->url, &why);
  PostResult r{0, why, {}};
  if (url)
    r = post_webhook(*url,
                     {{"X-Hark-Event", due->event},
                      {"X-Hark-Delivery", std::to_string(due->id)},
                      {"X-Hark-Signature", webhook_signature(due->secret, due->body)}},
                     due->body, opt_.timeout_ms, opt_.ca_file);
  const int tries = due->attempts + 1;
  if (r.status >= 200 && r.status < 300) {
    sql::mark_delivered(tx, due->id, r.status);
    tx.commit();
    ++delivered_;
    return true;
  }
  if (r.error.empty()) r.error = "HTTP " + std::to_string(r.status);
  const bool give_up = webhook_gives_up(tries, opt_.retry);
  const double retry_s = webhook_retry_delay_s(tries, opt_.retry);
  sql::mark_retry(tx, due->id, r.status ? std::optional<int>(r.status) : std::nullopt, r.error, give_up, retry_s);
  tx.commit();
  ++failed_tries_;
  if (give_up)
    spdlog::warn("webhooks: delivery {} ({} to {}) failed {} times (last: {}); given up", due->id, due->event,
                 due->url, tries, r.error);
  else
    spdlog::info("webhooks: delivery {} ({} to {}) failed ({}); try {} in {} s", due->id, due->event, due->url,
                 r.error, tries + 1, retry_s);
  return true;
}

}  // namespace hark::control
