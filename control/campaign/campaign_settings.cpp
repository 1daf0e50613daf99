#include "control/campaign/campaign_settings.h"
#include "control/campaign/dial_pacer.h"

#include "control/campaign/calling_window.h"

#include <cctype>
#include <chrono>
#include <string_view>
#include <cstdio>

#include "control/campaign/json_fields.h"
#include "signaling/phone_number.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const char* kDays[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct IntParam {
  const char* name;
  int amd::Params::*field;
  int lo, hi;
};
const IntParam kIntParams[] = {
    {"initialSilenceMs", &amd::Params::initial_silence_ms, 500, 30000},
    {"greetingMs", &amd::Params::greeting_ms, 500, 30000},
    {"afterGreetingSilenceMs", &amd::Params::after_greeting_silence_ms, 100, 10000},
    {"totalAnalysisMs", &amd::Params::total_analysis_ms, 1000, 60000},
    {"minWordLengthMs", &amd::Params::min_word_length_ms, 20, 2000},
    {"betweenWordsSilenceMs", &amd::Params::between_words_silence_ms, 20, 2000},
    {"maxWords", &amd::Params::max_words, 0, 100},
    {"silenceThreshold", &amd::Params::silence_threshold, 1, 32767},
    {"maxWordLengthMs", &amd::Params::max_word_length_ms, 100, 60000},
    {"beepTimeoutMs", &amd::Params::beep_timeout_ms, 0, 120000},
    // The AMD's operating point: the longest wait after a person's greeting (README, AMD).
    {"humanLatencyCapMs", &amd::Params::human_latency_cap_ms, 300, 2000},
};
struct BoolParam {
  const char* name;
  bool amd::Params::*field;
};
const BoolParam kBoolParams[] = {
    {"detectBeep", &amd::Params::detect_beep},
    {"detectFax", &amd::Params::detect_fax},
    {"detectSit", &amd::Params::detect_sit},
};

bool valid_date(const std::string& s) {
  int y, m, d;
  char tail;
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return false;
  return std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(unsigned(m)), std::chrono::day(unsigned(d))).ok() &&
         y >= 2000 && y <= 2200;
}

int days_of(const std::string& s) {
  int y, m, d;
  std::sscanf(s.c_str(), "%4d-%2d-%2d", &y, &m, &d);
  return int(std::chrono::sys_days(std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(unsigned(m)),
                                                               std::chrono::day(unsigned(d))))
                 .time_since_epoch()
                 .count());
}

/// Seconds after midnight, or -1. Accepts HH:MM and HH:MM:SS; with `end_of_day`, also 24:00
/// (an end time: hours end before it, so 23:59 left the day's last minute uncalled).
int time_seconds(const std::string& s, bool end_of_day = false) {
  int h, m, sec = 0;
  char tail;
  if (s.size() == 5 && std::sscanf(s.c_str(), "%2d:%2d%c", &h, &m, &tail) == 2) {
  } else if (s.size() == 8 && std::sscanf(s.c_str(), "%2d:%2d:%2d%c", &h, &m, &sec, &tail) == 3) {
  } else {
    return -1;
  }
  if (end_of_day && h == 24 && m == 0 && sec == 0) return 24 * 3600;
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59) return -1;
  return h * 3600 + m * 60 + sec;
}

bool digits_only(const std::string& s) { return s.find_first_not_of("0123456789") == std::string::npos; }

}  // namespace

bool retryable_status(std::string_view s) {
  return s == "BUSY" || s == "NO_ANSWER" || s == "REJECTED" || s == "AMD" || s == "SERVICE_TEMPORARILY_UNAVAILABLE" ||
         s == "FAILURE" || s == "UNKNOWN" || s == "ABANDONED";
}

CampaignSettings CampaignSettings::from_record(const sql::CampaignRecord& r) {
  CampaignSettings c;
  c.name = r.name;
  c.description = r.description;
  c.group_id = r.group_id;
  c.start_date = r.start_date;
  c.end_date = r.end_date;
  c.start_time = r.start_time;
  c.end_time = r.end_time;
  c.weekdays = r.weekdays;
  c.time_zone = r.time_zone;
  c.pilot_number = r.pilot_number;
  c.kind = r.kind;
  c.queue = r.queue;
  c.max_attempts = r.max_attempts;
  c.retry_minutes = r.retry_minutes;
  c.retry_rules = json::parse(r.retry_rules).as_object();
  c.amd_enabled = r.amd_enabled;
  c.amd_params = json::parse(r.amd_params).as_object();
  c.voicemail_prompt_id = r.voicemail_prompt_id;
  c.dnc_service_id = r.dnc_service_id;
  c.dnc_list_id = r.dnc_list_id;
  c.dial_prefix = r.dial_prefix;
  c.caller_id = r.caller_id;
  c.trunk_group = r.trunk_group;
  c.max_concurrent = r.max_concurrent;
  c.fixed_channels = r.fixed_channels;
  c.default_region = r.default_region;
  c.internal_length = r.internal_length;
  c.dial_every_number = r.dial_every_number;
  c.recording_percent = r.recording_percent;
  c.recording_channels = r.recording_channels;
  c.recording_retention_days = r.recording_retention_days;
  c.calling_start = r.calling_start;
  c.calling_end = r.calling_end;
  c.dialing_mode = r.dialing_mode;
  c.power_lines = r.power_lines;
  c.abandon_cap = r.abandon_cap;
  c.count_amd_false_positives = r.count_amd_false_positives;
  c.guaranteed_agent = r.guaranteed_agent;
  c.identification_prompt_id = r.identification_prompt_id;
  return c;
}

void CampaignSettings::apply(const json::object& o, bool creating) {
  reject_unknown(o, {"name", "description", "groupId", "startDate", "endDate", "startTime", "endTime", "weekdays",
                     "timeZone", "pilotNumber", "type", "queue", "maxAttempts", "retryMinutes", "retryRules",
                     "amdEnabled", "amdParams", "voicemailPromptId", "voicemailMessage", "dncServiceId", "dncListId", "dialPrefix",
                      "callerId", "maxConcurrent", "fixedChannels", "defaultRegion", "internalLength",
                      "dialEveryNumber", "trunkGroup", "recording", "recordingChannels", "recordingRetentionDays",
                      "callingHours", "dialingMode", "powerLines", "abandonCap", "countAmdFalsePositives", "guaranteedAgent",
                      "identificationPrompt"});
  if (auto v = get_string(o, "name", creating, 100, 1)) name = *v;
  if (auto v = get_string(o, "description", false, 2000)) description = *v;
  if (auto v = get_int(o, "groupId", creating, 1, INT64_MAX)) group_id = *v;
  if (auto v = get_string(o, "startDate", creating, 10)) {
    if (!valid_date(*v)) invalid("startDate", "startDate must be a date YYYY-MM-DD");
    start_date = *v;
  }
  if (auto v = get_string(o, "endDate", creating, 10)) {
    if (!valid_date(*v)) invalid("endDate", "endDate must be a date YYYY-MM-DD");
    end_date = *v;
  }
  if (auto v = get_string(o, "startTime", creating, 8)) {
    if (time_seconds(*v) < 0) invalid("startTime", "startTime must be a time HH:MM");
    start_time = *v;
  }
  if (auto v = get_string(o, "endTime", creating, 8)) {
    if (time_seconds(*v, true) < 0) invalid("endTime", "endTime must be a time HH:MM (24:00: to the end of the day)");
    end_time = *v;
  }
  if (auto it = o.find("weekdays"); it != o.end()) {
    if (!it->value().is_array() || it->value().as_array().empty())
      invalid("weekdays", "weekdays must be a non-empty list like [\"mon\",\"tue\"]");
    int mask = 0;
    for (const auto& d : it->value().as_array()) {
      int bit = -1;
      for (int i = 0; i < 7; ++i)
        if (d.is_string() && d.as_string() == kDays[i]) bit = i;
      if (bit < 0) invalid("weekdays", "weekdays are sun, mon, tue, wed, thu, fri, sat");
      mask |= 1 << bit;
    }
    weekdays = mask;
  }
  if (auto v = get_string(o, "timeZone", false, 64, 1)) time_zone = *v;
  if (auto v = get_string(o, "pilotNumber", creating, 64, 1)) pilot_number = *v;
  if (auto v = get_string(o, "type", false, 20)) {
    if (*v != "agent_queue" && *v != "ivr") invalid("type", "type must be agent_queue or ivr");
    kind = *v;
  }
  if (auto v = get_string(o, "queue", false, 100)) queue = *v;
  if (auto v = get_int(o, "maxAttempts", false, 1, 100)) max_attempts = int(*v);
  if (auto v = get_int(o, "retryMinutes", false, 1, 1440)) retry_minutes = int(*v);
  if (auto it = o.find("retryRules"); it != o.end()) {
    if (!it->value().is_object()) invalid("retryRules", "retryRules must map a status to {retryMinutes, maxAttempts}");
    json::object rules;
    for (const auto& kv : it->value().as_object()) {
      const std::string status(kv.key());
      if (!retryable_status(status))
        invalid("retryRules", "retryRules: '" + status + "' is not a retryable status (BUSY, NO_ANSWER, REJECTED, AMD, "
                              "SERVICE_TEMPORARILY_UNAVAILABLE, FAILURE, UNKNOWN, ABANDONED)");
      if (!kv.value().is_object()) invalid("retryRules", "retryRules." + status + " must be an object");
      const auto& rule = kv.value().as_object();
      reject_unknown(rule, {"retryMinutes", "maxAttempts"});
      json::object clean;
      if (auto m = get_int(rule, "retryMinutes", false, 1, 1440)) clean["retryMinutes"] = *m;
      if (auto m = get_int(rule, "maxAttempts", false, 1, 100)) clean["maxAttempts"] = *m;
      rules[status] = std::move(clean);
    }
    retry_rules = std::move(rules);
  }
  if (auto v = get_bool(o, "amdEnabled", false)) amd_enabled = *v;
  if (auto it = o.find("amdParams"); it != o.end()) {
    if (!it->value().is_object()) invalid("amdParams", "amdParams must be an object");
    json::object clean;
    for (const auto& kv : it->value().as_object()) {
      bool known = false;
      for (const auto& p : kIntParams)
        if (kv.key() == p.name) {
          known = true;
          clean[p.name] = *get_int(it->value().as_object(), p.name, true, p.lo, p.hi);
        }
      for (const auto& p : kBoolParams)
        if (kv.key() == p.name) {
          known = true;
          clean[p.name] = *get_bool(it->value().as_object(), p.name, true);
        }
      if (!known) invalid("amdParams", "unknown AMD parameter '" + std::string(kv.key()) + "'");
    }
    amd_params = std::move(clean);
  }
  // A server path chosen by the client made the runner read any file whole (/dev/zero, a
  // directory): prompts are uploaded and named by id instead. (null, "none", is harmless.)
  if (auto it = o.find("voicemailMessage"); it != o.end() && !it->value().is_null())
    invalid("voicemailMessage", "voicemailMessage (a file on the server) is no longer accepted: upload the audio with "
                                "POST /api/v1/prompts and set voicemailPromptId to its id");
  if (auto it = o.find("voicemailPromptId"); it != o.end())
    voicemail_prompt_id = it->value().is_null() ? std::nullopt : get_int(o, "voicemailPromptId", true, 1, INT64_MAX);
  if (auto it = o.find("dncServiceId"); it != o.end())
    dnc_service_id = it->value().is_null() ? std::nullopt : get_int(o, "dncServiceId", true, 1, INT64_MAX);
  if (auto it = o.find("dncListId"); it != o.end())
    dnc_list_id = it->value().is_null() ? std::nullopt : get_int(o, "dncListId", true, 1, INT64_MAX);
  if (auto v = get_string(o, "dialPrefix", false, 10)) {
    if (!digits_only(*v)) invalid("dialPrefix", "dialPrefix must be digits");
    dial_prefix = *v;
  }
  if (auto v = get_string(o, "callerId", false, 64)) {
    // It becomes the From user of every INVITE: a CR/LF (or any control character) would break
    // the header, and every call would end UNKNOWN without a word.
    for (unsigned char ch : *v)
      if (ch < 0x20 || ch == 0x7f) invalid("callerId", "callerId must not hold control characters (CR, LF, tab, ...)");
    caller_id = *v;
  }
  if (auto v = get_int(o, "maxConcurrent", false, 1, 10000)) max_concurrent = int(*v);
  // Whether the group exists is the API's to check: it knows the configuration.
  if (auto v = get_string(o, "trunkGroup", false, 64)) trunk_group = *v;
  if (auto it = o.find("fixedChannels"); it != o.end())
    fixed_channels = it->value().is_null() ? std::nullopt : std::optional<int>(int(*get_int(o, "fixedChannels", true, 1, 10000)));
  if (auto v = get_string(o, "defaultRegion", false, 2, 2)) {
    if (!signaling::known_region(*v))
      invalid("defaultRegion", "defaultRegion must be a region code libphonenumber knows, like GB or US");
    default_region = signaling::region_code(*v);
  }
  if (auto v = get_int(o, "internalLength", false, 0, 15)) internal_length = int(*v);

  if (auto v = get_bool(o, "dialEveryNumber", false)) dial_every_number = *v;
  if (auto it = o.find("recording"); it != o.end()) {
    const auto& v = it->value();
    if (v.is_string() && v.as_string() == "off") recording_percent = 0;
    else if (v.is_string() && v.as_string() == "all") recording_percent = 100;
    else if (v.is_int64() && v.as_int64() >= 0 && v.as_int64() <= 100) recording_percent = int(v.as_int64());
    else invalid("recording", "recording must be \"off\", \"all\" or a percentage 0-100");
  }
  if (auto v = get_string(o, "recordingChannels", false, 10)) {
    if (*v != "mixed" && *v != "stereo") invalid("recordingChannels", "recordingChannels must be mixed or stereo");
    recording_channels = *v;
  }
  if (auto it = o.find("recordingRetentionDays"); it != o.end())
    recording_retention_days = it->value().is_null()
                                   ? std::nullopt
                                   : std::optional<int>(int(*get_int(o, "recordingRetentionDays", true, 1, 3650)));
  if (auto it = o.find("callingHours"); it != o.end()) {
    if (it->value().is_null()) {
      calling_start.reset(), calling_end.reset();
    } else {
      if (!it->value().is_object()) invalid("callingHours", "callingHours must be {\"start\": \"08:00\", \"end\": \"21:00\"} or null");
      const auto& h = it->value().as_object();
      reject_unknown(h, {"start", "end"});
      const auto start = get_string(h, "start", true, 5, 5), end = get_string(h, "end", true, 5, 5);
      if (time_of_day_s(*start) < 0 || time_of_day_s(*end) < 0)
        invalid("callingHours", "callingHours start and end must be times HH:MM");
      if (*start == *end) invalid("callingHours", "callingHours start and end must differ");
      calling_start = *start, calling_end = *end;
    }
  }

  apply_pacing(o);

  // The whole, not just the parts.
  if (days_of(end_date) < days_of(start_date)) invalid("endDate", "endDate is before startDate");
  if (days_of(end_date) - days_of(start_date) > 731) invalid("endDate", "a campaign spans at most two years");
  if (time_seconds(end_time, true) <= time_seconds(start_time)) invalid("endTime", "endTime must be after startTime");
  if (dnc_service_id && dnc_list_id) invalid("dncListId", "a campaign uses one do-not-call source: a list or a service");
}

json::object CampaignSettings::to_json() const {
  json::array days;
  for (int i = 0; i < 7; ++i)
    if (weekdays & (1 << i)) days.push_back(json::string(kDays[i]));
  auto opt = [](const auto& v) { return v ? json::value(*v) : json::value(nullptr); };
  return {{"name", name},
          {"description", description},
          {"groupId", group_id},
          {"startDate", start_date},
          {"endDate", end_date},
          {"startTime", start_time.substr(0, 5)},
          {"endTime", end_time.substr(0, 5)},
          {"weekdays", std::move(days)},
          {"timeZone", time_zone},
          {"pilotNumber", pilot_number},
          {"type", kind},
          {"queue", queue},
          {"maxAttempts", max_attempts},
          {"retryMinutes", retry_minutes},
          {"retryRules", retry_rules},
          {"amdEnabled", amd_enabled},
          {"amdParams", amd_params},
          {"voicemailPromptId", opt(voicemail_prompt_id)},
          {"dncServiceId", opt(dnc_service_id)},
          {"dncListId", opt(dnc_list_id)},
          {"dialPrefix", dial_prefix},
          {"callerId", caller_id},
          {"trunkGroup", trunk_group},
          {"maxConcurrent", max_concurrent},
          {"fixedChannels", opt(fixed_channels)},
          {"defaultRegion", default_region},
          {"internalLength", internal_length},
          {"dialEveryNumber", dial_every_number},
          {"recording", recording_percent == 0     ? json::value("off")
                        : recording_percent == 100 ? json::value("all")
                                                   : json::value(recording_percent)},
          {"recordingChannels", recording_channels},
          {"recordingRetentionDays", opt(recording_retention_days)},
          {"callingHours", calling_start ? json::value(json::object{{"start", *calling_start}, {"end", *calling_end}})
                                         : json::value(nullptr)},
          {"dialingMode", dialing_mode},
          {"powerLines", power_lines},
          {"abandonCap", abandon_cap},
          {"countAmdFalsePositives", count_amd_false_positives},
          {"guaranteedAgent", guaranteed_agent},
          {"identificationPrompt", opt(identification_prompt_id)}};
}

void CampaignSettings::apply_pacing(const json::object& o) {
  if (auto v = get_string(o, "dialingMode", false, 20)) {
    if (!parse_dial_mode(*v)) invalid("dialingMode", "dialingMode must be progressive, power, predictive or preview");
    dialing_mode = *v;
  }
  auto number = [&](const char* field, double lo, double hi) -> std::optional<double> {
    auto it = o.find(field);
    if (it == o.end()) return std::nullopt;
    const auto& v = it->value();
    if (!v.is_number()) invalid(field, std::string(field) + " must be a number");
    const double d = v.to_number<double>();
    if (!(d >= lo && d <= hi))
      invalid(field, std::string(field) + " must be between " + json::serialize(json::value(lo)) + " and " +
                         json::serialize(json::value(hi)));
    return d;
  };
  if (auto v = number("powerLines", 1, 10)) power_lines = *v;
  if (auto v = number("abandonCap", 0, 0.1)) abandon_cap = *v;
  if (auto v = get_bool(o, "countAmdFalsePositives", false)) count_amd_false_positives = *v;
  if (auto v = get_bool(o, "guaranteedAgent", false)) guaranteed_agent = *v;
  if (auto it = o.find("identificationPrompt"); it != o.end())
    identification_prompt_id =
        it->value().is_null() ? std::nullopt : get_int(o, "identificationPrompt", true, 1, INT64_MAX);
}

amd::Params amd_params_for(const json::object& overrides) {
  auto p = amd::Params::hark_defaults();
  for (const auto& ip : kIntParams)
    if (auto* v = overrides.if_contains(ip.name); v && v->is_int64()) p.*(ip.field) = int(v->as_int64());
  for (const auto& bp : kBoolParams)
    if (auto* v = overrides.if_contains(bp.name); v && v->is_bool()) p.*(bp.field) = v->as_bool();
  return p;
}

}  // namespace hark::control
