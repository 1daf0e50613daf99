// The webhook outbox on PostgreSQL with the delivery workers (issue 16 part 4), without calls:
// deliveries that failed in one set of workers (a hark process) are delivered by the next one
// after a restart, each signed and once; a delivery failing its last try is given up (failed)
// and not tried again. The receiver listens on 127.0.0.150, on a port of the kernel's choosing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <thread>

#include "control/webhooks/webhook_delivery.h"
#include "sql/db_pool.h"
#include "sql/webhook_store.h"
#include "test_db.h"
#include "webhook_receiver.h"

using namespace hark;
using namespace std::chrono_literals;
using test::count;

namespace {

template <class F>
bool wait_for(F&& done, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

/// A campaign with one lead and one call; returns {campaign, attempt}.
std::pair<long long, long long> one_call(const std::string& url) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec0("INSERT INTO dialer_groups (name) VALUES ('outbox')");
  const auto id = tx.exec1("INSERT INTO campaigns (name, group_id, start_date, end_date, start_time, end_time, "
                           "weekdays, pilot_number) SELECT 'outbox', id, '2026-01-01', '2026-12-31', '09:00', "
                           "'17:00', 127, '5000' FROM dialer_groups RETURNING id")[0].as<long long>();
  const auto sid = std::to_string(id);
  tx.exec0("INSERT INTO leads (campaign_id, name, phone, external_id) VALUES (" + sid + ", 'Ann', '5550100', 'crm-1')");
  const auto attempt = tx.exec1("INSERT INTO call_attempts (campaign_id, lead_id, number) SELECT " + sid +
                                ", id, phone FROM leads RETURNING id")[0].as<long long>();
  tx.commit();
  return {id, attempt};
}

/// A port on 127.0.0.150 that nothing listens on (the kernel's pick, released at once).
unsigned short closed_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.150"), 0});
  return a.local_endpoint().port();
}

TEST(WebhookOutbox, FailedDeliveriesArriveAfterARestartOfTheWorkers) {
  test::TestDb db("webhook_outbox");
  const auto [campaign, attempt] = one_call(db.url());
  const auto port = closed_port();
  const std::string secret = "outbox-secret-0123";
  {
    auto c = sql::open_prepared(db.url());
    pqxx::work tx(*c);
    sql::insert_webhook(tx, campaign, "http://127.0.0.150:" + std::to_string(port) + "/in", {"answered", "ended"}, secret);
    for (const auto* e : {"answered", "verdict", "ended"})
      sql::enqueue_webhook_event(tx, campaign, attempt, e, std::string(R"({"event":")") + e + "\"}");
    tx.commit();
  }
  EXPECT_EQ(count(db.url(), "SELECT count(*) FROM webhook_deliveries"), 2);  // verdict was not asked for
  control::WebhookDeliveryOptions o;
  o.threads = 2;
  o.idle_poll_ms = 50;
  o.retry = {200, 400, 1000};
  {
    // The first process: every try is refused.
    control::WebhookDelivery first(db.url(), o);
    first.start();
    ASSERT_TRUE(wait_for([&] { return count(db.url(), "SELECT min(attempts) FROM webhook_deliveries") >= 2; }, 60s));
    first.stop();
    EXPECT_EQ(first.delivered(), 0u);
    EXPECT_GE(first.failed_tries(), 4u);
  }
  EXPECT_EQ(count(db.url(), "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending' AND last_error IS NOT "
                            "NULL AND last_status IS NULL"), 2);
  // The receiver is up; the next process delivers what the first could not.
  test::WebhookReceiver receiver("127.0.0.150", port);
  control::WebhookDelivery second(db.url(), o);
  second.start();
  ASSERT_TRUE(wait_for([&] {
    return count(db.url(), "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'") == 2;
  }, 60s));
  second.stop();
  const auto hits = receiver.hits();
  ASSERT_EQ(hits.size(), 2u);  // once each: a delivered row is never sent again
  std::map<std::string, std::string> events;
  for (const auto& h : hits) {
    EXPECT_EQ(h.signature, test::expected_signature(secret, h.body));
    const auto body = boost::json::parse(h.body).as_object();
    EXPECT_EQ(body.at("event").as_string(), h.event);
    EXPECT_EQ(body.at("lead").at("externalId"), "crm-1");
    events[h.delivery] = h.event;
  }
  pqxx::connection c(db.url());
  pqxx::read_transaction tx(c);
  for (auto row : tx.exec("SELECT id, event, last_status FROM webhook_deliveries")) {
    EXPECT_EQ(events[row[0].as<std::string>()], row[1].as<std::string>());
    EXPECT_EQ(row[2].as<int>(), 204);
  }
}

TEST(WebhookOutbox, ADeliveryFailingItsLastTryIsGivenUp) {
  test::TestDb db("webhook_giveup");
  const auto [campaign, attempt] = one_call(db.url());
  {
    auto c = sql::open_prepared(db.url());
    pqxx::work tx(*c);
    sql::insert_webhook(tx, campaign, "http://127.0.0.150:" + std::to_string(closed_port()) + "/in", {"ended"},
                        "giveup-secret-0123");
    sql::enqueue_webhook_event(tx, campaign, attempt, "ended", R"({"event":"ended"})");
    tx.commit();
  }
  control::WebhookDeliveryOptions o;
  o.threads = 1;
  o.idle_poll_ms = 50;
  o.retry = {100, 100, 3};
  control::WebhookDelivery workers(db.url(), o);
  workers.start();
  ASSERT_TRUE(wait_for([&] { return count(db.url(), "SELECT count(*) FROM webhook_deliveries WHERE status = 'failed'") == 1; }, 60s));
  // Given up after the third try, as the row says; a failed row is never claimed again. The
  // worker counts a try once its row is committed, so the count may trail the row briefly
  // (CI at 80de1c9 read 2 here).
  EXPECT_TRUE(wait_for([&] { return workers.failed_tries() == 3u; }, 10s)) << workers.failed_tries();
  EXPECT_EQ(count(db.url(), "SELECT attempts FROM webhook_deliveries"), 3);
  workers.stop();
  EXPECT_EQ(workers.failed_tries(), 3u);
}

}  // namespace
