// Typed data access for the campaign runner: what it reads (runnable campaigns, open schedule
// entries, due leads) and writes (heart-beats, schedule moves, attempts and their ends), as
// structs instead of rows. Every function runs named statements of sql/statements.cpp, so it
// needs a connection from sql::open_prepared.
#pragma once

#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hark::sql {

/// A campaign's stored settings, one member per column (the JSON columns as their text).
struct CampaignRecord {
  long long id = 0;
  std::string name, description;
  long long group_id = 0;
  std::string state;
  std::string start_date, end_date;  ///< YYYY-MM-DD
  std::string start_time, end_time;  ///< HH:MM:SS
  int weekdays = 0;
  std::string time_zone, pilot_number, kind, queue;
  int max_attempts = 0, retry_minutes = 0;
  std::string retry_rules = "{}";  ///< JSON text
  bool amd_enabled = true;
  std::string amd_params = "{}";   ///< JSON text
  std::optional<long long> voicemail_prompt_id;  ///< prompts.id played to machines after the beep
  std::optional<long long> dnc_service_id, dnc_list_id;
  std::string dial_prefix, caller_id;
  int max_concurrent = 0;
  std::optional<int> fixed_channels;
  std::string default_region = "US";  ///< numbers without a country code are read as from here
  int internal_length = 4;            ///< numbers of at most this many digits are extensions
  int free_agents = 0;
  bool dial_every_number = false;  ///< dial a lead's numbers in order (0011_lead_lifecycle.sql)
  std::string trunk_group;  ///< the trunk group it dials through; empty: the configuration's first
  int recording_percent = 0;                        ///< share of attempts recorded: 0 off, 100 all
  std::string recording_channels = "mixed";         ///< mixed | stereo
  std::optional<int> recording_retention_days;      ///< recordings older than this are deleted
  std::optional<std::string> calling_start, calling_end;  ///< HH:MM in each lead's zone(s); none: off (0019)
  // Pacing (0018_pacing.sql).
  std::string dialing_mode = "progressive";          ///< progressive | power | predictive | preview
  double power_lines = 2;                            ///< power: lines per ready agent
  double abandon_cap = 0.03;                         ///< abandoned / people answered, at most
  bool count_amd_false_positives = false;            ///< QA's human labels on AMD machines count as abandoned
  bool guaranteed_agent = false;                     ///< an abandoned number may be called again before 72 h
  std::optional<long long> identification_prompt_id;  ///< what an abandoned person hears
  bool operator==(const CampaignRecord&) const = default;
};

/// Decodes a row of the campaign columns (statements campaign_row, campaigns_list, runner_campaigns).
CampaignRecord campaign_record(const pqxx::row& r);

/// A STARTED campaign whose today's schedule entry is RUNNING or DNC_OUT_OF_SERVICE.
struct RunnableCampaign {
  CampaignRecord campaign;
  long long schedule_id = 0;
  bool dnc_out_of_service = false;  ///< today's entry is DNC_OUT_OF_SERVICE
  int open_attempts = 0;            ///< DIALING attempts of every process
  struct Service {
    std::string url, token;
    int timeout_ms = 0;
  };
  std::optional<Service> dnc_service;
  long long dnc_list_version = 0;   ///< of campaign.dnc_list_id, when set
};

/// A schedule entry not FINISHED of a STARTED campaign, up to the campaign's today, with the
/// campaign's local clock. Days count from 1970-01-01, times are microseconds after midnight.
struct OpenSchedule {
  long long id = 0, campaign_id = 0;
  int day = 0;
  long long start_us = 0, end_us = 0;
  std::string state;                ///< NOT_RUNNING, RUNNING, DNC_OUT_OF_SERVICE
  int local_day = 0;                ///< the campaign's today, in its time zone
  long long local_us = 0;           ///< the campaign's time of day, in its time zone
};

/// A schedule entry to move from one state to another (only if it is still in `from`).
struct ScheduleMove {
  long long id = 0;
  std::string from, to;
};

struct ClaimedLead {
  long long id = 0;
  std::string phone;
  int attempts = 0;  ///< finished attempts that count (closed-by-recovery ones do not)
  int phone_index = 0;  ///< which of the lead's numbers `phone` is (0: its phone, k: extra_phones[k])
  int numbers = 1;      ///< how many numbers the lead has
  int round = 1;        ///< the lead's dialing round (recycling adds one)
  /// The agent (extension or number) of the scheduled callback this call honours: a person
  /// who answers is transferred there instead of the campaign's pilot. Empty: no callback, or
  /// one without an agent.
  std::string callback_agent;
};

/// A call's end as the call log keeps it.
struct AttemptEnd {
  long long attempt_id = 0;
  bool answered = false;
  double talk_s = 0;
  std::optional<int> sip_code;
  std::optional<std::string> sip_reason, amd_verdict, amd_cause;
  std::optional<std::string> amd_late_cause;  ///< a late_machine after `human` (suspected miss)
  std::optional<int> amd_ms;
  std::string result, cause;
  bool charged = true;  ///< false: our trunk failed the call; the lead is not charged an attempt
  std::optional<std::string> trunk;       ///< the trunk of the last INVITE
  std::vector<std::string> failed_over;   ///< "trunk:code" of the trunks that failed it before
  /// The `ended` webhook event's JSON (control/webhooks/webhook_payload.h), queued in the same
  /// transaction as the end (sql/webhook_store.h); empty: none.
  std::string webhook_body;
  long long campaign_id = 0;  ///< for the webhook event
};

/// The lead after an attempt: its status, and either done or due again in `retry_s`.
struct LeadOutcome {
  long long lead_id = 0;
  std::string status;
  bool done = true;
  double retry_s = 0;
  bool charged = true;  ///< counts in the lead's attempts
  int phone_index = 0;  ///< the number the next attempt dials
};

/// A STARTED campaign the runner cannot serve: PAUSED, with `reason` as its last error, and its
/// running schedule entry back to NOT_RUNNING; one transaction. False: it was no longer STARTED.
bool pause_campaign(pqxx::connection& c, long long campaign_id, const std::string& reason);

/// Marks this process alive.
void runner_heartbeat(pqxx::connection& c, const std::string& instance, const std::string& host, int pid);
/// Closes the attempts left DIALING by processes silent for `stale_after_s` as UNKNOWN and makes
/// their leads due again (not charged: their attempt counters unchanged). Returns how many leads.
int runner_recover(pqxx::connection& c, const std::string& instance, int stale_after_s);
std::vector<OpenSchedule> open_schedules(pqxx::connection& c);
/// Applies the moves, then finishes STARTED campaigns without an entry left; one transaction.
/// Returns the campaigns finished.
std::vector<long long> move_schedules(pqxx::connection& c, const std::vector<ScheduleMove>& moves);
std::vector<RunnableCampaign> runnable_campaigns(pqxx::connection& c);

/// Up to `n` due leads of the campaign, in claim order, without claiming them (no lock).
std::vector<ClaimedLead> due_leads(pqxx::connection& c, long long campaign_id, int n);

// Inside the claim transaction of one campaign:
/// Locks the campaign's row (processes take turns) and counts its DIALING attempts.
int lock_campaign(pqxx::transaction_base& tx, long long campaign_id);
/// Claims up to `n` due leads (FOR UPDATE SKIP LOCKED): in progress from now on. Order: callbacks
/// due (by their time), then retries due (oldest due time first), then never-called leads (by id).
std::vector<ClaimedLead> claim_leads(pqxx::transaction_base& tx, long long campaign_id, int n);
/// Claims up to `n` leads agents accepted in preview, each with the agent who accepted it.
std::vector<std::pair<ClaimedLead, std::string>> claim_preview_leads(pqxx::transaction_base& tx, long long campaign_id,
                                                                    int n);
/// Claims those of `ids` that are still due (FOR UPDATE SKIP LOCKED).
std::vector<ClaimedLead> claim_lead_ids(pqxx::transaction_base& tx, long long campaign_id,
                                        const std::vector<long long>& ids);
/// Writes a DIALING attempt; returns its id.
long long start_attempt(pqxx::transaction_base& tx, long long campaign_id, const ClaimedLead& lead,
                        const std::string& instance);
/// A do-not-call hit: a DONE attempt with result DNC, and the lead is done.
void record_dnc(pqxx::transaction_base& tx, long long campaign_id, const ClaimedLead& lead, const std::string& instance);
/// Leads claimed and not dialed: free again.
void release_leads(pqxx::transaction_base& tx, const std::vector<long long>& lead_ids);
/// Sets a schedule entry's state unless it is FINISHED.
void set_schedule_state(pqxx::transaction_base& tx, long long schedule_id, const std::string& state);

/// Writes an attempt's end and, if the attempt was still DIALING, the lead's outcome; one
/// transaction. False: another process had closed the attempt (the lead is not ours).
bool finish_attempt(pqxx::connection& c, const AttemptEnd& end, const LeadOutcome& lead);

/// A click-to-dial attempt just written: the campaign's settings and the attempt.
struct ClickAttempt {
  CampaignRecord campaign;
  long long attempt_id = 0;
  int lead_attempts = 0;  ///< the lead's attempts before this one
};
/// Click-to-dial, in one transaction: takes the lead (in_progress), writes its DIALING attempt
/// for `number` and the live_calls row naming `placed_by`. nullopt: the lead is being dialed
/// already (or is not the campaign's). Throws when the campaign does not exist.
std::optional<ClickAttempt> start_click_attempt(pqxx::connection& c, long long campaign_id, long long lead_id,
                                                const std::string& number, const std::string& instance,
                                                long long placed_by);

}  // namespace hark::sql
