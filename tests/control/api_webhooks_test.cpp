// Webhooks for CRMs through the REST API (issue 16 part 4), against a real PostgreSQL: a
// campaign's webhooks (the secret shown once, generated when absent), the checks of a URL and of
// the events (422), the group rules (another group's webhook is the 404 of one that does not
// exist), and the delivery log as the outbox holds it.
#include <gtest/gtest.h>

#include "control/api_fixture.h"
#include "sql/db_pool.h"
#include "sql/webhook_store.h"

using namespace hark;
using test::Api;
namespace json = boost::json;

namespace {

TEST_F(Api, WebhooksAreAddedListedAndDeleted) {
  const auto id = std::to_string(make_campaign("hooked"));
  const std::string c = "/api/v1/campaigns/" + id;
  auto made = post(c + "/webhooks", "campaign_admin",
                   R"({"url":"https://crm.example.com/hark","events":["answered","ended"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  const auto hook = made.json().as_object();
  const auto secret = std::string(hook.at("secret").as_string());
  EXPECT_EQ(secret.size(), 64u);  // generated: 32 random bytes in hex
  EXPECT_EQ(hook.at("events"), (json::array{"answered", "ended"}));
  // A secret of the caller's own is kept as given.
  auto mine = post(c + "/webhooks", "campaign_admin",
                   R"({"url":"http://10.0.0.5:8080/in","events":["verdict"],"secret":"sixteen-chars-ok"})");
  ASSERT_EQ(mine.status, 201) << mine.body;
  EXPECT_EQ(mine.json().at("secret"), "sixteen-chars-ok");
  EXPECT_EQ(db->exec("SELECT secret FROM webhooks WHERE id = " +
                     std::to_string(mine.json().at("id").as_int64()))[0][0].as<std::string>(),
            "sixteen-chars-ok");
  // Listed by admins and supervisors, never with a secret.
  for (const auto* who : {"campaign_admin", "campaign_supervisor"}) {
    auto list = get(c + "/webhooks", who);
    ASSERT_EQ(list.status, 200) << who;
    const auto doc = list.json();
    const auto& hooks = doc.at("webhooks").as_array();
    ASSERT_EQ(hooks.size(), 2u);
    for (const auto& h : hooks) EXPECT_FALSE(h.as_object().contains("secret"));
    EXPECT_EQ(list.body.find(secret), std::string::npos);
  }
  // Supervisors read only; another group's admin gets the 404 of a webhook that does not exist.
  const auto hid = std::to_string(hook.at("id").as_int64());
  EXPECT_EQ(post(c + "/webhooks", "campaign_supervisor", R"({"url":"http://a.example/","events":["ended"]})").status, 403);
  EXPECT_EQ(req("DELETE", "/api/v1/webhooks/" + hid, "campaign_supervisor").status, 403);
  const auto theirs = req("DELETE", "/api/v1/webhooks/" + hid, "admin2");
  const auto missing = req("DELETE", "/api/v1/webhooks/999999", "admin2");
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(theirs.body, missing.body);
  EXPECT_EQ(get("/api/v1/webhooks/" + hid + "/deliveries", "admin2").body,
            get("/api/v1/webhooks/999999/deliveries", "admin2").body);
  EXPECT_EQ(get(c + "/webhooks", "admin2").status, 404);
  EXPECT_EQ(post(c + "/webhooks", "admin2", R"({"url":"http://a.example/","events":["ended"]})").status, 404);
  // Deleted by its group's admin (its deliveries go with it).
  EXPECT_EQ(req("DELETE", "/api/v1/webhooks/" + hid, "campaign_admin").status, 204);
  EXPECT_EQ(req("DELETE", "/api/v1/webhooks/" + hid, "campaign_admin").status, 404);
  EXPECT_EQ(get(c + "/webhooks", "campaign_admin").json().at("webhooks").as_array().size(), 1u);
}

TEST_F(Api, BadWebhooksAreRefusedWith422) {
  const std::string c = "/api/v1/campaigns/" + std::to_string(make_campaign("hook-checks")) + "/webhooks";
  struct Bad { std::string body, field; };
  for (const auto& [body, field] : std::vector<Bad>{
           {R"({"url":"ftp://crm.example.com/","events":["ended"]})", "url"},
           {R"({"url":"crm.example.com/hook","events":["ended"]})", "url"},
           {R"({"url":"http://exa mple.com/","events":["ended"]})", "url"},
           {R"({"url":"http:///hook","events":["ended"]})", "url"},
           {R"({"url":"http://crm_example.com/","events":["ended"]})", "url"},
           {R"({"url":"http://user:pw@crm.example.com/","events":["ended"]})", "url"},
           {R"({"url":"http://crm.example.com:70000/","events":["ended"]})", "url"},
           {R"({"url":"","events":["ended"]})", "url"},
           {R"({"events":["ended"]})", "url"},
           {R"({"url":"http://crm.example.com/"})", "events"},
           {R"({"url":"http://crm.example.com/","events":[]})", "events"},
           {R"({"url":"http://crm.example.com/","events":["ringing"]})", "events"},
           {R"({"url":"http://crm.example.com/","events":["ended","ended"]})", "events"},
           {R"({"url":"http://crm.example.com/","events":"ended"})", "events"},
           {R"({"url":"http://crm.example.com/","events":["ended"],"secret":"short"})", "secret"},
       }) {
    auto r = post(c, "campaign_admin", body);
    EXPECT_EQ(r.status, 422) << body << ": " << r.body;
    EXPECT_EQ(std::string(r.json().at("error").at("field").as_string()), field) << body;
  }
  EXPECT_EQ(post(c, "campaign_admin", R"({"url":"http://crm.example.com/","events":["ended"],"extra":1})").status, 422);
  EXPECT_EQ(get(c, "campaign_admin").json().at("webhooks").as_array().size(), 0u);
}

TEST_F(Api, TheDeliveryLogShowsTheOutbox) {
  const auto cid = make_campaign("hook-log");
  const auto id = std::to_string(cid);
  auto made = post("/api/v1/campaigns/" + id + "/webhooks", "campaign_admin",
                   R"({"url":"http://127.0.0.150:9/","events":["answered","ended"]})");
  ASSERT_EQ(made.status, 201);
  const auto hid = made.json().at("id").as_int64();
  ASSERT_EQ(post("/api/v1/campaigns/" + id + "/leads", "campaign_admin", "Ann,5550100\n").status, 200);
  db->exec("UPDATE leads SET external_id = 'crm-7', fields = '{\"tier\":\"gold\"}' WHERE campaign_id = " + id);
  const auto attempt = db->exec("INSERT INTO call_attempts (campaign_id, lead_id, number) SELECT campaign_id, id, phone "
                                "FROM leads WHERE campaign_id = " + id + " RETURNING id")[0][0].as<long long>();
  {
    auto conn = sql::open_prepared(db->url());
    pqxx::work tx(*conn);
    // The events the webhook asked for are queued, with the lead's fields; the others are not.
    EXPECT_EQ(sql::enqueue_webhook_event(tx, cid, attempt, "answered", R"({"event":"answered"})"), 1);
    EXPECT_EQ(sql::enqueue_webhook_event(tx, cid, attempt, "verdict", R"({"event":"verdict"})"), 0);
    EXPECT_EQ(sql::enqueue_webhook_event(tx, cid, attempt, "ended", R"({"event":"ended"})"), 1);
    // One try of `answered` failed, due again later; `ended` was delivered.
    auto first = sql::claim_delivery(tx);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->event, "answered");
    const auto body = json::parse(first->body).as_object();
    EXPECT_EQ(body.at("lead").at("name"), "Ann");
    EXPECT_EQ(body.at("lead").at("externalId"), "crm-7");
    EXPECT_EQ(body.at("lead").at("extra").at("tier"), "gold");
    EXPECT_EQ(body.at("lead").at("phoneRaw"), "5550100");
    sql::mark_retry(tx, first->id, 503, "HTTP 503", false, 60);
    auto second = sql::claim_delivery(tx);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->event, "ended");
    sql::mark_delivered(tx, second->id, 204);
    EXPECT_FALSE(sql::claim_delivery(tx));  // the failed one waits its minute
    tx.commit();
  }
  for (const auto* who : {"campaign_admin", "campaign_supervisor"}) {
    auto log = get("/api/v1/webhooks/" + std::to_string(hid) + "/deliveries", who);
    ASSERT_EQ(log.status, 200) << log.body;
    const auto doc = log.json();
    const auto& rows = doc.at("deliveries").as_array();
    ASSERT_EQ(rows.size(), 2u);
    const auto& ended = rows[0].as_object();  // newest first
    EXPECT_EQ(ended.at("event"), "ended");
    EXPECT_EQ(ended.at("status"), "delivered");
    EXPECT_EQ(ended.at("attempts"), 1);
    EXPECT_EQ(ended.at("lastStatus"), 204);
    EXPECT_FALSE(ended.at("deliveredAt").is_null());
    EXPECT_TRUE(ended.at("nextTryAt").is_null());
    const auto& answered = rows[1].as_object();
    EXPECT_EQ(answered.at("status"), "pending");
    EXPECT_EQ(answered.at("attempts"), 1);
    EXPECT_EQ(answered.at("lastStatus"), 503);
    EXPECT_EQ(answered.at("lastError"), "HTTP 503");
    EXPECT_FALSE(answered.at("nextTryAt").is_null());
    EXPECT_EQ(answered.at("attemptId"), attempt);
  }
}

}  // namespace
