// An in-memory RunnerStore for the runner's unit tests: campaigns, schedule entries, leads,
// attempts and heart-beats in plain containers, with a clock the test sets (UTC microseconds)
// and fixed time-zone offsets. It does what the SQL statements of sql/statements.cpp do, in
// the small: a test double, so the runner's decisions can be driven without PostgreSQL.
#pragma once

#include <algorithm>
#include <climits>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "control/campaign/dnc_index.h"
#include "control/campaign/runner_store.h"

namespace hark::test {

struct FakeData {
  static constexpr long long kDayUs = 86'400'000'000LL;
  long long now_us = 0;                                        ///< UTC, microseconds since 1970
  std::map<std::string, long long> tz_offset_s{{"UTC", 0}};   ///< a fixed offset per zone name
  std::map<long long, sql::CampaignRecord> campaigns;
  struct Schedule {
    long long id = 0, campaign_id = 0;
    int day = 0;
    long long start_us = 0, end_us = 0;
    std::string state = "NOT_RUNNING";
  };
  std::vector<Schedule> schedules;
  struct Lead {
    long long id = 0, campaign_id = 0;
    std::string phone, status = "NOT_CALLED";
    int attempts = 0;
    bool done = false, in_progress = false;
    std::optional<long long> next_us;
    std::vector<std::string> extra_phones;
    int phone_index = 0, round = 1;
    std::optional<long long> callback_us;
    std::string callback_agent;  ///< kept after the callback, as leads.callback_agent is
    std::string preview_agent;     ///< preview: the agent who accepted it
    bool preview_accepted = false;
    /// The number the next attempt dials (leads_claim's CLAIMED_COLS).
    std::string current() const {
      return phone_index >= 1 && phone_index <= int(extra_phones.size()) ? extra_phones[size_t(phone_index) - 1] : phone;
    }
    sql::ClaimedLead claimed() const {
      return {id, current(), attempts, phone_index, 1 + int(extra_phones.size()), round,
              callback_us ? callback_agent : std::string()};  // the agent only of a pending callback
    }
  };
  std::vector<Lead> leads;
  struct Attempt {
    long long id = 0, campaign_id = 0, lead_id = 0;
    std::string number, instance, state = "DIALING", result, cause;
    sql::AttemptEnd end;
  };
  std::vector<Attempt> attempts;
  std::vector<control::QueuedWebhook> webhooks;  ///< queued by enqueue_webhooks (ended: in the attempt's end)
  std::map<std::string, long long> heartbeats;                 ///< instance -> now_us
  std::map<long long, sql::RunnableCampaign::Service> services;  ///< by dnc_service_id
  std::map<long long, long long> dnc_list_versions;            ///< by dnc_list_id
  bool down = false;                                           ///< every call throws StoreUnavailable
  std::map<long long, std::string> last_error;                 ///< by campaign: why the runner paused it
  /// Runs as a claim begins: another process's commit landing between the runner's look at a
  /// campaign and its row lock.
  std::function<void(long long campaign)> before_claim;
  /// Runs as the runner writes a call's end (finish_attempt), before the store answers.
  std::function<void()> before_finish;
  int dnc_refreshes = 0, uncommitted_claims = 0;
  // Pacing (issue 18): agents by campaign, the holds the runner wrote, the abandon counts.
  std::map<long long, std::vector<control::AgentRow>> agents;
  std::vector<control::AgentHoldWrite> hold_writes;
  control::AbandonCounts abandon;

  long long local_us(const sql::CampaignRecord& c) const { return now_us + tz_offset_s.at(c.time_zone) * 1'000'000; }
  int local_day(const sql::CampaignRecord& c) const { return int(local_us(c) / kDayUs); }
  Lead& lead(long long id) {
    for (auto& l : leads)
      if (l.id == id) return l;
    throw std::out_of_range("no lead " + std::to_string(id));
  }
  Attempt& attempt(long long id) {
    for (auto& a : attempts)
      if (a.id == id) return a;
    throw std::out_of_range("no attempt " + std::to_string(id));
  }
  /// The campaign's due leads in claim order: callbacks by time, retries by due time, then
  /// never-called leads; ties by id.
  std::vector<Lead*> due(long long campaign) {
    std::vector<Lead*> out;
    for (auto& l : leads)
      if (l.campaign_id == campaign && !l.in_progress && !l.done && (!l.next_us || *l.next_us <= now_us)) out.push_back(&l);
    auto key = [](const Lead* l) {
      return std::tuple(l->callback_us ? 0 : l->next_us ? 1 : 2, l->callback_us ? *l->callback_us : l->next_us.value_or(0));
    };
    std::stable_sort(out.begin(), out.end(), [&](auto* a, auto* b) { return key(a) < key(b); });
    return out;
  }
  int open_attempts(long long campaign) const {
    int n = 0;
    for (auto& a : attempts) n += a.campaign_id == campaign && a.state == "DIALING";
    return n;
  }
  long long add_attempt(long long campaign, const Lead& l, const std::string& instance) {
    Attempt a;
    a.id = static_cast<long long>(attempts.size()) + 1;
    a.campaign_id = campaign;
    a.lead_id = l.id;
    a.number = l.current();
    a.instance = instance;
    attempts.push_back(a);
    return a.id;
  }
};

class FakeClaim : public control::ClaimSession {
 public:
  FakeClaim(FakeData& d, long long campaign, std::string instance) : d_(d), campaign_(campaign), instance_(std::move(instance)) {}
  ~FakeClaim() override {
    if (wrote_ && !committed_) ++d_.uncommitted_claims;  // the runner dropped a claim it had written to
  }
  int open_attempts() override { return d_.open_attempts(campaign_); }
  std::vector<sql::ClaimedLead> claim(int n) override {
    std::vector<sql::ClaimedLead> out;
    for (auto* l : d_.due(campaign_)) {
      if (int(out.size()) == n) break;
      l->in_progress = true;
      out.push_back(l->claimed());
    }
    wrote_ = wrote_ || !out.empty();
    return out;
  }
  std::vector<sql::ClaimedLead> claim_ids(const std::vector<long long>& ids) override {
    std::vector<sql::ClaimedLead> out;
    for (auto* l : d_.due(campaign_)) {
      if (std::find(ids.begin(), ids.end(), l->id) == ids.end()) continue;
      l->in_progress = true;
      out.push_back(l->claimed());
    }
    wrote_ = wrote_ || !out.empty();
    return out;
  }
  std::vector<std::pair<sql::ClaimedLead, std::string>> claim_preview(int n) override {
    std::vector<std::pair<sql::ClaimedLead, std::string>> out;
    for (auto& l : d_.leads)
      if (int(out.size()) < n && l.campaign_id == campaign_ && l.preview_accepted && !l.in_progress && !l.done) {
        l.in_progress = true, l.preview_accepted = false, wrote_ = true;
        out.emplace_back(l.claimed(), l.preview_agent);
      }
    return out;
  }
  long long start_attempt(const sql::ClaimedLead& lead) override {
    wrote_ = true;
    return d_.add_attempt(campaign_, d_.lead(lead.id), instance_);
  }
  void record_dnc(const sql::ClaimedLead& lead) override {
    wrote_ = true;
    auto& l = d_.lead(lead.id);
    auto& a = d_.attempt(d_.add_attempt(campaign_, l, instance_));
    a.state = "DONE", a.result = "DNC", a.cause = "on the do-not-call list";
    l.status = "DNC", l.done = true, l.in_progress = false, ++l.attempts, l.next_us.reset(), l.callback_us.reset();
  }
  void release(const std::vector<long long>& ids) override {
    for (auto id : ids) d_.lead(id).in_progress = false;
  }
  void set_schedule_state(long long id, const std::string& state) override {
    for (auto& s : d_.schedules)
      if (s.id == id && s.state != "FINISHED") s.state = state;
  }
  void commit() override { committed_ = true; }

 private:
  FakeData& d_;
  long long campaign_;
  std::string instance_;
  bool wrote_ = false, committed_ = false;
};

class FakeRunnerStore : public control::RunnerStore {
 public:
  FakeRunnerStore(std::shared_ptr<FakeData> d, std::string instance) : d_(std::move(d)), instance_(std::move(instance)) {}

  void heartbeat() override { up(), d_->heartbeats[instance_] = d_->now_us; }
  int recover_stale(int stale_after_s) override {
    up();
    int n = 0;
    for (auto& a : d_->attempts) {
      if (a.state != "DIALING" || a.instance == instance_) continue;
      auto hb = d_->heartbeats.find(a.instance);
      if (hb != d_->heartbeats.end() && hb->second > d_->now_us - stale_after_s * 1'000'000LL) continue;
      a.state = "DONE", a.result = "UNKNOWN", a.cause = "the hark process placing the call stopped";
      auto& l = d_->lead(a.lead_id);
      a.end.charged = false;  // not the lead's fault: attempts unchanged
      l.in_progress = false, l.status = "UNKNOWN", l.next_us = d_->now_us;
      ++n;
    }
    return n;
  }
  void refresh_dnc(control::DncIndex&) override { up(), ++d_->dnc_refreshes; }
  std::vector<sql::OpenSchedule> open_schedules() override {
    up();
    std::vector<sql::OpenSchedule> out;
    for (auto& s : d_->schedules) {
      const auto& c = d_->campaigns.at(s.campaign_id);
      if (c.state != "STARTED" || s.state == "FINISHED" || s.day > d_->local_day(c)) continue;
      if (s.state == "NOT_RUNNING" && s.day < d_->local_day(c)) continue;  // a past day that never ran
      out.push_back({s.id, s.campaign_id, s.day, s.start_us, s.end_us, s.state, d_->local_day(c),
                     d_->local_us(c) % FakeData::kDayUs});
    }
    return out;
  }
  std::vector<long long> move_schedules(const std::vector<sql::ScheduleMove>& moves) override {
    up();
    for (auto& m : moves)
      for (auto& s : d_->schedules)
        if (s.id == m.id && s.state == m.from && d_->campaigns.at(s.campaign_id).state == "STARTED") s.state = m.to;
    std::vector<long long> finished;
    for (auto& [id, c] : d_->campaigns) {
      if (c.state != "STARTED") continue;
      bool left = false;
      // Left: an entry running, or one that has not reached its end (a day that never ran is not left).
      for (auto& s : d_->schedules)
        left = left || (s.campaign_id == id && (s.state == "RUNNING" || s.state == "DNC_OUT_OF_SERVICE" ||
                                                (s.state == "NOT_RUNNING" && s.day * FakeData::kDayUs + s.end_us >
                                                                                 d_->local_us(c))));
      if (!left) c.state = "FINISHED", finished.push_back(id);
    }
    return finished;
  }
  std::vector<sql::RunnableCampaign> runnable_campaigns() override {
    up();
    std::vector<sql::RunnableCampaign> out;
    for (auto& [id, c] : d_->campaigns) {
      if (c.state != "STARTED") continue;
      for (auto& s : d_->schedules) {
        if (s.campaign_id != id || s.day != d_->local_day(c) || (s.state != "RUNNING" && s.state != "DNC_OUT_OF_SERVICE"))
          continue;
        sql::RunnableCampaign rc;
        rc.campaign = c;
        rc.schedule_id = s.id;
        rc.dnc_out_of_service = s.state == "DNC_OUT_OF_SERVICE";
        rc.open_attempts = d_->open_attempts(id);
        if (c.dnc_service_id) rc.dnc_service = d_->services.at(*c.dnc_service_id);
        if (c.dnc_list_id) rc.dnc_list_version = d_->dnc_list_versions.at(*c.dnc_list_id);
        out.push_back(rc);
      }
    }
    return out;
  }
  std::vector<sql::ClaimedLead> due_leads(long long campaign_id, int n) override {
    up();
    std::vector<sql::ClaimedLead> out;
    for (auto* l : d_->due(campaign_id)) {
      if (int(out.size()) == n) break;
      out.push_back(l->claimed());
    }
    return out;
  }
  std::unique_ptr<control::ClaimSession> begin_claim(long long campaign_id) override {
    up();
    if (d_->before_claim) d_->before_claim(campaign_id);
    return std::make_unique<FakeClaim>(*d_, campaign_id, instance_);
  }
  bool finish_attempt(const sql::AttemptEnd& end, const sql::LeadOutcome& o) override {
    if (d_->before_finish) d_->before_finish();
    up();
    auto& a = d_->attempt(end.attempt_id);
    if (a.state != "DIALING") return false;
    a.state = "DONE", a.result = end.result, a.cause = end.cause, a.end = end;
    auto& l = d_->lead(o.lead_id);
    l.status = o.status, l.attempts += o.charged ? 1 : 0, l.in_progress = false, l.done = o.done;
    l.phone_index = o.phone_index, l.callback_us.reset();
    if (o.done) l.next_us.reset();
    else l.next_us = d_->now_us + (long long)(o.retry_s * 1e6);
    return true;
  }
  bool pause_campaign(long long id, const std::string& reason) override {
    up();
    auto& c = d_->campaigns.at(id);
    if (c.state != "STARTED") return false;
    c.state = "PAUSED";
    d_->last_error[id] = reason;
    for (auto& s : d_->schedules)
      if (s.campaign_id == id && (s.state == "RUNNING" || s.state == "DNC_OUT_OF_SERVICE")) s.state = "NOT_RUNNING";
    return true;
  }
  void enqueue_webhooks(const std::vector<control::QueuedWebhook>& events) override {
    up();
    d_->webhooks.insert(d_->webhooks.end(), events.begin(), events.end());
  }
  std::vector<control::AgentRow> agents(long long campaign_id) override {
    up();
    auto it = d_->agents.find(campaign_id);
    return it == d_->agents.end() ? std::vector<control::AgentRow>{} : it->second;
  }
  void write_agent_holds(long long campaign_id, const std::vector<control::AgentHoldWrite>& w) override {
    up();
    for (const auto& h : w) {
      d_->hold_writes.push_back(h);
      for (auto& a : d_->agents[campaign_id])  // as agent_hold / agent_unhold do
        if (a.id == h.agent_id) {
          if (h.hold && a.state == "ready" && !a.held_attempt) a.state = "talking", a.held_attempt = h.attempt_id;
          if (!h.hold && a.held_attempt == h.attempt_id) a.state = "ready", a.held_attempt.reset();
        }
    }
  }
  control::AbandonCounts abandon_counts(long long, bool) override { return up(), d_->abandon; }
  void reset() override {}

 private:
  void up() const {
    if (d_->down) throw control::StoreUnavailable("the fake store is down");
  }
  std::shared_ptr<FakeData> d_;
  std::string instance_;
};

}  // namespace hark::test
