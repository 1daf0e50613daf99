// A campaign's settings: read from a stored campaign (sql::CampaignRecord), changed by a JSON object (create or
// PATCH), checked as a whole, written back. The API and the runner share this one definition.
#pragma once

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <optional>
#include <string>

#include "amd/params.h"
#include "sql/campaign_store.h"

namespace hark::control {

/// Statuses a campaign may retry, and hence the keys allowed in retryRules.
bool retryable_status(std::string_view status);

struct CampaignSettings {
  std::string name, description;
  long long group_id = 0;
  std::string start_date, end_date;  ///< YYYY-MM-DD
  std::string start_time, end_time;  ///< HH:MM[:SS]
  int weekdays = 62;                 ///< bit 0 Sunday .. bit 6 Saturday
  std::string time_zone = "UTC";
  std::string pilot_number;
  std::string kind = "agent_queue";  ///< agent_queue | ivr
  std::string queue;
  int max_attempts = 5;
  int retry_minutes = 60;
  boost::json::object retry_rules;   ///< STATUS -> {retryMinutes, maxAttempts}
  bool amd_enabled = true;
  boost::json::object amd_params;    ///< overrides of hark's AMD defaults, by API name
  std::optional<long long> voicemail_prompt_id;  ///< the prompt (POST /prompts) played to machines after the beep
  std::optional<long long> dnc_service_id, dnc_list_id;
  std::string dial_prefix, caller_id;
  std::string trunk_group;           ///< trunkGroup: a [trunk_groups] name; empty: the first group
  int max_concurrent = 30;
  std::optional<int> fixed_channels;  ///< agentless: dial this many at once instead of free agents
  std::string default_region = "US";  ///< leads without a country code are read as from here (ISO 3166)
  int internal_length = 4;            ///< leads of at most this many digits are extensions, kept as written
  bool dial_every_number = false;     ///< a lead's numbers in order: the next after a failure result
  int recording_percent = 0;          ///< `recording`: "off" 0, "all" 100, or a percentage
  std::string recording_channels = "mixed";  ///< `recordingChannels`: mixed | stereo
  std::optional<int> recording_retention_days;  ///< `recordingRetentionDays`: null keeps them
  /// `callingHours` {"start": "08:00", "end": "21:00"}: the hours in each lead's own time
  /// zone(s) (all of them must be inside); null: off. A start after the end runs across midnight.
  std::optional<std::string> calling_start, calling_end;
  // Pacing (issue 18; dial_pacer.h).
  std::string dialing_mode = "progressive";  ///< `dialingMode`: progressive | power | predictive | preview
  double power_lines = 2;                    ///< `powerLines`: power's lines per ready agent (1-10)
  double abandon_cap = 0.03;                 ///< `abandonCap`: abandoned / people answered, at most (0-0.1)
  bool count_amd_false_positives = false;    ///< `countAmdFalsePositives`: QA's humans the AMD hung up on count
  bool guaranteed_agent = false;             ///< `guaranteedAgent`: abandoned numbers may be redialed before 72 h
  std::optional<long long> identification_prompt_id;  ///< `identificationPrompt`: what an abandoned person hears

  /// From a stored campaign; parses its JSON columns.
  static CampaignSettings from_record(const sql::CampaignRecord& r);
  /// From a row of the campaign columns (decoded by sql::campaign_record).
  static CampaignSettings from_row(const pqxx::row& r) { return from_record(sql::campaign_record(r)); }
  /// Applies the members of `o` (all required ones when `creating`); throws ValidationError naming
  /// the field. Checks the whole result (dates, hours, exclusive DNC choice).
  void apply(const boost::json::object& o, bool creating);
  boost::json::object to_json() const;
  /// The pacing members of `o` (dialingMode, powerLines, abandonCap, ...).
  void apply_pacing(const boost::json::object& o);
};

/// The classifier's parameters for a campaign: hark's defaults with the campaign's overrides.
amd::Params amd_params_for(const boost::json::object& overrides);

}  // namespace hark::control
