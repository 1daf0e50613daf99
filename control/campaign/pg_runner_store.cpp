#include "control/campaign/pg_runner_store.h"

#include <unistd.h>

#include "control/campaign/dnc_index.h"
#include "sql/db_pool.h"
#include "sql/recording_store.h"
#include "sql/webhook_store.h"

namespace hark::control {

namespace {

std::string host_name() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

/// A broken connection inside a claim is the store being away, like anywhere else.
template <class F>
auto translated(F&& f) {
  try {
    return f();
  } catch (const pqxx::broken_connection& e) {
    throw StoreUnavailable(e.what());
  }
}

class PgClaim : public ClaimSession {
 public:
  PgClaim(pqxx::connection& c, long long campaign, const std::string& instance)
      : tx_(c), campaign_(campaign), instance_(instance) {}
  int open_attempts() override { return translated([&] { return sql::lock_campaign(tx_, campaign_); }); }
  std::vector<sql::ClaimedLead> claim(int n) override {
    return translated([&] { return sql::claim_leads(tx_, campaign_, n); });
  }
  std::vector<sql::ClaimedLead> claim_ids(const std::vector<long long>& ids) override {
    return translated([&] { return sql::claim_lead_ids(tx_, campaign_, ids); });
  }
  std::vector<std::pair<sql::ClaimedLead, std::string>> claim_preview(int n) override {
    return translated([&] { return sql::claim_preview_leads(tx_, campaign_, n); });
  }
  long long start_attempt(const sql::ClaimedLead& lead) override {
    return translated([&] { return sql::start_attempt(tx_, campaign_, lead, instance_); });
  }
  void record_dnc(const sql::ClaimedLead& lead) override {
    translated([&] { sql::record_dnc(tx_, campaign_, lead, instance_); });
  }
  void release(const std::vector<long long>& ids) override { translated([&] { sql::release_leads(tx_, ids); }); }
  void set_schedule_state(long long schedule_id, const std::string& state) override {
    translated([&] { sql::set_schedule_state(tx_, schedule_id, state); });
  }
  void commit() override { translated([&] { tx_.commit(); }); }

 private:
  pqxx::work tx_;
  long long campaign_;
  const std::string& instance_;
};

}  // namespace

PgRunnerStore::PgRunnerStore(std::string url, std::string instance) : url_(std::move(url)), instance_(std::move(instance)) {}

template <class F>
auto PgRunnerStore::with(F&& f) {
  return translated([&] {
    if (!db_) db_ = sql::open_prepared(url_);
    return f(*db_);
  });
}

void PgRunnerStore::heartbeat() {
  with([&](pqxx::connection& c) { sql::runner_heartbeat(c, instance_, host_name(), int(::getpid())); });
}

int PgRunnerStore::recover_stale(int stale_after_s) {
  return with([&](pqxx::connection& c) { return sql::runner_recover(c, instance_, stale_after_s); });
}

void PgRunnerStore::refresh_dnc(DncIndex& dnc) {
  with([&](pqxx::connection& c) { dnc.refresh(c); });
}

std::vector<sql::OpenSchedule> PgRunnerStore::open_schedules() {
  return with([&](pqxx::connection& c) { return sql::open_schedules(c); });
}

std::vector<long long> PgRunnerStore::move_schedules(const std::vector<sql::ScheduleMove>& moves) {
  return with([&](pqxx::connection& c) { return sql::move_schedules(c, moves); });
}

std::vector<sql::RunnableCampaign> PgRunnerStore::runnable_campaigns() {
  return with([&](pqxx::connection& c) { return sql::runnable_campaigns(c); });
}

std::vector<sql::ClaimedLead> PgRunnerStore::due_leads(long long campaign_id, int n) {
  return with([&](pqxx::connection& c) { return sql::due_leads(c, campaign_id, n); });
}

std::unique_ptr<ClaimSession> PgRunnerStore::begin_claim(long long campaign_id) {
  return with([&](pqxx::connection& c) -> std::unique_ptr<ClaimSession> {
    return std::make_unique<PgClaim>(c, campaign_id, instance_);
  });
}

bool PgRunnerStore::finish_attempt(const sql::AttemptEnd& end, const sql::LeadOutcome& lead) {
  return with([&](pqxx::connection& c) { return sql::finish_attempt(c, end, lead); });
}

std::optional<sql::ClickAttempt> PgRunnerStore::start_click_attempt(long long campaign_id, long long lead_id,
                                                                    const std::string& number, long long placed_by) {
  return with([&](pqxx::connection& c) {
    return sql::start_click_attempt(c, campaign_id, lead_id, number, instance_, placed_by);
  });
}

void PgRunnerStore::update_live_calls(const std::vector<sql::LiveCallUpdate>& updates) {
  with([&](pqxx::connection& c) { sql::update_live_calls(c, updates); });
}

int PgRunnerStore::expire_recordings(const std::string& dir) {
  return with([&](pqxx::connection& c) { return sql::delete_expired_recordings(c, dir); });
}

void PgRunnerStore::enqueue_webhooks(const std::vector<QueuedWebhook>& events) {
  with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    for (const auto& e : events) sql::enqueue_webhook_event(tx, e.campaign_id, e.attempt_id, e.event, e.json);
    tx.commit();
  });
}

bool PgRunnerStore::pause_campaign(long long campaign_id, const std::string& reason) {
  return with([&](pqxx::connection& c) { return sql::pause_campaign(c, campaign_id, reason); });
}

std::vector<AgentRow> PgRunnerStore::agents(long long campaign_id) {
  return with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::vector<AgentRow> out;
    for (const auto& r : tx.exec_prepared("agents_list", campaign_id)) {
      AgentRow a;
      a.id = r["agent_id"].as<std::string>();
      a.state = r["state"].as<std::string>();
      if (!r["extension"].is_null()) a.extension = r["extension"].as<std::string>();
      if (!r["held_attempt"].is_null()) a.held_attempt = r["held_attempt"].as<long long>();
      out.push_back(std::move(a));
    }
    return out;
  });
}

void PgRunnerStore::write_agent_holds(long long campaign_id, const std::vector<AgentHoldWrite>& w) {
  if (w.empty()) return;
  with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    for (const auto& h : w) tx.exec_prepared0(h.hold ? "agent_hold" : "agent_unhold", campaign_id, h.agent_id, h.attempt_id);
    tx.commit();
  });
}

AbandonCounts PgRunnerStore::abandon_counts(long long campaign_id, bool count_amd_fp) {
  return with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    const auto r = tx.exec_prepared1("abandon_counts", campaign_id, count_amd_fp);
    return AbandonCounts{r["people_30d"].as<long long>(), r["abandoned_30d"].as<long long>(),
                         r["people_24h"].as<long long>(), r["abandoned_24h"].as<long long>(),
                         r["people_15m"].as<long long>(), r["abandoned_15m"].as<long long>()};
  });
}

}  // namespace hark::control
