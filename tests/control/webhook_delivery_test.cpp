// Webhooks for CRMs end to end (issue 16 part 4): real PostgreSQL, hark's SIP agent and the
// campaign runner against the callee simulator, the delivery workers, and an HTTP receiver in
// the test. Every call event of a small campaign arrives signed with the webhook's secret; with
// the receiver dead (it accepts nothing and answers nothing) the campaign still finishes, the
// delivery log shows the failed tries and their next ones, and everything arrives once the
// receiver is back. Addresses: 127.0.0.150 the carrier and the receiver, 127.0.0.151 the dialer
// (tests/README.md).
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "control/campaign/campaign_runner.h"
#include "control/webhooks/webhook_delivery.h"
#include "media/media_engine.h"
#include "signaling/callee_simulator.h"
#include "sql/db_pool.h"
#include "sql/webhook_store.h"
#include "test_db.h"
#include "webhook_receiver.h"
#include "test_paths.h"

using namespace hark;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

using test::count;

constexpr unsigned short kReceiverPort = 18150;
const std::string kSecret = "the-crm-shared-secret";

std::string expected_signature(const std::string& body) { return test::expected_signature(kSecret, body); }

/// A dead CRM: it listens (so connections are made, by the kernel) but accepts nothing and
/// answers nothing; every POST waits out its timeout.
class BlackHole {
 public:
  BlackHole() : acceptor_(ioc_, {asio::ip::make_address("127.0.0.150"), kReceiverPort}) {}

 private:
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
};

std::unique_ptr<media::MediaEngine> engine_on(const std::string& ip) {
  media::MediaEngineOptions mo;
  mo.workers = 1;
  mo.bind_ip = ip;
  mo.port_min = 20000;
  mo.port_max = 21999;
  mo.max_streams = 1000;
  return std::make_unique<media::MediaEngine>(mo);
}

/// The callee simulator, hark's SIP agent and the campaign runner on one test database.
struct Dialing {
  explicit Dialing(const std::string& db_url) {
    std::vector<signaling::CalleeRule> rules;
    EXPECT_TRUE(signaling::read_callee_rules(hark::test::source_file("fixtures/callee-map.txt"), rules).empty());
    carrier_media = engine_on("127.0.0.150");
    sim = std::make_unique<signaling::CalleeSimulator>("sip:127.0.0.150:5070", "127.0.0.150", rules, *carrier_media);
    EXPECT_EQ(sim->start(), "");
    media = engine_on("127.0.0.151");
    signaling::TrunkSettings t;
    t.bind_url = "sip:127.0.0.151:5060";
    t.domain = "127.0.0.150:5070";
    t.media_ip = "127.0.0.151";
    t.calls_per_second = 50;
    t.ring_timeout_s = 15;
    control::RunnerOptions ro;
    ro.retry_unit_ms = 100;
    ro.tick_ms = 100;
    agent = std::make_unique<signaling::SipAgent>(t, *media, [this](const signaling::CallEvent& e) {
      if (runner) runner->on_call_event(e);
    });
    runner = std::make_unique<control::CampaignRunner>(db_url, dnc, metrics, ro, [this](signaling::CallRequest r) {
      return agent->originate(std::move(r));
    });
    EXPECT_EQ(agent->start(), "");
    runner->start();
  }
  ~Dialing() {
    runner->pause();
    agent->stop();
    runner->stop();
    sim->stop();
  }
  control::DncIndex dnc;
  control::Metrics metrics;
  std::unique_ptr<media::MediaEngine> carrier_media, media;
  std::unique_ptr<signaling::CalleeSimulator> sim;
  std::unique_ptr<signaling::SipAgent> agent;
  std::unique_ptr<control::CampaignRunner> runner;
};

/// A STARTED campaign dialing now, with leads of the callee simulator's plan (prefix, how
/// many) that carry an external id and an extra CSV column, and a webhook for every event to
/// the receiver. Returns the campaign id.
long long campaign_with_webhook(const std::string& url, const std::vector<std::pair<std::string, int>>& leads) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec0("INSERT INTO dialer_groups (name) VALUES ('hooks')");
  const auto id = tx.exec1("INSERT INTO campaigns (name, group_id, state, start_date, end_date, start_time, end_time, "
                           "weekdays, pilot_number, max_attempts, fixed_channels) "
                           "SELECT 'hooks', id, 'STARTED', (now() AT TIME ZONE 'UTC')::date - 1, "
                           "(now() AT TIME ZONE 'UTC')::date + 1, '00:00', '24:00', 127, '5000', 1, 20 "
                           "FROM dialer_groups RETURNING id")[0].as<long long>();
  const auto sid = std::to_string(id);
  tx.exec0("INSERT INTO schedules (campaign_id, day, start_time, end_time) SELECT " + sid +
           ", (now() AT TIME ZONE 'UTC')::date + d, '00:00', '24:00' FROM generate_series(-1, 1) d");
  for (const auto& [prefix, n] : leads)
    tx.exec0("INSERT INTO leads (campaign_id, name, phone, phone_raw, external_id, fields) SELECT " + sid +
             ", 'Lead ' || '" + prefix + "' || g, '" + prefix + "' || lpad(g::text, 3, '0'), '" + prefix +
             "-' || lpad(g::text, 3, '0'), 'crm-" + prefix + "-' || g, jsonb_build_object('tier', 'gold', 'row', g) "
             "FROM generate_series(1, " + std::to_string(n) + ") g");
  tx.commit();
  auto prepared = sql::open_prepared(url);
  pqxx::work w(*prepared);
  sql::insert_webhook(w, id, "http://127.0.0.150:" + std::to_string(kReceiverPort) + "/hark/events",
                      {"answered", "verdict", "transferred", "ended"}, kSecret);
  w.commit();
  return id;
}

/// Waits (generously) for `done`, polling; true when it came.
template <class F>
bool wait_for(F&& done, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

bool campaign_done(const std::string& url, long long id) {
  return count(url, "SELECT count(*) FROM leads WHERE campaign_id = " + std::to_string(id) + " AND NOT done") == 0 &&
         count(url, "SELECT count(*) FROM call_attempts WHERE state = 'DIALING'") == 0;
}

/// Every delivery in the outbox reached the receiver, signed, with the headers matching its row.
void expect_all_received(const std::string& url, const std::vector<test::WebhookReceiver::Hit>& hits) {
  std::map<std::string, std::string> by_delivery;  // delivery id -> event
  for (const auto& h : hits) {
    EXPECT_EQ(h.signature, expected_signature(h.body)) << h.body;
    const auto body = json::parse(h.body).as_object();
    EXPECT_EQ(body.at("event").as_string(), h.event);
    by_delivery[h.delivery] = h.event;
  }
  pqxx::connection c(url);
  pqxx::read_transaction tx(c);
  for (auto row : tx.exec("SELECT id, event, status FROM webhook_deliveries")) {
    const auto id = row[0].as<std::string>();
    EXPECT_EQ(row[2].as<std::string>(), "delivered") << id;
    ASSERT_TRUE(by_delivery.count(id)) << "delivery " << id << " never arrived";
    EXPECT_EQ(by_delivery[id], row[1].as<std::string>());
  }
}

TEST(Webhooks, EveryEventOfACampaignArrivesSigned) {
  test::TestDb db("webhooks_e2e");
  test::WebhookReceiver receiver("127.0.0.150", kReceiverPort);
  control::WebhookDeliveryOptions wo;
  wo.threads = 2;
  wo.idle_poll_ms = 100;
  control::WebhookDelivery delivery(db.url(), wo);
  delivery.start();
  Dialing dialing(db.url());
  // People (transferred to the pilot), machines, busy.
  const auto id = campaign_with_webhook(db.url(), {{"1000", 2}, {"2000", 2}, {"3000", 1}});
  ASSERT_TRUE(wait_for([&] { return campaign_done(db.url(), id); }, 180s));
  const auto queued = [&] { return count(db.url(), "SELECT count(*) FROM webhook_deliveries"); };
  ASSERT_TRUE(wait_for([&] {
    return count(db.url(), "SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'") == 0 &&
           receiver.hits().size() >= size_t(queued());
  }, 60s));
  const auto hits = receiver.hits();
  expect_all_received(db.url(), hits);

  // Each call's events, as the call log has them.
  std::map<long long, std::set<std::string>> events;  // attempt -> events received
  std::map<long long, json::object> ended;
  for (const auto& h : hits) {
    auto body = json::parse(h.body).as_object();
    const auto attempt = body.at("attemptId").as_int64();
    events[attempt].insert(h.event);
    EXPECT_EQ(body.at("campaignId").as_int64(), id);
    const auto& lead = body.at("lead").as_object();
    EXPECT_EQ(lead.at("extra").at("tier"), "gold");
    EXPECT_TRUE(std::string(lead.at("externalId").as_string()).starts_with("crm-"));
    EXPECT_TRUE(std::string(lead.at("name").as_string()).starts_with("Lead "));
    EXPECT_NE(lead.at("phoneRaw"), lead.at("phone"));  // the text as uploaded, and the number dialed
    if (h.event == "ended") ended[attempt] = body;
  }
  pqxx::connection c(db.url());
  pqxx::read_transaction tx(c);
  const auto rows = tx.exec("SELECT id, answered_at IS NOT NULL, amd_verdict IS NOT NULL, result, number FROM call_attempts");
  ASSERT_EQ(rows.size(), 5u);
  int transferred = 0;
  for (auto row : rows) {
    const auto attempt = row[0].as<long long>();
    const auto number = row[4].as<std::string>();
    const auto& got = events[attempt];
    EXPECT_TRUE(got.count("ended")) << number;
    EXPECT_EQ(got.count("answered") == 1, row[1].as<bool>()) << number;
    EXPECT_EQ(got.count("verdict") == 1, row[2].as<bool>()) << number;
    if (row[3].as<std::string>() == "SUCCESS") {
      EXPECT_TRUE(got.count("transferred")) << number;
    }
    transferred += int(got.count("transferred"));
    ASSERT_TRUE(ended.count(attempt)) << number;
    EXPECT_EQ(std::string(ended[attempt].at("result").as_string()), row[3].as<std::string>()) << number;
    EXPECT_EQ(std::string(ended[attempt].at("number").as_string()), number);
    if (number.starts_with("3000")) {
      EXPECT_EQ(ended[attempt].at("sip").at("code"), 486) << number;
    }
    if (number.starts_with("2000")) {
      EXPECT_EQ(ended[attempt].at("amd").at("verdict"), "machine") << number;
    }
  }
  EXPECT_EQ(transferred, 2);  // the two people
}

TEST(Webhooks, DeliveriesWaitForADeadReceiverWithoutHoldingUpDialing) {
  test::TestDb db("webhooks_down");
  std::optional<BlackHole> dead(std::in_place);
  control::WebhookDeliveryOptions wo;
  wo.threads = 2;
  wo.idle_poll_ms = 100;
  // 0.5 s per try at the dead receiver: the two workers wait out the first tries of every
  // queued event before any second try (with 1.5 s that took 6 s after the campaign's end).
  wo.timeout_ms = 500;
  wo.retry = {300, 2000, 1000};
  control::WebhookDelivery delivery(db.url(), wo);
  delivery.start();
  Dialing dialing(db.url());
  // More events than the two workers can wait out while the calls run: with dialing tied to
  // delivery, the campaign could not finish before the receiver is back.
  const auto id = campaign_with_webhook(db.url(), {{"1000", 4}, {"3000", 6}});
  ASSERT_TRUE(wait_for([&] { return campaign_done(db.url(), id); }, 180s));
  // Dialing finished with nothing delivered: the runner only queued.
  EXPECT_EQ(count(db.url(), "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'"), 0);
  const auto queued = count(db.url(), "SELECT count(*) FROM webhook_deliveries");
  EXPECT_GE(queued, 10 + 4 * 3);  // every call's end, and the people's answered, verdict, transferred
  // The log shows the failed tries and when each is tried next.
  ASSERT_TRUE(wait_for([&] {
    return count(db.url(), "SELECT count(*) FROM webhook_deliveries WHERE attempts >= 2") > 0;
  }, 60s));
  {
    auto conn = sql::open_prepared(db.url());
    pqxx::read_transaction tx(*conn);
    const auto hook = tx.exec1("SELECT id FROM webhooks")[0].as<long long>();
    int tried = 0;
    for (const auto& d : sql::list_deliveries(tx, hook, 1000)) {
      EXPECT_EQ(d.status, "pending");
      EXPECT_TRUE(d.next_try_at);
      EXPECT_FALSE(d.delivered_at);
      if (d.attempts == 0) continue;
      ++tried;
      ASSERT_TRUE(d.last_error);
      EXPECT_NE(d.last_error->find("no answer within 500 ms"), std::string::npos) << *d.last_error;
      EXPECT_FALSE(d.last_status);
    }
    EXPECT_GT(tried, 0);
  }
  // The receiver comes back: everything queued arrives, signed.
  dead.reset();
  test::WebhookReceiver receiver("127.0.0.150", kReceiverPort);
  ASSERT_TRUE(wait_for([&] {
    return count(db.url(), "SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'") == 0;
  }, 120s));
  expect_all_received(db.url(), receiver.hits());
  EXPECT_GE(receiver.hits().size(), size_t(queued));
  EXPECT_GT(count(db.url(), "SELECT count(*) FROM webhook_deliveries WHERE attempts >= 2"), 0);
}

}  // namespace
