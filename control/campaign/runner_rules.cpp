#include "control/campaign/runner_rules.h"

#include <algorithm>

namespace hark::control {

std::string next_schedule_state(const sql::OpenSchedule& s) {
  if (s.day < s.local_day || (s.day == s.local_day && s.local_us >= s.end_us))
    return s.state == "NOT_RUNNING" ? s.state : "FINISHED";
  if (s.state == "NOT_RUNNING" && s.day == s.local_day && s.local_us >= s.start_us && s.local_us < s.end_us)
    return "RUNNING";
  return s.state;
}

std::vector<sql::ScheduleMove> schedule_moves(const std::vector<sql::OpenSchedule>& open) {
  std::vector<sql::ScheduleMove> moves;
  for (const auto& s : open)
    if (auto to = next_schedule_state(s); to != s.state) moves.push_back({s.id, s.state, std::move(to)});
  return moves;
}

Capacity dial_capacity(const sql::CampaignRecord& c, int open_attempts, int process_max, int process_calls,
                       int claim_batch) {
  Capacity cap;
  const int channels = c.fixed_channels ? *c.fixed_channels : c.free_agents;
  cap.limit = std::min(channels, c.max_concurrent);
  cap.want = std::min({cap.limit - open_attempts, process_max - process_calls, claim_batch});
  return cap;
}

RetryPolicy RetryPolicy::from(const CampaignSettings& s) {
  RetryPolicy p;
  p.max_attempts = s.max_attempts;
  p.retry_minutes = s.retry_minutes;
  for (const auto& [status, v] : s.retry_rules) {
    if (!v.is_object()) continue;
    Rule r;
    if (auto* m = v.as_object().if_contains("maxAttempts"); m && m->is_int64()) r.max_attempts = int(m->as_int64());
    if (auto* m = v.as_object().if_contains("retryMinutes"); m && m->is_int64()) r.retry_minutes = int(m->as_int64());
    p.by_status[std::string(status)] = r;
  }
  return p;
}

RetryPlan plan_retry(const std::string& status, int attempts_now, const RetryPolicy& p) {
  RetryPlan plan;
  if (!retryable_status(status)) return plan;  // SUCCESS and DNC are final
  int max = p.max_attempts, minutes = p.retry_minutes;
  if (auto it = p.by_status.find(status); it != p.by_status.end()) {
    max = it->second.max_attempts.value_or(max);
    minutes = it->second.retry_minutes.value_or(minutes);
  }
  plan.done = attempts_now >= max;
  plan.retry_minutes = minutes;
  return plan;
}

NextNumber next_number(const std::string& status, int phone_index, int numbers, bool dial_every_number) {
  const bool failed = status == "BUSY" || status == "NO_ANSWER" || status == "FAILURE" ||
                      status == "SERVICE_TEMPORARILY_UNAVAILABLE";
  if (!dial_every_number || !failed || numbers <= 1) return {phone_index, false};
  const int next = (phone_index + 1) % numbers;
  return {next, next != 0};
}

int agent_wait_ms(const CampaignPlan& plan) {
  constexpr int kTsrGraceMs = 2000;
  if (!plan.settings.amd_enabled) return kTsrGraceMs;
  return std::max(0, kTsrGraceMs - plan.amd.after_greeting_silence_ms);
}

bool records_attempt(int percent, long long attempt_id) {
  if (percent <= 0) return false;
  if (percent >= 100) return true;
  // Spread by a multiplicative hash, not id % 100: consecutive ids (one campaign's attempts
  // interleaved with others') must not all fall on one side.
  const uint64_t h = uint64_t(attempt_id) * 0x9E3779B97F4A7C15ull;
  return int((h >> 32) % 100) < percent;
}

signaling::CallRequest call_request(const CampaignPlan& plan, const std::string& phone, long long attempt_id,
                                    const std::string& transfer_to) {
  const auto& s = plan.settings;
  signaling::CallRequest req;
  req.number = s.dial_prefix + phone;
  req.plan = signaling::CallPlan::campaign(transfer_to.empty() ? s.pilot_number : transfer_to, plan.voicemail);
  req.amd = s.amd_enabled;
  req.amd_params = plan.amd;
  req.tag = uint64_t(attempt_id);
  req.caller_id = s.caller_id;
  if (records_attempt(s.recording_percent, attempt_id)) {
    req.record_id = uint64_t(attempt_id);
    req.record_stereo = s.recording_channels == "stereo";
  }
  return req;
}

}  // namespace hark::control
