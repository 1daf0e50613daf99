// The runner's thread: the tick (heart-beat, recovery, schedules) and the claim of each
// runnable campaign's due leads. Call events and their ends: runner_calls.cpp.
#include "control/campaign/campaign_runner.h"

#include <spdlog/spdlog.h>
#include <sodium.h>


#include "control/campaign/pg_runner_store.h"
#include "control/campaign/runner_call.h"
#include "control/campaign/prompt_files.h"

namespace hark::control {

using Clock = std::chrono::steady_clock;
using signaling::CallState;

namespace {

/// A campaign whose voicemail prompt cannot be loaded: it is paused, the others go on.
struct PromptUnusable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string random_id() {
  unsigned char raw[8];
  randombytes_buf(raw, sizeof raw);
  std::string s;
  for (auto b : raw) s += "0123456789abcdef"[b >> 4], s += "0123456789abcdef"[b & 15];
  return s;
}

}  // namespace

CampaignRunner::CampaignRunner(std::string database_url, DncIndex& dnc, Metrics& metrics, RunnerOptions o, Dialer dial)
    : CampaignRunner(std::unique_ptr<RunnerStore>(), dnc, metrics, std::move(o), std::move(dial)) {
  store_ = std::make_unique<PgRunnerStore>(std::move(database_url), opt_.instance_id);
}

CampaignRunner::CampaignRunner(std::unique_ptr<RunnerStore> store, DncIndex& dnc, Metrics& metrics, RunnerOptions o,
                               Dialer dial, DncCheck dnc_check)
    : store_(std::move(store)), dnc_(dnc), metrics_(metrics), opt_(std::move(o)), dial_(std::move(dial)),
      dnc_check_(std::move(dnc_check)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  if (opt_.instance_id.empty()) opt_.instance_id = random_id();
  metrics_.describe("hark_calls_placed_total", "counter", "calls placed by campaign");
  metrics_.describe("hark_calls_total", "counter", "finished attempts by campaign and result");
  metrics_.describe("hark_amd_verdicts_total", "counter", "AMD verdicts by campaign");
  metrics_.describe("hark_amd_verdict_seconds", "histogram", "audio time from answer to the AMD verdict");
}

CampaignRunner::~CampaignRunner() { stop(); }

void CampaignRunner::start() {
  stop_ = false;
  thread_ = std::thread([this] { loop(); });
}

void CampaignRunner::stop() {
  stop_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  try {  // the ends of calls hung up during shutdown
    handle_events();
  } catch (const std::exception& e) {
    spdlog::error("runner: {} call end(s) not written at shutdown: {}", unwritten(), e.what());
  }
  std::lock_guard lk(mu_);
  for (auto& [id, w] : subscribers_)
    if (auto s = w.lock()) s->close();
}

void CampaignRunner::run_once() {
  try {
    tick();
    if (db_down_logged_) spdlog::info("runner: database reachable again");
    db_down_logged_ = false;
  } catch (const StoreUnavailable& e) {
    store_->reset();
    if (!db_down_logged_) spdlog::warn("runner: database unreachable ({}); retrying every tick", e.what());
    db_down_logged_ = true;
  } catch (const std::exception& e) {
    store_->reset();  // a failed statement may leave the connection mid-transaction
    spdlog::error("runner: {}", e.what());
  }
}

void CampaignRunner::loop() {
  while (!stop_) {
    run_once();
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, std::chrono::milliseconds(opt_.tick_ms), [&] { return woken_ || stop_; });
    woken_ = false;
  }
}

void CampaignRunner::tick() {
  // Events first: ends free capacity, and they are written even while nothing is dialed.
  handle_events();  // live figures even while the database is away; ends written when it is there
  const auto now = Clock::now();
  if (now - last_heartbeat_ > std::chrono::seconds(1)) {
    store_->heartbeat();
    last_heartbeat_ = now;
  }
  if (now - last_recovery_ > std::chrono::seconds(2)) {
    if (int n = store_->recover_stale(opt_.stale_after_s))
      spdlog::warn("runner: closed {} attempt(s) left DIALING by a stopped hark process; their leads are due again", n);
    last_recovery_ = now;
  }
  // Lists changed by another process (or created since the last tick) are reloaded before
  // any number is checked against them: one small query when nothing changed.
  store_->refresh_dnc(dnc_);
  move_schedules();
  for (const auto& rc : store_->runnable_campaigns()) {
    if (stop_ || paused_) break;
    // One campaign's failure never stops the runner serving the others: a prompt that cannot be
    // played pauses its campaign with the reason; anything else skips it this tick (logged once
    // per distinct error). Only the store being away ends the tick.
    const auto id = rc.campaign.id;
    try {
      dial_campaign(rc);
      if (failing_.erase(id)) spdlog::info("runner: campaign {} dials again", id);
    } catch (const StoreUnavailable&) {
      throw;
    } catch (const PromptUnusable& e) {
      pause_campaign(id, e.what());
    } catch (const std::exception& e) {
      auto& last = failing_[id];
      if (last != e.what()) spdlog::error("runner: campaign {} skipped: {}", id, e.what());
      last = e.what();
    }
  }
}

void CampaignRunner::pause_campaign(long long id, const std::string& reason) {
  plans_.erase(id);
  try {
    if (store_->pause_campaign(id, reason)) spdlog::error("runner: campaign {} paused: {}", id, reason);
  } catch (const StoreUnavailable&) {
    throw;
  } catch (const std::exception& e) {
    spdlog::error("runner: campaign {} cannot be served ({}) nor paused: {}", id, reason, e.what());
  }
}

void CampaignRunner::move_schedules() {
  for (auto id : store_->move_schedules(schedule_moves(store_->open_schedules())))
    spdlog::info("runner: campaign {} finished (no schedule left)", id);
}

std::shared_ptr<const CampaignPlan> CampaignRunner::plan_for(const sql::CampaignRecord& r) {
  auto& plan = plans_[r.id];
  // Free agents change all day and are read from the row each tick; anything else rebuilds.
  if (plan) {
    auto same = r;
    same.free_agents = plan->record.free_agents;
    if (same == plan->record) return plan;
  }
  plan.reset();  // a plan that fails below is not kept
  auto p = std::make_shared<CampaignPlan>();
  p->record = r;
  p->settings = CampaignSettings::from_record(r);
  p->retry = RetryPolicy::from(p->settings);
  p->amd = amd_params_for(p->settings.amd_params);
  p->voicemail = r.voicemail_prompt_id ? prompt(*r.voicemail_prompt_id) : nullptr;
  plan = std::move(p);
  return plan;
}

void CampaignRunner::dial_campaign(const sql::RunnableCampaign& rc) {
  const auto& row = rc.campaign;
  const auto id = row.id;
  const bool dnc_down = rc.dnc_out_of_service;
  int mine = 0;
  {
    std::lock_guard lk(mu_);
    mine = int(calls_.size());
  }
  // An optimistic look with the tick's count spares a full campaign the row lock below; the
  // count under the lock is the one that decides.
  const auto cap = dial_capacity(row, rc.open_attempts, opt_.max_concurrent, mine, opt_.claim_batch);
  int want = cap.want;
  if (dnc_down) {
    // Fail closed: probe with one lead at most every 2 s until the service answers.
    auto& at = dnc_probe_at_[id];
    if (Clock::now() - at < std::chrono::seconds(2)) return;
    at = Clock::now();
    want = std::min(want, 1);
  }
  if (want <= 0) return;

  const auto plan = plan_for(row);
  DncService svc;
  if (rc.dnc_service) svc = DncService{rc.dnc_service->url, rc.dnc_service->timeout_ms, rc.dnc_service->token, opt_.dnc_ca_file};
  const bool has_list = row.dnc_list_id.has_value();
  const long long dnc_list = row.dnc_list_id.value_or(0);
  // A list created or changed since this tick's refresh: never check a number against less
  // than the database holds.
  if (has_list && dnc_.version(dnc_list) != rc.dnc_list_version) store_->refresh_dnc(dnc_);

  struct ToDial {
    std::shared_ptr<Call> call;
    signaling::CallRequest req;
  };
  std::vector<ToDial> to_dial;
  auto tx = store_->begin_claim(id);
  // Processes sharing the database take turns per campaign (row lock), so together they keep
  // to its channels: the count of open attempts is read after the other's commit.
  want = std::min(want, cap.limit - tx->open_attempts());
  if (want <= 0) return;
  const auto claimed = tx->claim(want);
  std::vector<long long> release;
  bool service_failed = false;
  int dnc_hits = 0;
  for (const auto& lead : claimed) {
    if (service_failed) {
      release.push_back(lead.id);
      continue;
    }
    bool listed = false;
    if (has_list) {
      listed = dnc_.listed(dnc_list, lead.phone);
    } else if (rc.dnc_service) {
      std::string err;
      const auto a = dnc_check_(svc, lead.phone, &err);
      if (a == DncAnswer::unreachable) {
        service_failed = true;
        release.push_back(lead.id);
        if (!dnc_down) spdlog::warn("runner: campaign {}: do-not-call service unreachable ({}); dialing paused", id, err);
        continue;
      }
      listed = a == DncAnswer::listed;
    }
    if (listed) {
      tx->record_dnc(lead);
      ++dnc_hits;
      continue;
    }
    auto call = std::make_shared<Call>();
    call->attempt_id = tx->start_attempt(lead);
    call->lead_id = lead.id;
    call->campaign_id = id;
    call->lead_attempts = lead.attempts;
    call->plan = plan;
    call->number = lead.phone;
    to_dial.push_back({call, call_request(*plan, lead.phone, call->attempt_id)});
  }
  if (!release.empty()) tx->release(release);
  if (service_failed && !dnc_down) tx->set_schedule_state(rc.schedule_id, "DNC_OUT_OF_SERVICE");
  if (!service_failed && dnc_down && (!claimed.empty())) {
    tx->set_schedule_state(rc.schedule_id, "RUNNING");
    spdlog::info("runner: campaign {}: do-not-call service answers again; dialing resumes", id);
  }
  tx->commit();  // the attempts exist before any INVITE leaves

  std::lock_guard lk(mu_);
  auto& l = live_[id];
  l.dnc += uint64_t(dnc_hits);
  if (dnc_hits) metrics_.inc("hark_calls_total{campaign=\"" + std::to_string(id) + "\",result=\"DNC\"}", dnc_hits);
  for (auto& d : to_dial) {
    calls_[uint64_t(d.call->attempt_id)] = d.call;
    ++l.placed;
    ++l.dialing;
    l.recent.push_back(Clock::now());
    d.call->phase = CallState::dialing;
    metrics_.inc("hark_calls_placed_total{campaign=\"" + std::to_string(id) + "\"}");
    dial_(std::move(d.req));
  }
}

const media::Prompt* CampaignRunner::prompt(long long id) {
  if (auto it = prompts_.find(id); it != prompts_.end()) return it->second.get();
  std::vector<int16_t> pcm;
  if (auto err = load_prompt_file(opt_.prompts_dir, id, pcm); !err.empty())
    throw PromptUnusable("its voicemail " + err + " (upload it again with POST /api/v1/prompts)");
  return (prompts_[id] = std::make_unique<media::Prompt>(media::Prompt::from_pcm(pcm))).get();
}

}  // namespace hark::control
