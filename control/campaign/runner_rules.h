// The campaign runner's decisions, as pure functions: when a schedule entry runs, how many
// calls a campaign may place now, whether and when a lead is tried again, and the call a lead
// becomes. No clock, no store, no SIP: the tick loop feeds them and acts on their answers.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/campaign/campaign_settings.h"
#include "signaling/sip_agent.h"
#include "sql/campaign_store.h"

namespace hark::control {

/// The state a schedule entry moves to at its campaign's local day and time. Once its day is
/// past or its end time reached: FINISHED if it ran (RUNNING, DNC_OUT_OF_SERVICE), else it stays
/// NOT_RUNNING (FINISHED means executed: a day the campaign was stopped never ran). RUNNING
/// (from NOT_RUNNING only) inside its hours; otherwise its state unchanged.
std::string next_schedule_state(const sql::OpenSchedule& s);
/// The moves for the entries whose state changes.
std::vector<sql::ScheduleMove> schedule_moves(const std::vector<sql::OpenSchedule>& open);

/// How many leads to claim for one campaign this tick, before its row lock: the campaign's
/// channels (fixedChannels, else the free agents reported), within maxConcurrent, less the
/// attempts open in every process; within what this process may still place and one batch.
struct Capacity {
  int limit = 0;  ///< the campaign's channels, all processes together
  int want = 0;   ///< leads to claim (≤ 0: none)
};
Capacity dial_capacity(const sql::CampaignRecord& c, int open_attempts, int process_max, int process_calls,
                       int claim_batch);

/// A campaign's retry rules: the campaign's maximum and delay, overridden per status.
struct RetryPolicy {
  int max_attempts = 5, retry_minutes = 60;
  struct Rule {
    std::optional<int> max_attempts, retry_minutes;
  };
  std::map<std::string, Rule, std::less<>> by_status;
  /// From the settings' maxAttempts, retryMinutes and retryRules JSON.
  static RetryPolicy from(const CampaignSettings& s);
};

/// Whether a finished attempt is the lead's last, and if not, when to try again.
struct RetryPlan {
  bool done = true;
  int retry_minutes = 0;
};
/// SUCCESS and DNC are final; a retryable status is retried while `attempts_now` (this one
/// included) is below its maximum.
RetryPlan plan_retry(const std::string& status, int attempts_now, const RetryPolicy& p);

/// Which number of a lead the next attempt dials, and whether it is due at once. With the
/// campaign's dialEveryNumber, a failure result (BUSY, NO_ANSWER, FAILURE,
/// SERVICE_TEMPORARILY_UNAVAILABLE) moves to the lead's next number, due at once; after its last
/// number it goes back to the first, after the retry time. Any other result (a person, a machine,
/// DNC, success, a rejection), and any result without the setting, keeps the number.
struct NextNumber {
  int phone_index = 0;
  bool due_now = false;
};
NextNumber next_number(const std::string& status, int phone_index, int numbers, bool dial_every_number);

/// What the runner dials for a campaign, decoded from its row once per change of the row.
struct CampaignPlan {
  sql::CampaignRecord record;  ///< as decoded (free_agents aside, any change rebuilds the plan)
  CampaignSettings settings;
  RetryPolicy retry;
  amd::Params amd;
  const media::Prompt* voicemail = nullptr;  ///< loaded once per path (null: none or unreadable)
  const media::Prompt* identification = nullptr;  ///< what an abandoned person hears (null: none)
};

/// Whether a campaign recording `percent` % of its attempts records this one (0 never, 100
/// always; otherwise a fixed choice by attempt id, so it is reproducible).
bool records_attempt(int percent, long long attempt_id);

/// How long a person may wait for an agent after the AMD's verdict: the TSR's 2 s from the
/// end of the greeting, less the silence the AMD waits after it to say "person" (none without AMD).
int agent_wait_ms(const CampaignPlan& plan);

/// The call for one lead of a campaign; `attempt_id` becomes the call's tag. A person is
/// transferred to `transfer_to` when set (a scheduled callback's agent), else to the pilot.
signaling::CallRequest call_request(const CampaignPlan& plan, const std::string& phone, long long attempt_id,
                                    const std::string& transfer_to = {});

}  // namespace hark::control
