// Campaigns and their schedules: settings, start/stop, summary, capacity and live view.
//
// Campaign Administrators change campaigns of their groups; Supervisors read them. Settings,
// schedules and leads change only while a campaign is not STARTED (409 otherwise). A disabled
// group takes no new campaigns and its stopped campaigns cannot start.
#include "control/campaign/campaign_settings.h"
#include "control/api/control_api.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kAdmin = Access::only({Role::campaign_admin});
const auto kReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor});

const char* kStatuses[] = {"NOT_CALLED", "SUCCESS", "FAILURE", "BUSY", "NO_ANSWER", "REJECTED", "AMD",
                           "SERVICE_TEMPORARILY_UNAVAILABLE", "DNC", "UNKNOWN"};

json::object campaign_json(const pqxx::row& row) {
  auto o = CampaignSettings::from_row(row).to_json();
  o["id"] = row["id"].as<long long>();
  o["state"] = row["state"].as<std::string>();
  o["freeAgents"] = row["free_agents"].as<int>();
  o["createdAt"] = row["created_at"].as<std::string>();
  o["updatedAt"] = row["updated_at"].as<std::string>();
  return o;
}

void check_references(pqxx::transaction_base& tx, const ApiContext& ctx, const CampaignSettings& c, bool group_changed) {
  if (!ctx.me().in_group(c.group_id)) fail(403, "forbidden", "you are not in group " + std::to_string(c.group_id), "groupId");
  if (group_changed) {
    auto g = tx.exec_prepared("group_get", c.group_id);
    if (g.empty()) invalid("groupId", "no such group");
    if (!g[0]["enabled"].as<bool>())
      fail(409, "group_disabled", "group " + std::to_string(c.group_id) + " is disabled: no campaign may be created in or moved to it", "groupId");
  }
  if (tx.exec_prepared1("timezone_exists", c.time_zone)[0].as<long long>() == 0)
    invalid("timeZone", "unknown time zone '" + c.time_zone + "' (use an IANA name like Europe/London)");
  if (c.dnc_service_id && tx.exec_prepared("dnc_service_get", *c.dnc_service_id).empty())
    invalid("dncServiceId", "no such do-not-call service");
  if (c.dnc_list_id && tx.exec_prepared("dnc_list_get", *c.dnc_list_id).empty())
    invalid("dncListId", "no such do-not-call list");
}

pqxx::result write_campaign(pqxx::transaction_base& tx, const char* stmt, std::optional<long long> id,
                            const CampaignSettings& c) {
  const auto rules = json::serialize(c.retry_rules), amd = json::serialize(c.amd_params);
  if (id)
    return tx.exec_prepared(stmt, *id, c.name, c.description, c.group_id, c.start_date, c.end_date, c.start_time,
                            c.end_time, c.weekdays, c.time_zone, c.pilot_number, c.kind, c.queue, c.max_attempts,
                            c.retry_minutes, rules, c.amd_enabled, amd, c.voicemail_message, c.dnc_service_id,
                            c.dnc_list_id, c.dial_prefix, c.caller_id, c.max_concurrent, c.fixed_channels);
  return tx.exec_prepared(stmt, c.name, c.description, c.group_id, c.start_date, c.end_date, c.start_time, c.end_time,
                          c.weekdays, c.time_zone, c.pilot_number, c.kind, c.queue, c.max_attempts, c.retry_minutes,
                          rules, c.amd_enabled, amd, c.voicemail_message, c.dnc_service_id, c.dnc_list_id,
                          c.dial_prefix, c.caller_id, c.max_concurrent, c.fixed_channels);
}

/// The campaign row, locked, after checking access; 409 when it is running and `must_be_stopped`.
pqxx::row lock_campaign(pqxx::transaction_base& tx, const ApiContext& ctx, long long id, bool must_be_stopped) {
  authorize_campaign(tx, ctx, id, true);
  auto row = tx.exec_prepared1("campaign_row_locked", id);
  if (must_be_stopped && row["state"].as<std::string>() == "STARTED")
    fail(409, "campaign_running", "stop the campaign first: settings, schedules and leads change only while it is stopped");
  return row;
}

json::array schedules_json(pqxx::transaction_base& tx, long long id) {
  json::array out;
  for (auto row : tx.exec_prepared("schedules_list", id))
    out.push_back(json::object{{"id", row["id"].as<long long>()},
                               {"day", row["day"].as<std::string>()},
                               {"startTime", row["start_time"].as<std::string>()},
                               {"endTime", row["end_time"].as<std::string>()},
                               {"state", row["state"].as<std::string>()}});
  return out;
}

}  // namespace

long long authorize_campaign(pqxx::transaction_base& tx, const ApiContext& ctx, long long campaign_id, bool write) {
  auto rows = tx.exec_prepared("campaign_group", campaign_id);
  if (rows.empty()) fail(404, "not_found", "no such campaign");
  const auto group = rows[0][0].as<long long>();
  const auto role = ctx.me().role;
  const bool ok = ctx.me().in_group(group) &&
                  (role == Role::campaign_admin || (!write && role == Role::campaign_supervisor));
  if (!ok) fail(404, "not_found", "no such campaign");
  return group;
}

void add_campaign_routes(Router& r, ApiServices& s) {
  r.add({"GET", "/api/v1/campaigns", "list campaigns (hideFinished=true hides finished ones)", kReaders, "",
         [&s](ApiContext& ctx) {
           const bool hide = ctx.query_bool("hideFinished", false);
           return s.db.with([&](pqxx::connection& c) {
             pqxx::read_transaction tx(c);
             json::array out;
             for (auto row : tx.exec_prepared("campaigns_list", hide))
               if (ctx.me().in_group(row["group_id"].as<long long>())) out.push_back(campaign_json(row));
             return json_response(json::object{{"campaigns", std::move(out)}});
           });
         }});

  r.add({"POST", "/api/v1/campaigns", "create campaigns", kAdmin, "json", [&s](ApiContext& ctx) {
           const auto body = ctx.json();
           CampaignSettings cs;
           cs.apply(body, true);
           return s.db.with([&](pqxx::connection& c) {
             pqxx::work tx(c);
             check_references(tx, ctx, cs, true);
             if (!tx.exec_prepared("campaign_id_by_name", cs.name).empty())
               fail(409, "conflict", "campaign name '" + cs.name + "' is taken", "name");
             const auto id = write_campaign(tx, "campaign_insert", std::nullopt, cs)[0][0].as<long long>();
             tx.exec_prepared0("schedules_generate", id, cs.start_time, cs.end_time, cs.start_date, cs.end_date,
                               cs.weekdays, cs.start_date);
             s.audit(tx, ctx, "create", "campaign/" + std::to_string(id), {{"name", cs.name}});
             auto out = campaign_json(tx.exec_prepared1("campaign_row", id));
             out["schedules"] = schedules_json(tx, id);
             tx.commit();
             return json_response(out, 201);
           });
         }});

  r.add({"GET", "/api/v1/campaigns/{id}", "view campaign settings", kReaders, "", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           return s.db.with([&](pqxx::connection& c) {
             pqxx::read_transaction tx(c);
             authorize_campaign(tx, ctx, id, false);
             return json_response(campaign_json(tx.exec_prepared1("campaign_row", id)));
           });
         }});

  r.add({"PATCH", "/api/v1/campaigns/{id}", "update campaign settings (while stopped)", kAdmin, "json",
         [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           const auto body = ctx.json();
           return s.db.with([&](pqxx::connection& c) {
             pqxx::work tx(c);
             auto row = lock_campaign(tx, ctx, id, true);
             auto cs = CampaignSettings::from_row(row);
             const auto before = cs;
             cs.apply(body, false);
             check_references(tx, ctx, cs, cs.group_id != before.group_id);
             if (cs.name != before.name && !tx.exec_prepared("campaign_id_by_name", cs.name).empty())
               fail(409, "conflict", "campaign name '" + cs.name + "' is taken", "name");
             write_campaign(tx, "campaign_update", id, cs);
             // New dates, weekdays or hours reshape the days not yet dialed.
             if (cs.start_date != before.start_date || cs.end_date != before.end_date || cs.weekdays != before.weekdays) {
               const auto today = tx.exec_prepared1("campaign_today", id)[0].as<std::string>();
               tx.exec_prepared0("schedules_delete_unstarted", id, today);
               tx.exec_prepared0("schedules_generate", id, cs.start_time, cs.end_time, cs.start_date, cs.end_date,
                                 cs.weekdays, today);
             } else if (cs.start_time != before.start_time || cs.end_time != before.end_time) {
               const auto today = tx.exec_prepared1("campaign_today", id)[0].as<std::string>();
               tx.exec_prepared0("schedules_set_hours", id, cs.start_time, cs.end_time, today);
             }
             s.audit(tx, ctx, "update", "campaign/" + std::to_string(id), body);
             auto out = campaign_json(tx.exec_prepared1("campaign_row", id));
             tx.commit();
             return json_response(out);
           });
         }});

  r.add({"DELETE", "/api/v1/campaigns/{id}", "delete campaigns (while stopped)", kAdmin, "", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           return s.db.with([&](pqxx::connection& c) {
             pqxx::work tx(c);
             auto row = lock_campaign(tx, ctx, id, true);
             if (!tx.exec_prepared("attempts_open", id).empty())
               fail(409, "calls_in_progress", "calls of this campaign are still in progress");
             tx.exec_prepared0("campaign_delete", id);
             s.audit(tx, ctx, "delete", "campaign/" + std::to_string(id), {{"name", row["name"].as<std::string>()}});
             tx.commit();
             return no_content();
           });
         }});

  r.add({"POST", "/api/v1/campaigns/{id}/start", "start campaigns", kAdmin, "", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           auto res = s.db.with([&](pqxx::connection& c) {
             pqxx::work tx(c);
             auto row = lock_campaign(tx, ctx, id, false);
             if (row["state"].as<std::string>() == "STARTED") fail(409, "already_started", "the campaign is already started");
             if (!tx.exec_prepared1("group_get", row["group_id"].as<long long>())["enabled"].as<bool>())
               fail(409, "group_disabled", "the campaign's group is disabled: its stopped campaigns cannot start");
             tx.exec_prepared0("campaign_set_state", id, "STARTED");
             s.audit(tx, ctx, "start", "campaign/" + std::to_string(id));
             auto out = campaign_json(tx.exec_prepared1("campaign_row", id));
             tx.commit();
             return json_response(out);
           });
           if (s.runner) s.runner->wake();
           return res;
         }});

  r.add({"POST", "/api/v1/campaigns/{id}/stop", "stop campaigns (calls in progress finish)", kAdmin, "",
         [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           auto res = s.db.with([&](pqxx::connection& c) {
             pqxx::work tx(c);
             auto row = lock_campaign(tx, ctx, id, false);
             if (row["state"].as<std::string>() != "STARTED") fail(409, "not_started", "the campaign is not started");
             tx.exec_prepared0("campaign_set_state", id, "STOPPED");
             tx.exec_prepared0("schedules_pause", id);
             s.audit(tx, ctx, "stop", "campaign/" + std::to_string(id));
             auto out = campaign_json(tx.exec_prepared1("campaign_row", id));
             tx.commit();
             return json_response(out);
           });
           if (s.runner) s.runner->wake();
           return res;
         }});

  r.add({"GET", "/api/v1/campaigns/{id}/summary", "read campaign summaries", kReaders, "", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           return s.db.with([&](pqxx::connection& c) {
             pqxx::read_transaction tx(c);
             authorize_campaign(tx, ctx, id, false);
             json::object counts;
             for (const char* st : kStatuses) counts[st] = 0;
             long long total = 0;
             for (auto row : tx.exec_prepared("lead_counts", id)) {
               counts[row[0].as<std::string>()] = row[1].as<long long>();
               total += row[1].as<long long>();
             }
             const auto pending = tx.exec_prepared1("leads_pending", id)[0].as<long long>();
             const auto attempts = tx.exec_prepared1("attempt_count", id)[0].as<long long>();
             return json_response(json::object{{"campaign", campaign_json(tx.exec_prepared1("campaign_row", id))},
                                               {"leads", json::object{{"total", total}, {"pending", pending}, {"byStatus", counts}}},
                                               {"attempts", attempts}});
           });
         }});

  r.add({"PUT", "/api/v1/campaigns/{id}/agents", "report free agents or IVR channels (the contact center)", kAdmin,
         "json", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           const auto body = ctx.json();
           reject_unknown(body, {"freeAgents"});
           const auto n = *get_int(body, "freeAgents", true, 0, 10000);
           s.db.with([&](pqxx::connection& c) {
             pqxx::work tx(c);
             authorize_campaign(tx, ctx, id, true);
             tx.exec_prepared0("campaign_set_free_agents", id, n);
             tx.commit();
           });
           if (s.runner) s.runner->wake();
           return json_response(json::object{{"freeAgents", n}});
         }});

  r.add({"GET", "/api/v1/campaigns/{id}/live", "watch a campaign's live figures", kReaders, "", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           s.db.with([&](pqxx::connection& c) {
             pqxx::read_transaction tx(c);
             authorize_campaign(tx, ctx, id, false);
           });
           if (!s.runner) fail(503, "no_runner", "no campaign runner runs in this process");
           return json_response(s.runner->live(id));
         }});

  r.add({"GET", "/api/v1/campaigns/{id}/events", "stream a campaign's call events (server-sent events)", kReaders, "",
         [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           s.db.with([&](pqxx::connection& c) {
             pqxx::read_transaction tx(c);
             authorize_campaign(tx, ctx, id, false);
           });
           if (!s.runner) fail(503, "no_runner", "no campaign runner runs in this process");
           HttpResponse res;
           res.content_type = "text/event-stream";
           res.events = s.runner->subscribe(id);
           res.events_recheck = stream_recheck(s, ctx, id);  // logout, disable, delete end the stream
           return res;
         }});

  // ---- schedules ----
  r.add({"GET", "/api/v1/campaigns/{id}/schedules", "list schedules", kReaders, "", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           return s.db.with([&](pqxx::connection& c) {
             pqxx::read_transaction tx(c);
             authorize_campaign(tx, ctx, id, false);
             return json_response(json::object{{"schedules", schedules_json(tx, id)}});
           });
         }});

  r.add({"PATCH", "/api/v1/campaigns/{id}/schedules", "change the hours of every remaining day (while stopped)", kAdmin,
         "json", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           auto body = ctx.json();
           reject_unknown(body, {"startTime", "endTime"});
           return s.db.with([&](pqxx::connection& c) {
             pqxx::work tx(c);
             auto row = lock_campaign(tx, ctx, id, true);
             auto cs = CampaignSettings::from_row(row);
             cs.apply(body, false);  // checks the times and that the end is after the start
             write_campaign(tx, "campaign_update", id, cs);
             const auto today = tx.exec_prepared1("campaign_today", id)[0].as<std::string>();
             const auto changed = tx.exec_prepared("schedules_set_hours", id, cs.start_time, cs.end_time, today).affected_rows();
             s.audit(tx, ctx, "update_hours", "campaign/" + std::to_string(id), body);
             auto out = json::object{{"updated", changed}, {"schedules", schedules_json(tx, id)}};
             tx.commit();
             return json_response(out);
           });
         }});

  r.add({"POST", "/api/v1/campaigns/{id}/schedules", "add a schedule day (while stopped)", kAdmin, "json",
         [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           auto body = ctx.json();
           reject_unknown(body, {"day", "startTime", "endTime"});
           const auto day = *get_string(body, "day", true, 10);
           return s.db.with([&](pqxx::connection& c) {
             pqxx::work tx(c);
             auto row = lock_campaign(tx, ctx, id, true);
             auto cs = CampaignSettings::from_row(row);
             json::object hours;
             if (body.contains("startTime")) hours["startTime"] = body["startTime"];
             if (body.contains("endTime")) hours["endTime"] = body["endTime"];
             hours["startDate"] = day;  // checks the date's form
             hours["endDate"] = day;
             CampaignSettings check = cs;
             try {
               check.apply(hours, false);
             } catch (const ValidationError& e) {
               if (e.field == "startDate" || e.field == "endDate") invalid("day", "day must be a date YYYY-MM-DD");
               throw;
             }
             const auto today = tx.exec_prepared1("campaign_today", id)[0].as<std::string>();
             if (day < today) invalid("day", "day is in the past");
             if (!tx.exec_prepared("schedule_on_day", id, day).empty())
               fail(409, "conflict", "the campaign already has a schedule on " + day, "day");
             tx.exec_prepared0("schedule_add", id, day, check.start_time, check.end_time);
             // The campaign's date range grows to take the day in.
             if (day > cs.end_date) cs.end_date = day;
             if (day < cs.start_date) cs.start_date = day;
             write_campaign(tx, "campaign_update", id, cs);
             s.audit(tx, ctx, "add_schedule", "campaign/" + std::to_string(id), {{"day", day}});
             auto out = json::object{{"schedules", schedules_json(tx, id)}};
             tx.commit();
             return json_response(out, 201);
           });
         }});
}

}  // namespace hark::control
