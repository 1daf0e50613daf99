// Webhooks for CRMs (issue 16 part 4): a campaign's URLs that get a signed POST for call events,
// and each webhook's delivery log. The rules of the campaign's other sub-resources: admins of
// its group write, supervisors read, another group's is the 404 of one that does not exist.
// Delivery itself is control/webhooks/ (the outbox in sql/webhook_store.h).
#include "control/api/control_api.h"
#include "control/webhooks/webhook_http.h"
#include "control/webhooks/webhook_payload.h"
#include "control/webhooks/webhook_signer.h"
#include "sql/webhook_store.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kAdmin = Access::only({Role::campaign_admin});
const auto kReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor});

json::object webhook_json(const sql::WebhookRow& w) {
  json::array events;
  for (const auto& e : w.events) events.emplace_back(e);
  return {{"id", w.id}, {"campaignId", w.campaign_id}, {"url", w.url}, {"events", events}, {"createdAt", w.created_at}};
}

template <class T>
json::value or_null(const std::optional<T>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

/// The events asked for: a non-empty list of distinct kWebhookEvents.
std::vector<std::string> events_of(const json::object& body) {
  const auto* v = body.if_contains("events");
  if (!v) invalid("events", "events is required: some of answered, verdict, transferred, ended");
  if (!v->is_array() || v->as_array().empty())
    invalid("events", "events must be a non-empty list of answered, verdict, transferred, ended");
  std::vector<std::string> out;
  for (const auto& e : v->as_array()) {
    if (!e.is_string() || !is_webhook_event(e.as_string()))
      invalid("events", "events may hold only answered, verdict, transferred and ended");
    std::string name(e.as_string());
    if (std::find(out.begin(), out.end(), name) != out.end()) invalid("events", "events names " + name + " twice");
    out.push_back(std::move(name));
  }
  return out;
}

/// POST /campaigns/{id}/webhooks: the secret is generated when absent and shown only here.
HttpResponse create_webhook(ApiServices& s, ApiContext& ctx) {
  auto body = ctx.json();
  reject_unknown(body, {"url", "events", "secret"});
  const auto url = *get_string(body, "url", true, 2048, 1);
  if (std::string why; !parse_webhook_url(url, &why)) invalid("url", why);
  const auto events = events_of(body);
  auto secret = get_string(body, "secret", false, 256, 16);
  const std::string key = secret ? *secret : new_webhook_secret();
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    const auto row = sql::insert_webhook(c.tx, c.id, url, events, key);
    s.audit(c.tx, ctx, "create_webhook", "campaign/" + std::to_string(c.id), {{"webhook", row.id}, {"url", url}});
    auto o = webhook_json(row);
    o["secret"] = key;
    return json_response(o, 201);
  });
}

/// GET /campaigns/{id}/webhooks: without their secrets.
HttpResponse list_webhooks(ApiServices& s, ApiContext& ctx) {
  return with_campaign(s, ctx, CampaignUse::read, [](CampaignScope& c) {
    json::array out;
    for (const auto& w : sql::list_webhooks(c.tx, c.id)) out.push_back(webhook_json(w));
    return json_response(json::object{{"webhooks", out}});
  });
}

/// Runs `fn(tx, webhook id)` once the caller may see (write: change) the webhook's campaign;
/// 404 for a webhook that does not exist or whose campaign is another group's.
template <class Tx, class F>
HttpResponse with_webhook(ApiServices& s, ApiContext& ctx, bool write, F&& fn) {
  const auto id = ctx.id("id");
  return s.db.with([&](pqxx::connection& conn) {
    Tx tx(conn);
    const auto campaign = sql::webhook_campaign(tx, id);
    if (!campaign) fail(404, "not_found", "no such webhook");
    try {
      authorize_campaign(tx, ctx, *campaign, write);
    } catch (const ApiError&) {
      fail(404, "not_found", "no such webhook");
    }
    auto res = fn(tx, id, *campaign);
    if (write) tx.commit();
    return res;
  });
}

/// DELETE /webhooks/{id}: its pending deliveries go with it.
HttpResponse delete_webhook(ApiServices& s, ApiContext& ctx) {
  return with_webhook<pqxx::work>(s, ctx, true, [&](pqxx::transaction_base& tx, long long id, long long campaign) {
    sql::delete_webhook(tx, id);
    s.audit(tx, ctx, "delete_webhook", "campaign/" + std::to_string(campaign), {{"webhook", id}});
    return no_content();
  });
}

/// GET /webhooks/{id}/deliveries[?limit=]: the delivery log, newest first.
HttpResponse list_deliveries(ApiServices& s, ApiContext& ctx) {
  const auto limit = ctx.query_int("limit", 100, 1, 1000);
  return with_webhook<pqxx::read_transaction>(s, ctx, false, [&](pqxx::transaction_base& tx, long long id, long long) {
    json::array out;
    for (const auto& d : sql::list_deliveries(tx, id, int(limit)))
      out.push_back(json::object{{"id", d.id},
                                 {"attemptId", or_null(d.attempt_id)},
                                 {"event", d.event},
                                 {"status", d.status},
                                 {"attempts", d.attempts},
                                 {"lastStatus", or_null(d.last_status)},
                                 {"lastError", or_null(d.last_error)},
                                 {"nextTryAt", or_null(d.next_try_at)},
                                 {"createdAt", d.created_at},
                                 {"deliveredAt", or_null(d.delivered_at)}});
    return json_response(json::object{{"deliveries", out}});
  });
}

}  // namespace

void add_webhook_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"POST", "/api/v1/campaigns/{id}/webhooks", "add a webhook (its secret is shown once)", kAdmin, "json",
       create_webhook},
      {"GET", "/api/v1/campaigns/{id}/webhooks", "list a campaign's webhooks (without secrets)", kReaders, "",
       list_webhooks},
      {"DELETE", "/api/v1/webhooks/{id}", "delete a webhook and its pending deliveries", kAdmin, "", delete_webhook},
      {"GET", "/api/v1/webhooks/{id}/deliveries", "a webhook's delivery log, newest first", kReaders, "",
       list_deliveries},
  });
}

}  // namespace hark::control
