// What the campaign runner reads and writes, as an interface: PostgreSQL in production
// (PgRunnerStore), an in-memory fake in the unit tests, so the runner's decisions are tested
// without SIP or a database.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "control/campaign/abandon_rules.h"
#include "control/campaign/agent_board.h"
#include "sql/campaign_store.h"
#include "sql/live_call_store.h"

namespace hark::control {

class DncIndex;

/// The store cannot be reached (PostgreSQL down): the runner keeps call ends in memory and
/// tries again next tick.
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One campaign's claim, in one transaction: the campaign is locked from `begin_claim` until
/// `commit` (or until the session is dropped, which undoes it).
class ClaimSession {
 public:
  virtual ~ClaimSession() = default;
  /// DIALING attempts of the campaign, counted under the lock.
  virtual int open_attempts() = 0;
  virtual std::vector<sql::ClaimedLead> claim(int n) = 0;
  /// Claims those of `ids` that are still due (leads checked against a service beforehand).
  virtual std::vector<sql::ClaimedLead> claim_ids(const std::vector<long long>& ids) = 0;
  /// Claims up to `n` leads agents accepted in preview, with the accepting agent (issue 18).
  virtual std::vector<std::pair<sql::ClaimedLead, std::string>> claim_preview(int /*n*/) { return {}; }
  /// Writes the DIALING attempt; returns its id (the call's tag).
  virtual long long start_attempt(const sql::ClaimedLead& lead) = 0;
  virtual void record_dnc(const sql::ClaimedLead& lead) = 0;
  virtual void release(const std::vector<long long>& lead_ids) = 0;
  virtual void set_schedule_state(long long schedule_id, const std::string& state) = 0;
  virtual void commit() = 0;
};

/// A webhook event of a call waiting to be queued in the outbox (control/webhooks/).
struct QueuedWebhook {
  long long campaign_id = 0, attempt_id = 0;
  std::string event, json;
};

class RunnerStore {
 public:
  virtual ~RunnerStore() = default;
  virtual void heartbeat() = 0;
  /// Closes attempts of processes silent for `stale_after_s`; returns how many.
  virtual int recover_stale(int stale_after_s) = 0;
  /// Reloads do-not-call lists changed in the store.
  virtual void refresh_dnc(DncIndex& dnc) = 0;
  virtual std::vector<sql::OpenSchedule> open_schedules() = 0;
  /// Applies the moves; returns the campaigns finished for want of a schedule entry.
  virtual std::vector<long long> move_schedules(const std::vector<sql::ScheduleMove>& moves) = 0;
  virtual std::vector<sql::RunnableCampaign> runnable_campaigns() = 0;
  /// Up to `n` due leads of the campaign, in claim order, without claiming or locking anything.
  virtual std::vector<sql::ClaimedLead> due_leads(long long campaign_id, int n) = 0;
  virtual std::unique_ptr<ClaimSession> begin_claim(long long campaign_id) = 0;
  /// False: another process had closed the attempt.
  virtual bool finish_attempt(const sql::AttemptEnd& end, const sql::LeadOutcome& lead) = 0;
  /// A STARTED campaign the runner cannot serve (its voicemail prompt is missing or damaged):
  /// PAUSED with `reason` as its last error, so it stays visible and survives no restart as
  /// STARTED. False: it was no longer STARTED.
  virtual bool pause_campaign(long long campaign_id, const std::string& reason) = 0;
  /// Click-to-dial: the lead taken and its DIALING attempt written with who placed it
  /// (sql::start_click_attempt). nullopt: the lead is being dialed already.
  virtual std::optional<sql::ClickAttempt> start_click_attempt(long long /*campaign_id*/, long long /*lead_id*/,
                                                               const std::string& /*number*/, long long /*placed_by*/) {
    throw std::runtime_error("click-to-dial is not available with this store");
  }
  /// Writes calls' new states to the table of calls that are up (other processes read it).
  virtual void update_live_calls(const std::vector<sql::LiveCallUpdate>& /*updates*/) {}
  /// Deletes the recordings in `dir` past their campaign's retention; returns how many.
  virtual int expire_recordings(const std::string& /*dir*/) { return 0; }
  /// Queues webhook events of calls (sql/webhook_store.h): one INSERT each, all in one
  /// transaction (all or none); no delivery here.
  virtual void enqueue_webhooks(const std::vector<QueuedWebhook>& /*events*/) {}
  // Pacing (issue 18). The defaults: no agent reported, nothing abandoned (stores without them).
  /// The agents of a campaign as the contact center last reported them, with hark's holds.
  virtual std::vector<AgentRow> agents(long long /*campaign_id*/) { return {}; }
  /// Writes holds (an agent hark gave a call) and their releases.
  virtual void write_agent_holds(long long /*campaign_id*/, const std::vector<AgentHoldWrite>& /*w*/) {}
  /// People answered and abandoned over the law's windows; `count_amd_fp`: QA's humans the AMD
  /// called machines count as abandoned.
  virtual AbandonCounts abandon_counts(long long /*campaign_id*/, bool /*count_amd_fp*/) { return {}; }
  /// Forgets the connection after a failure (the next call opens a new one).
  virtual void reset() = 0;
};

}  // namespace hark::control
