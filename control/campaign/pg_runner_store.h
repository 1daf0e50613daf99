// The runner's store in PostgreSQL: one connection of its own (opened on first use, reopened
// after `reset`), every call through the typed functions of sql/campaign_store.h. A lost
// connection comes out as StoreUnavailable.
#pragma once

#include <pqxx/pqxx>

#include "control/campaign/runner_store.h"

namespace hark::control {

class PgRunnerStore : public RunnerStore {
 public:
  /// `instance` names this process in the attempts it writes and its heart-beat.
  PgRunnerStore(std::string url, std::string instance);

  void heartbeat() override;
  int recover_stale(int stale_after_s) override;
  void refresh_dnc(DncIndex& dnc) override;
  std::vector<sql::OpenSchedule> open_schedules() override;
  std::vector<long long> move_schedules(const std::vector<sql::ScheduleMove>& moves) override;
  std::vector<sql::RunnableCampaign> runnable_campaigns() override;
  std::vector<sql::ClaimedLead> due_leads(long long campaign_id, int n) override;
  std::unique_ptr<ClaimSession> begin_claim(long long campaign_id) override;
  bool finish_attempt(const sql::AttemptEnd& end, const sql::LeadOutcome& lead) override;
  std::optional<sql::ClickAttempt> start_click_attempt(long long campaign_id, long long lead_id,
                                                       const std::string& number, long long placed_by) override;
  bool pause_campaign(long long campaign_id, const std::string& reason) override;
  int expire_recordings(const std::string& dir) override;
  void update_live_calls(const std::vector<sql::LiveCallUpdate>& updates) override;
  void enqueue_webhooks(const std::vector<QueuedWebhook>& events) override;
  std::vector<AgentRow> agents(long long campaign_id) override;
  void write_agent_holds(long long campaign_id, const std::vector<AgentHoldWrite>& w) override;
  AbandonCounts abandon_counts(long long campaign_id, bool count_amd_fp) override;
  void reset() override { db_.reset(); }

 private:
  /// Runs f(connection), opening it if needed; a broken connection becomes StoreUnavailable.
  template <class F>
  auto with(F&& f);

  std::string url_, instance_;
  std::unique_ptr<pqxx::connection> db_;
};

}  // namespace hark::control
