#include "sql/campaign_store.h"
#include "sql/live_call_store.h"
#include "sql/webhook_store.h"

#include "sql/db_pool.h"

namespace hark::sql {

namespace {
// A PostgreSQL array literal of the strings, each quoted and escaped.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& it : items) {
    if (out.size() > 1) out += ",";
    out += '"';
    for (char ch : it) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}
}  // namespace


namespace {

template <class T>
std::optional<T> opt(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<T>();
}

}  // namespace

CampaignRecord campaign_record(const pqxx::row& r) {
  CampaignRecord c;
  c.id = r["id"].as<long long>();
  c.name = r["name"].as<std::string>();
  c.description = r["description"].as<std::string>();
  c.group_id = r["group_id"].as<long long>();
  c.state = r["state"].as<std::string>();
  c.start_date = r["start_date"].as<std::string>();
  c.end_date = r["end_date"].as<std::string>();
  c.start_time = r["start_time"].as<std::string>();
  c.end_time = r["end_time"].as<std::string>();
  c.weekdays = r["weekdays"].as<int>();
  c.time_zone = r["time_zone"].as<std::string>();
  c.pilot_number = r["pilot_number"].as<std::string>();
  c.kind = r["kind"].as<std::string>();
  c.queue = r["queue"].as<std::string>();
  c.max_attempts = r["max_attempts"].as<int>();
  c.retry_minutes = r["retry_minutes"].as<int>();
  c.retry_rules = r["retry_rules"].as<std::string>();
  c.amd_enabled = r["amd_enabled"].as<bool>();
  c.amd_params = r["amd_params"].as<std::string>();
  c.voicemail_prompt_id = opt<long long>(r["voicemail_prompt_id"]);
  c.dnc_service_id = opt<long long>(r["dnc_service_id"]);
  c.dnc_list_id = opt<long long>(r["dnc_list_id"]);
  c.dial_prefix = r["dial_prefix"].as<std::string>();
  c.caller_id = r["caller_id"].as<std::string>();
  c.trunk_group = r["trunk_group"].as<std::string>();
  c.max_concurrent = r["max_concurrent"].as<int>();
  c.fixed_channels = opt<int>(r["fixed_channels"]);
  c.default_region = r["default_region"].as<std::string>();
  c.internal_length = r["internal_length"].as<int>();
  c.free_agents = r["free_agents"].as<int>();
  c.dial_every_number = r["dial_every_number"].as<bool>();
  c.recording_percent = r["recording_percent"].as<int>();
  c.recording_channels = r["recording_channels"].as<std::string>();
  c.recording_retention_days = opt<int>(r["recording_retention_days"]);
  c.calling_start = opt<std::string>(r["calling_start"]);
  c.calling_end = opt<std::string>(r["calling_end"]);
  c.dialing_mode = r["dialing_mode"].as<std::string>();
  c.power_lines = r["power_lines"].as<double>();
  c.abandon_cap = r["abandon_cap"].as<double>();
  c.count_amd_false_positives = r["count_amd_false_positives"].as<bool>();
  c.guaranteed_agent = r["guaranteed_agent"].as<bool>();
  c.identification_prompt_id = opt<long long>(r["identification_prompt_id"]);
  return c;
}

bool pause_campaign(pqxx::connection& c, long long campaign_id, const std::string& reason) {
  pqxx::work tx(c);
  const bool paused = !tx.exec_prepared("campaign_pause", campaign_id, reason).empty();
  if (paused) tx.exec_prepared0("schedules_pause", campaign_id);
  tx.commit();
  return paused;
}

void runner_heartbeat(pqxx::connection& c, const std::string& instance, const std::string& host, int pid) {
  pqxx::work tx(c);
  tx.exec_prepared0("runner_heartbeat", instance, host, pid);
  tx.commit();
}

int runner_recover(pqxx::connection& c, const std::string& instance, int stale_after_s) {
  pqxx::work tx(c);
  auto r = tx.exec_prepared("runner_recover", instance, stale_after_s);
  recover_live_calls(tx, instance, stale_after_s);
  tx.commit();
  return int(r.size());
}

std::vector<OpenSchedule> open_schedules(pqxx::connection& c) {
  pqxx::read_transaction tx(c);
  std::vector<OpenSchedule> out;
  for (const auto& r : tx.exec_prepared("runner_open_schedules"))
    out.push_back({r["id"].as<long long>(), r["campaign_id"].as<long long>(), r["day"].as<int>(),
                   r["start_us"].as<long long>(), r["end_us"].as<long long>(), r["state"].as<std::string>(),
                   r["local_day"].as<int>(), r["local_us"].as<long long>()});
  return out;
}

std::vector<long long> move_schedules(pqxx::connection& c, const std::vector<ScheduleMove>& moves) {
  pqxx::work tx(c);
  for (const auto& m : moves) tx.exec_prepared0("runner_schedule_move", m.id, m.from, m.to);
  std::vector<long long> finished;
  for (const auto& r : tx.exec_prepared("campaigns_finish")) finished.push_back(r[0].as<long long>());
  tx.commit();
  return finished;
}

std::vector<RunnableCampaign> runnable_campaigns(pqxx::connection& c) {
  pqxx::read_transaction tx(c);
  std::vector<RunnableCampaign> out;
  for (const auto& r : tx.exec_prepared("runner_campaigns")) {
    RunnableCampaign rc;
    rc.campaign = campaign_record(r);
    rc.schedule_id = r["schedule_id"].as<long long>();
    rc.dnc_out_of_service = r["schedule_state"].as<std::string>() == "DNC_OUT_OF_SERVICE";
    rc.open_attempts = r["active"].as<int>();
    if (!r["dnc_url"].is_null())
      rc.dnc_service = RunnableCampaign::Service{r["dnc_url"].as<std::string>(), r["dnc_token"].as<std::string>(),
                                                 r["dnc_timeout_ms"].as<int>()};
    if (!r["dnc_list_version"].is_null()) rc.dnc_list_version = r["dnc_list_version"].as<long long>();
    out.push_back(std::move(rc));
  }
  return out;
}

int lock_campaign(pqxx::transaction_base& tx, long long campaign_id) {
  return tx.exec_prepared1("campaign_lock_active", campaign_id)[0].as<int>();
}

namespace {
std::vector<ClaimedLead> leads_of(const pqxx::result& rows, std::vector<ClaimedLead> out = {}) {
  for (const auto& r : rows)
    out.push_back({r["id"].as<long long>(), r["phone"].as<std::string>(), r["attempts"].as<int>(),
                   r["phone_index"].as<int>(), r["numbers"].as<int>(), r["round"].as<int>(),
                   r["callback_agent"].is_null() ? std::string() : r["callback_agent"].as<std::string>()});
  return out;
}
}  // namespace

std::vector<ClaimedLead> claim_leads(pqxx::transaction_base& tx, long long campaign_id, int n) {
  std::vector<ClaimedLead> out;
  for (const char* step : {"leads_claim_callbacks", "leads_claim_retries", "leads_claim_new"}) {
    const int left = n - int(out.size());  // before `out` is moved from below
    if (left <= 0) break;
    auto rows = tx.exec_prepared(step, campaign_id, left);
    out = leads_of(rows, std::move(out));
  }
  return out;
}

std::vector<std::pair<ClaimedLead, std::string>> claim_preview_leads(pqxx::transaction_base& tx, long long campaign_id,
                                                                    int n) {
  std::vector<std::pair<ClaimedLead, std::string>> out;
  const auto rows = tx.exec_prepared("leads_claim_preview", campaign_id, n);
  const auto leads = leads_of(rows);
  for (size_t i = 0; i < leads.size(); ++i)
    out.emplace_back(leads[i], rows[int(i)]["preview_agent"].is_null() ? "" : rows[int(i)]["preview_agent"].as<std::string>());
  return out;
}

std::vector<ClaimedLead> due_leads(pqxx::connection& c, long long campaign_id, int n) {
  pqxx::read_transaction tx(c);
  return leads_of(tx.exec_prepared("leads_due_peek", campaign_id, n));
}

std::vector<ClaimedLead> claim_lead_ids(pqxx::transaction_base& tx, long long campaign_id,
                                        const std::vector<long long>& ids) {
  std::vector<std::string> text;
  for (auto id : ids) text.push_back(std::to_string(id));
  return leads_of(tx.exec_prepared("leads_claim_ids", campaign_id, text_array_literal(text)));
}

long long start_attempt(pqxx::transaction_base& tx, long long campaign_id, const ClaimedLead& lead,
                        const std::string& instance) {
  const auto id =
      tx.exec_prepared1("attempt_insert_dialing", campaign_id, lead.id, lead.phone, instance, lead.round)[0].as<long long>();
  insert_live_call(tx, id, campaign_id, lead.id, lead.phone, instance);  // up from the same commit on
  return id;
}

void record_dnc(pqxx::transaction_base& tx, long long campaign_id, const ClaimedLead& lead, const std::string& instance) {
  tx.exec_prepared0("attempt_insert_dnc", campaign_id, lead.id, lead.phone, instance, lead.round);
  tx.exec_prepared0("lead_mark_dnc", lead.id);
}

void release_leads(pqxx::transaction_base& tx, const std::vector<long long>& lead_ids) {
  std::vector<std::string> ids;
  for (auto id : lead_ids) ids.push_back(std::to_string(id));
  tx.exec_prepared0("leads_release", text_array_literal(ids));
}

void set_schedule_state(pqxx::transaction_base& tx, long long schedule_id, const std::string& state) {
  tx.exec_prepared0("schedule_set_state", schedule_id, state);
}

bool finish_attempt(pqxx::connection& c, const AttemptEnd& e, const LeadOutcome& lead) {
  pqxx::work tx(c);
  const auto r = tx.exec_prepared("attempt_finish", e.attempt_id, e.answered, e.talk_s, e.sip_code, e.sip_reason,
                                   e.amd_verdict, e.amd_cause, e.amd_ms, e.result, e.cause, e.charged,
                                   e.amd_late_cause, e.trunk, text_array(e.failed_over));
  const bool ours = r.affected_rows() == 1;
  end_live_call(tx, e.attempt_id);
  if (ours) tx.exec_prepared0("lead_finish", lead.lead_id, lead.status, lead.done, lead.retry_s, lead.charged,
                      lead.phone_index);
  if (ours && !e.webhook_body.empty()) {
    // Under a savepoint: a webhook row that cannot be written must never keep the end (and with
    // it the runner's next dials) waiting. A lost connection still fails the whole end.
    try {
      pqxx::subtransaction sub(tx, "webhook");
      enqueue_webhook_event(sub, e.campaign_id, e.attempt_id, "ended", e.webhook_body);
      sub.commit();
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::sql_error&) {
    }
  }
  tx.commit();
  return ours;
}

std::optional<ClickAttempt> start_click_attempt(pqxx::connection& c, long long campaign_id, long long lead_id,
                                                const std::string& number, const std::string& instance,
                                                long long placed_by) {
  pqxx::work tx(c);
  const auto camp = tx.exec_prepared("campaign_row", campaign_id);
  if (camp.empty()) throw std::runtime_error("campaign " + std::to_string(campaign_id) + " does not exist");
  tx.exec_prepared0("lead_dialing_ensure", campaign_id, lead_id);  // a copy's row may not exist yet (migration 0023)
  const auto lead = tx.exec_prepared("lead_take_for_click", lead_id, campaign_id);
  if (lead.empty()) return std::nullopt;
  ClickAttempt out;
  out.campaign = campaign_record(camp[0]);
  out.lead_attempts = lead[0]["attempts"].as<int>();
  out.attempt_id = tx.exec_prepared1("attempt_insert_dialing", campaign_id, lead_id, number, instance,
                                     lead[0]["round"].as<int>())[0].as<long long>();
  insert_live_call(tx, out.attempt_id, campaign_id, lead_id, number, instance, placed_by);
  tx.commit();
  return out;
}

}  // namespace hark::sql
