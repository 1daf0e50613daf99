// Campaigns: settings, start/stop, summary, capacity, live view and event stream.
//
// Campaign Administrators change campaigns of their groups; Supervisors read them. Settings,
// schedules and leads change only while a campaign is not STARTED (409 otherwise). A disabled
// group takes no new campaigns and its stopped campaigns cannot start.
#include <algorithm>
#include <ctime>

#include "control/api/campaign_rows.h"
#include "control/campaign/calling_hours.h"
#include "sql/prompt_store.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kAdmin = Access::only({Role::campaign_admin});
const auto kReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor});

/// UTC seconds -> "2026-12-02T08:00:00Z".
std::string iso_utc(std::int64_t t) {
  const std::time_t tt = t;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

const char* kStatuses[] = {"NOT_CALLED", "SUCCESS", "FAILURE", "BUSY", "NO_ANSWER", "REJECTED", "AMD",
                           "SERVICE_TEMPORARILY_UNAVAILABLE", "DNC", "UNKNOWN", "ABANDONED"};

}  // namespace

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
  // A campaign uses its own group's do-not-call sources or global ones; another group's list
  // is "no such list", the same answer as one that does not exist.
  auto usable = [&](const pqxx::result& rows) {
    return !rows.empty() && (rows[0]["group_id"].is_null() || rows[0]["group_id"].as<long long>() == c.group_id);
  };
  if (c.dnc_service_id && !usable(tx.exec_prepared("dnc_service_get", *c.dnc_service_id)))
    invalid("dncServiceId", "no such do-not-call service");
  if (c.dnc_list_id && !usable(tx.exec_prepared("dnc_list_get", *c.dnc_list_id)))
    invalid("dncListId", "no such do-not-call list");
  // The prompt must be the campaign's group's (checked again when the campaign changes group).
  if (c.voicemail_prompt_id) {
    const auto p = sql::get_prompt(tx, *c.voicemail_prompt_id);
    if (!p || p->group_id != c.group_id)
      invalid("voicemailPromptId", "no such prompt in group " + std::to_string(c.group_id) + " (POST /api/v1/prompts)");
  }
  if (c.identification_prompt_id) {
    const auto p = sql::get_prompt(tx, *c.identification_prompt_id);
    if (!p || p->group_id != c.group_id)
      invalid("identificationPrompt", "no such prompt in group " + std::to_string(c.group_id) + " (POST /api/v1/prompts)");
  }
}

namespace {

/// The runner dials by campaign state and free agents: tell it they changed.
void wake_runner(ApiServices& s) {
  if (s.runner) s.runner->wake();
}

/// GET /campaigns: the campaigns of the caller's groups.
HttpResponse list_campaigns(ApiServices& s, ApiContext& ctx) {
  const bool hide = ctx.query_bool("hideFinished", false);
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::array out;
    for (auto row : tx.exec_prepared("campaigns_list", hide))
      if (ctx.me().in_group(row["group_id"].as<long long>())) out.push_back(campaign_json(row));
    return json_response(json::object{{"campaigns", std::move(out)}});
  });
}

/// A campaign's trunk group must be one the configuration names (422 otherwise).
void check_trunk_group(const ApiServices& s, const CampaignSettings& cs) {
  if (cs.trunk_group.empty() || s.trunk_groups.empty()) return;
  if (std::find(s.trunk_groups.begin(), s.trunk_groups.end(), cs.trunk_group) != s.trunk_groups.end()) return;
  std::string known;
  for (const auto& g : s.trunk_groups) known += (known.empty() ? "" : ", ") + g;
  throw ValidationError("trunkGroup", "no trunk group named '" + cs.trunk_group + "' (configured: " + known + ")");
}

/// POST /campaigns: a new campaign with one schedule per execution day.
HttpResponse create_campaign(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  CampaignSettings cs;
  cs.apply(body, true);
  check_trunk_group(s, cs);
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
}

/// GET /campaigns/{id}: its settings and state.
HttpResponse get_campaign(ApiServices& s, ApiContext& ctx) {
  return with_campaign(s, ctx, CampaignUse::read, [](CampaignScope& c) {
    return json_response(campaign_json(c.tx.exec_prepared1("campaign_row", c.id)));
  });
}

/// PATCH /campaigns/{id}: new settings while stopped; new dates or hours reshape the days to come.
HttpResponse update_campaign(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    auto& tx = c.tx;
    auto cs = CampaignSettings::from_row(lock_campaign(c, true));
    const auto before = cs;
    cs.apply(body, false);
    if (cs.trunk_group != before.trunk_group) check_trunk_group(s, cs);
    check_references(tx, ctx, cs, cs.group_id != before.group_id);
    if (cs.name != before.name && !tx.exec_prepared("campaign_id_by_name", cs.name).empty())
      fail(409, "conflict", "campaign name '" + cs.name + "' is taken", "name");
    write_campaign(tx, "campaign_update", c.id, cs);
    // New dates, weekdays or hours reshape the days not yet dialed.
    if (cs.start_date != before.start_date || cs.end_date != before.end_date || cs.weekdays != before.weekdays) {
      const auto today = tx.exec_prepared1("campaign_today", c.id)[0].as<std::string>();
      tx.exec_prepared0("schedules_delete_unstarted", c.id, today);
      tx.exec_prepared0("schedules_generate", c.id, cs.start_time, cs.end_time, cs.start_date, cs.end_date,
                        cs.weekdays, today);
    } else if (cs.start_time != before.start_time || cs.end_time != before.end_time) {
      const auto today = tx.exec_prepared1("campaign_today", c.id)[0].as<std::string>();
      tx.exec_prepared0("schedules_set_hours", c.id, cs.start_time, cs.end_time, today);
    }
    s.audit(tx, ctx, "update", "campaign/" + std::to_string(c.id), body);
    return json_response(campaign_json(tx.exec_prepared1("campaign_row", c.id)));
  });
}

/// DELETE /campaigns/{id}: while stopped and no call of it is still up.
HttpResponse delete_campaign(ApiServices& s, ApiContext& ctx) {
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    auto row = lock_campaign(c, true);
    if (!c.tx.exec_prepared("attempts_open", c.id).empty())
      fail(409, "calls_in_progress", "calls of this campaign are still in progress");
    c.tx.exec_prepared0("campaign_delete", c.id);
    s.audit(c.tx, ctx, "delete", "campaign/" + std::to_string(c.id), {{"name", row["name"].as<std::string>()}});
    return no_content();
  });
}

/// POST /campaigns/{id}/start: STARTED, unless its group is disabled.
HttpResponse start_campaign(ApiServices& s, ApiContext& ctx) {
  auto res = with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    auto row = lock_campaign(c, false);
    if (row["state"].as<std::string>() == "STARTED") fail(409, "already_started", "the campaign is already started");
    if (!c.tx.exec_prepared1("group_get", row["group_id"].as<long long>())["enabled"].as<bool>())
      fail(409, "group_disabled", "the campaign's group is disabled: its stopped campaigns cannot start");
    // Calling hours: leads whose zones are not known yet (added one by one, or from before
    // migration 0019) get them now, before the runner claims any; the claim tests the zones
    // the campaign's leads have (they change only while it is stopped).
    if (!row["calling_start"].is_null()) prepare_calling_hours(c.tx, c.id);
    // A recycle's copies get their dialing rows now, before the runner claims any (the runner
    // reads lead_dialing only; migration 0023). Nothing for any other campaign.
    c.tx.exec_prepared0("lead_dialing_make_pending", c.id);
    c.tx.exec_prepared0("campaign_set_state", c.id, "STARTED");
    s.audit(c.tx, ctx, "start", "campaign/" + std::to_string(c.id));
    return json_response(campaign_json(c.tx.exec_prepared1("campaign_row", c.id)));
  });
  wake_runner(s);
  return res;
}

/// POST /campaigns/{id}/stop: no new calls; calls up finish and are logged. Also from PAUSED.
HttpResponse stop_campaign(ApiServices& s, ApiContext& ctx) {
  auto res = with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    auto row = lock_campaign(c, false);
    // A campaign the runner paused (PAUSED, with its lastError) may be stopped too.
    const auto state = row["state"].as<std::string>();
    if (state != "STARTED" && state != "PAUSED") fail(409, "not_started", "the campaign is not started");
    c.tx.exec_prepared0("campaign_set_state", c.id, "STOPPED");
    c.tx.exec_prepared0("schedules_pause", c.id);
    s.audit(c.tx, ctx, "stop", "campaign/" + std::to_string(c.id));
    return json_response(campaign_json(c.tx.exec_prepared1("campaign_row", c.id)));
  });
  wake_runner(s);
  return res;
}

/// GET /campaigns/{id}/summary: settings, state, leads by status (all ten), pending, attempts,
/// today's figures.
HttpResponse get_campaign_summary(ApiServices& s, ApiContext& ctx) {
  return with_campaign(s, ctx, CampaignUse::read, [](CampaignScope& c) {
    json::object counts;
    for (const char* st : kStatuses) counts[st] = 0;
    long long total = 0;
    for (auto row : c.tx.exec_prepared("lead_counts", c.id)) {
      counts[row[0].as<std::string>()] = row[1].as<long long>();
      total += row[1].as<long long>();
    }
    const auto pending = c.tx.exec_prepared1("leads_pending", c.id)[0].as<long long>();
    // attempts: every call row; chargedAttempts: those counted in the leads' attempts (the rest
    // were failed by our own trunk, see trunk_backoff.h).
    const auto n = c.tx.exec_prepared1("attempt_count", c.id);
    json::object leads{{"total", total}, {"pending", pending}, {"byStatus", counts}};
    add_lead_lifecycle_summary(c.tx, c.id, leads);  // byRound, callbacksPending, disabled
    // Due leads outside their calling hours (in their own time zones), and when the first may be called.
    const auto window = window_summary(c.tx, c.id);
    leads["waitingForWindow"] = window.waiting;
    leads["windowOpensAt"] = window.next_open_s ? json::value(iso_utc(*window.next_open_s)) : json::value(nullptr);
    const auto row = c.tx.exec_prepared1("campaign_row", c.id);
    return json_response(json::object{{"campaign", campaign_json(row)},
                                      {"leads", std::move(leads)},
                                      {"abandoned", abandon_summary(c.tx, c.id, row["count_amd_false_positives"].as<bool>())},
                                      {"attempts", n[0].as<long long>()},
                                      {"chargedAttempts", n[1].as<long long>()},
                                      // today's figures, as GET /live gives them
                                      {"today", campaign_live_figures(c.tx, c.id, c.group)}});
  });
}

/// PUT /campaigns/{id}/agents: the contact center reports free agents / IVR channels.
HttpResponse put_free_agents(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"freeAgents"});
  const auto n = *get_int(body, "freeAgents", true, 0, 10000);
  auto res = with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    c.tx.exec_prepared0("campaign_set_free_agents", c.id, n);
    return json_response(json::object{{"freeAgents", n}});
  });
  wake_runner(s);
  return res;
}

/// GET /campaigns/{id}/live: today's figures from PostgreSQL (the same from every process).
HttpResponse get_live(ApiServices& s, ApiContext& ctx) {
  return with_campaign(s, ctx, CampaignUse::read,
                       [&](CampaignScope& c) { return json_response(campaign_live_figures(c.tx, c.id, c.group)); });
}

/// GET /campaigns/{id}/events: server-sent events of every call state change.
HttpResponse get_events(ApiServices& s, ApiContext& ctx) {
  return with_campaign(s, ctx, CampaignUse::read, [&](CampaignScope& c) {
    if (!s.runner) fail(503, "no_runner", "no campaign runner runs in this process");
    HttpResponse res;
    res.content_type = "text/event-stream";
    res.events = s.runner->subscribe(c.id);
    res.events_recheck = stream_recheck(s, ctx, c.id);  // logout, disable, delete end the stream
    return res;
  });
}

}  // namespace

void add_campaign_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"GET", "/api/v1/campaigns", "list campaigns (hideFinished=true hides finished ones)", kReaders, "", list_campaigns},
      {"POST", "/api/v1/campaigns", "create campaigns", kAdmin, "json", create_campaign},
      {"GET", "/api/v1/campaigns/{id}", "view campaign settings", kReaders, "", get_campaign},
      {"PATCH", "/api/v1/campaigns/{id}", "update campaign settings (while stopped)", kAdmin, "json", update_campaign},
      {"DELETE", "/api/v1/campaigns/{id}", "delete campaigns (while stopped)", kAdmin, "", delete_campaign},
      {"POST", "/api/v1/campaigns/{id}/start", "start campaigns", kAdmin, "", start_campaign},
      {"POST", "/api/v1/campaigns/{id}/stop", "stop campaigns (calls in progress finish)", kAdmin, "", stop_campaign},
      {"GET", "/api/v1/campaigns/{id}/summary", "read campaign summaries", kReaders, "", get_campaign_summary},
      {"PUT", "/api/v1/campaigns/{id}/agents", "report free agents or IVR channels (the contact center)", kAdmin,
       "json", put_free_agents},
      {"GET", "/api/v1/campaigns/{id}/live", "watch a campaign's live figures", kReaders, "", get_live},
      {"GET", "/api/v1/campaigns/{id}/events", "stream a campaign's call events (server-sent events)", kReaders, "",
       get_events},
  });
}

}  // namespace hark::control
