// The preamble every /campaigns/{id}/... handler shares (path id, transaction, group check),
// and the campaign rows the campaign and schedule routes share.
#include "control/api/campaign_rows.h"

namespace hark::control {

namespace json = boost::json;

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

namespace {
template <class Tx>
HttpResponse run_in(pqxx::connection& c, ApiContext& ctx, long long id, CampaignUse use,
                    const std::function<HttpResponse(CampaignScope&)>& fn) {
  Tx tx(c);
  CampaignScope scope{tx, id, authorize_campaign(tx, ctx, id, use == CampaignUse::write)};
  auto res = fn(scope);
  if (use == CampaignUse::write) tx.commit();
  return res;
}
}  // namespace

HttpResponse with_campaign(ApiServices& s, ApiContext& ctx, CampaignUse use,
                           const std::function<HttpResponse(CampaignScope&)>& fn) {
  const auto id = ctx.id("id");
  return s.db.with([&](pqxx::connection& c) {
    return use == CampaignUse::write ? run_in<pqxx::work>(c, ctx, id, use, fn)
                                     : run_in<pqxx::read_transaction>(c, ctx, id, use, fn);
  });
}

json::object campaign_json(const pqxx::row& row) {
  auto o = CampaignSettings::from_row(row).to_json();
  o["id"] = row["id"].as<long long>();
  o["state"] = row["state"].as<std::string>();
  o["freeAgents"] = row["free_agents"].as<int>();
  // Why the runner paused it (a voicemail prompt it could not play), until it is started again.
  o["lastError"] = row["last_error"].is_null() ? json::value(nullptr) : json::value(row["last_error"].as<std::string>());
  o["createdAt"] = row["created_at"].as<std::string>();
  o["updatedAt"] = row["updated_at"].as<std::string>();
  return o;
}

pqxx::result write_campaign(pqxx::transaction_base& tx, const char* stmt, std::optional<long long> id,
                            const CampaignSettings& c) {
  const auto rules = json::serialize(c.retry_rules), amd = json::serialize(c.amd_params);
  auto r = write_campaign_columns(tx, stmt, id, c, rules, amd);
  // Lead options have a statement of their own (0011_lead_lifecycle.sql).
  tx.exec_prepared0("campaign_set_lead_options", id ? *id : r[0][0].as<long long>(), c.dial_every_number);
  return r;
}

pqxx::result write_campaign_columns(pqxx::transaction_base& tx, const char* stmt, std::optional<long long> id,
                                    const CampaignSettings& c, const std::string& rules, const std::string& amd) {
  pqxx::result r;
  if (id)
    r = tx.exec_prepared(stmt, *id, c.name, c.description, c.group_id, c.start_date, c.end_date, c.start_time,
                            c.end_time, c.weekdays, c.time_zone, c.pilot_number, c.kind, c.queue, c.max_attempts,
                            c.retry_minutes, rules, c.amd_enabled, amd, c.voicemail_prompt_id, c.dnc_service_id,
                            c.dnc_list_id, c.dial_prefix, c.caller_id, c.max_concurrent, c.fixed_channels, c.trunk_group);
  else
    r = tx.exec_prepared(stmt, c.name, c.description, c.group_id, c.start_date, c.end_date, c.start_time, c.end_time,
                          c.weekdays, c.time_zone, c.pilot_number, c.kind, c.queue, c.max_attempts, c.retry_minutes,
                          rules, c.amd_enabled, amd, c.voicemail_prompt_id, c.dnc_service_id, c.dnc_list_id,
                          c.dial_prefix, c.caller_id, c.max_concurrent, c.fixed_channels, c.trunk_group);
  // The number settings by a statement of their own: the insert and update lists stay as they were.
  const auto written = id ? *id : (r.empty() ? 0 : r[0][0].as<long long>());
  tx.exec_prepared0("campaign_set_numbers", written, c.default_region, c.internal_length);
  // Recording settings (migration 0010) are written beside the row, by id.
  tx.exec_prepared0("campaign_set_recording", written, c.recording_percent, c.recording_channels,
                    c.recording_retention_days);
  tx.exec_prepared0("campaign_set_calling_hours", written, c.calling_start, c.calling_end);  // 0019
  // Pacing settings (migration 0018), likewise.
  tx.exec_prepared0("campaign_set_pacing", written, c.dialing_mode, c.power_lines, c.abandon_cap,
                    c.count_amd_false_positives, c.guaranteed_agent, c.identification_prompt_id);
  return r;
}

pqxx::row lock_campaign(CampaignScope& c, bool must_be_stopped) {
  auto row = c.tx.exec_prepared1("campaign_row_locked", c.id);
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

}  // namespace hark::control
