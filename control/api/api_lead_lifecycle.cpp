// A lead's life after its upload: one lead as JSON, deleting one, scheduled callbacks,
// recycling a campaign's finished leads (into itself or a new campaign), and cloning a campaign
// without its leads. Each changes leads only while the campaign is stopped, except callbacks.
#include <algorithm>

#include "control/api/campaign_rows.h"
#include "control/campaign/lead_csv.h"
#include "sql/db_pool.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kAdmin = Access::only({Role::campaign_admin});

const char* kRecyclable[] = {"SUCCESS", "FAILURE", "BUSY", "NO_ANSWER", "REJECTED", "AMD",
                             "SERVICE_TEMPORARILY_UNAVAILABLE", "UNKNOWN"};

pqxx::row require_stopped(CampaignScope& c) { return lock_campaign(c, true); }

/// POST /campaigns/{id}/leads.json: one lead, {"phone", "name", "extraPhones", "description",
/// "externalId", "fields"}.
HttpResponse add_lead(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"name", "phone", "extraPhones", "description", "externalId", "fields"});
  Lead lead;
  std::vector<std::string> raw{*get_string(body, "phone", true, 64)};
  if (auto it = body.find("extraPhones"); it != body.end()) {
    if (!it->value().is_array() || it->value().as_array().size() > 20)
      invalid("extraPhones", "extraPhones must be an array of at most 20 numbers");
    for (const auto& v : it->value().as_array()) {
      if (!v.is_string() || v.as_string().size() > 64) invalid("extraPhones", "extraPhones must hold strings");
      raw.emplace_back(v.as_string());
    }
  }
  lead.name = get_string(body, "name", false, 200).value_or("");
  lead.description = get_string(body, "description", false, 2000).value_or("");
  const auto external_id = get_string(body, "externalId", false, 200, 1);
  std::string fields = "{}";
  if (auto it = body.find("fields"); it != body.end()) {
    if (!it->value().is_object()) invalid("fields", "fields must be an object");
    fields = json::serialize(it->value());
  }
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    LeadCsvOptions numbers;
    number_settings(require_stopped(c), numbers);
    if (const auto p = set_lead_numbers(lead, raw, numbers); !p.ok()) invalid("phone", phone_problem(raw[0], p, numbers));
    if (lead.extra_phones.size() + 1 != raw.size())
      invalid("extraPhones", "every extra phone must be a valid number (see defaultRegion and internalLength)");
    auto row = c.tx.exec_prepared1("lead_insert_one", c.id, lead.name, lead.phone,
                                   sql::text_array_literal(lead.extra_phones), lead.description, external_id, fields,
                                   lead.phone_raw);
    s.audit(c.tx, ctx, "create", "lead/" + std::to_string(row["id"].as<long long>()), body);
    return json_response(lead_json(row), 201);
  });
}

/// DELETE /campaigns/{id}/leads/{leadId}: a lead never called (one with calls keeps its records:
/// disable it with PATCH {"disabled": true}).
HttpResponse delete_lead(ApiServices& s, ApiContext& ctx) {
  const auto lead = ctx.id("leadId");
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    require_stopped(c);
    if (c.tx.exec_prepared("lead_get", c.id, lead).empty()) fail(404, "not_found", "no such lead");
    if (c.tx.exec_prepared1("attempts_count", c.id, lead)[0].as<long long>() > 0)
      fail(409, "lead_has_calls", "the lead has calls in the call log: disable it instead (PATCH {\"disabled\": true})");
    if (c.tx.exec_prepared("lead_delete", c.id, lead).empty()) fail(409, "lead_in_progress", "a call to this lead is still up");
    s.audit(c.tx, ctx, "delete", "lead/" + std::to_string(lead));
    return no_content();
  });
}

/// POST /campaigns/{id}/leads/{leadId}/callback {"at", "agent"}: due at `at` (inside one of the
/// campaign's schedule days), ahead of every other due lead. Allowed while the campaign runs.
HttpResponse schedule_callback(ApiServices& s, ApiContext& ctx) {
  const auto lead = ctx.id("leadId");
  const auto body = ctx.json();
  reject_unknown(body, {"at", "agent"});
  const auto at = *get_string(body, "at", true, 64, 1);
  const auto agent = get_string(body, "agent", false, 64);
  // The agent becomes the call's transfer target (a Refer-To user part): a number or an
  // extension's name, nothing that could break out of the URI.
  if (agent && (agent->empty() || agent->find_first_not_of("0123456789+*#._-abcdefghijklmnopqrstuvwxyz"
                                                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos))
    invalid("agent", "agent must be an extension or a number (letters, digits, + * # . _ -)");
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    pqxx::result in_hours;
    try {
      pqxx::subtransaction sub(dynamic_cast<pqxx::dbtransaction&>(c.tx));
      in_hours = sub.exec_prepared("callback_in_hours", c.id, at);
      sub.commit();
    } catch (const pqxx::data_exception&) {
      invalid("at", "at must be a time stamp with its zone, e.g. 2026-12-08T10:00:00+01:00");
    }
    if (in_hours[0][0].as<long long>() == 0)
      invalid("at", "at is outside the campaign's schedule (its days and hours, in its time zone)");
    c.tx.exec_prepared0("lead_dialing_ensure", c.id, lead);  // a copy's row may not exist yet (migration 0023)
    auto rows = c.tx.exec_prepared("lead_set_callback", c.id, lead, at, agent);
    if (rows.empty()) {
      if (c.tx.exec_prepared("lead_get", c.id, lead).empty()) fail(404, "not_found", "no such lead");
      fail(409, "lead_unavailable", "the lead is disabled or a call to it is up");
    }
    s.audit(c.tx, ctx, "callback", "lead/" + std::to_string(lead), body);
    return json_response(lead_json(rows[0]));
  });
}

/// A copy of campaign `from`'s settings with `overrides` applied (a new name by default), its
/// schedule days from today on, and no leads. Returns the new campaign's id.
long long clone_campaign(CampaignScope& c, const ApiContext& ctx, json::object overrides) {
  auto& tx = c.tx;
  auto cs = CampaignSettings::from_row(tx.exec_prepared1("campaign_row", c.id));
  const auto group_before = cs.group_id;
  if (!overrides.contains("name")) overrides["name"] = cs.name + " (copy)";
  cs.apply(overrides, false);
  check_references(tx, ctx, cs, cs.group_id != group_before);
  if (!tx.exec_prepared("campaign_id_by_name", cs.name).empty())
    fail(409, "conflict", "campaign name '" + cs.name + "' is taken", "name");
  const auto id = write_campaign(tx, "campaign_insert", std::nullopt, cs)[0][0].as<long long>();
  if (overrides.contains("startDate") || overrides.contains("endDate") || overrides.contains("weekdays") ||
      overrides.contains("startTime") || overrides.contains("endTime")) {
    const auto today = tx.exec_prepared1("campaign_today", id)[0].as<std::string>();
    tx.exec_prepared0("schedules_generate", id, cs.start_time, cs.end_time, cs.start_date, cs.end_date, cs.weekdays,
                      today);
  } else {  // the source's days as they are (hours changed by day, days added), from today on
    const auto today = tx.exec_prepared1("campaign_today", c.id)[0].as<std::string>();
    tx.exec_prepared0("schedules_copy", c.id, id, today);
  }
  return id;
}

/// POST /campaigns/{id}/clone: settings, schedule days, do-not-call choice; no leads.
HttpResponse clone(ApiServices& s, ApiContext& ctx) {
  auto body = ctx.req.body.empty() ? json::object() : ctx.json();
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    const auto id = clone_campaign(c, ctx, body);
    s.audit(c.tx, ctx, "clone", "campaign/" + std::to_string(c.id), {{"campaignId", id}});
    auto out = campaign_json(c.tx.exec_prepared1("campaign_row", id));
    out["schedules"] = schedules_json(c.tx, id);
    return json_response(out, 201);
  });
}

/// POST /campaigns/{id}/recycle {"statuses": [...], "target": "same" | {"newCampaign": {...}}}:
/// the leads of those statuses dialed again in a new round, here or as copies in a new campaign.
HttpResponse recycle(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"statuses", "target"});
  auto* st = body.if_contains("statuses");
  if (!st || !st->is_array() || st->as_array().empty())
    invalid("statuses", "statuses must be a non-empty array of lead statuses");
  std::vector<std::string> statuses;
  for (const auto& v : st->as_array()) {
    const std::string x = v.is_string() ? std::string(v.as_string()) : "";
    if (x == "DNC") invalid("statuses", "DNC leads are never recycled");
    if (std::find(std::begin(kRecyclable), std::end(kRecyclable), x) == std::end(kRecyclable))
      invalid("statuses", "'" + x + "' is not a recyclable status (finished leads' statuses other than DNC)");
    statuses.push_back(x);
  }
  auto* target = body.if_contains("target");
  const bool same = !target || (target->is_string() && target->as_string() == "same");
  if (!same && !(target->is_object() && target->as_object().contains("newCampaign") &&
                 target->as_object().at("newCampaign").is_object() && target->as_object().size() == 1))
    invalid("target", "target must be \"same\" or {\"newCampaign\": {settings}}");
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    require_stopped(c);
    const auto list = sql::text_array_literal(statuses);
    json::object out{{"statuses", st->as_array()}};
    if (same) {
      const auto n = c.tx.exec_prepared0("leads_recycle_same", c.id, list).affected_rows();
      out["campaignId"] = c.id, out["recycled"] = n;
    } else {
      const auto id = clone_campaign(c, ctx, target->as_object().at("newCampaign").as_object());
      const auto n = c.tx.exec_prepared0("leads_recycle_copy", c.id, id, list).affected_rows();
      out["campaignId"] = id, out["recycled"] = n, out["newCampaign"] = campaign_json(c.tx.exec_prepared1("campaign_row", id));
    }
    s.audit(c.tx, ctx, "recycle", "campaign/" + std::to_string(c.id), out);
    return json_response(out);
  });
}

}  // namespace

void add_lead_lifecycle_summary(pqxx::transaction_base& tx, long long campaign_id, json::object& leads) {
  json::object rounds;
  for (auto row : tx.exec_prepared("lead_rounds", campaign_id)) rounds[row[0].as<std::string>()] = row[1].as<long long>();
  leads["byRound"] = std::move(rounds);
  leads["callbacksPending"] = tx.exec_prepared1("lead_callbacks_pending", campaign_id)[0].as<long long>();
  leads["disabled"] = tx.exec_prepared1("leads_disabled", campaign_id)[0].as<long long>();
}

void add_lead_lifecycle_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"POST", "/api/v1/campaigns/{id}/leads.json", "add one lead as JSON (while stopped)", kAdmin, "json", add_lead},
      {"DELETE", "/api/v1/campaigns/{id}/leads/{leadId}", "delete a lead never called (while stopped)", kAdmin, "",
       delete_lead},
      {"POST", "/api/v1/campaigns/{id}/leads/{leadId}/callback", "schedule a callback (at, agent)", kAdmin, "json",
       schedule_callback},
      {"POST", "/api/v1/campaigns/{id}/recycle", "recycle leads by status (while stopped; same or a new campaign)",
       kAdmin, "json", recycle},
      {"POST", "/api/v1/campaigns/{id}/clone", "clone a campaign without its leads", kAdmin, "json", clone},
  });
}

}  // namespace hark::control
