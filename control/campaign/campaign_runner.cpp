// The runner's thread: the tick (heart-beat, recovery, schedules) and the claim of each
// runnable campaign's due leads. Call events and their ends: runner_calls.cpp.
#include "control/campaign/campaign_runner.h"

#include <spdlog/spdlog.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>

#include "control/campaign/pg_runner_store.h"
#include "control/campaign/runner_call.h"
#include "control/campaign/prompt_files.h"

namespace hark::control {

using Clock = std::chrono::steady_clock;
using signaling::CallState;

namespace {

/// A campaign that cannot be served (its voicemail prompt cannot be loaded, its trunk group is
/// not configured): it is paused with the reason, the others go on.
struct Unservable : std::runtime_error {
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
  dnc_pool_ = std::make_unique<DncCheckPool>(opt_.dnc_threads, [this] { wake(); });  // an answer: dial it now
  metrics_.describe("hark_calls_placed_total", "counter", "calls placed by campaign");
  metrics_.describe("hark_calls_total", "counter", "finished attempts by campaign and result");
  metrics_.describe("hark_amd_verdicts_total", "counter", "AMD verdicts by campaign");
  metrics_.describe("hark_amd_suspected_misses_total", "counter",
                    "calls called human on which the AMD later heard a beep or a monologue, by cause");
  metrics_.describe("hark_amd_verdict_seconds", "histogram", "audio time from answer to the AMD verdict");
  metrics_.describe("hark_abandon_rate", "gauge",
                    "abandoned / people answered by campaign, over the rolling 30 days (TSR) and 24 h (Ofcom)");
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
  refuse_clicks("this process is shutting down");
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
  if (paused_) refuse_clicks("this process is shutting down");
  else place_clicks();
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
  if (!opt_.recordings_dir.empty() &&
      (last_retention_sweep_ == Clock::time_point{} || now - last_retention_sweep_ > std::chrono::seconds(opt_.retention_sweep_s))) {
    last_retention_sweep_ = now;
    if (int n = store_->expire_recordings(opt_.recordings_dir))
      spdlog::info("runner: deleted {} recording(s) past their campaign's retention", n);
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
    } catch (const Unservable& e) {
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
  p->identification = r.identification_prompt_id ? prompt(*r.identification_prompt_id) : nullptr;
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
  if (row.dialing_mode == "preview" && !row.fixed_channels) {  // agents pick each lead (runner_pacing.cpp)
    if (!dnc_down) dial_previews(rc, mine);
    return;
  }
  // Under the campaign's dialing mode (runner_pacing.cpp); progressive: its free agents.
  const auto cap =
      paced_capacity(rc, dial_capacity(row, rc.open_attempts, opt_.max_concurrent, mine, opt_.claim_batch), mine);
  // The trunks: a call may start when one of the group's back-offs lets it (a half-open trunk
  // takes one probe call).
  const auto& members = group_trunks(row.trunk_group);
  int want = 0;
  {
    const auto now = Clock::now();
    for (const auto& m : members) want = std::min(cap.want, want + backoff(m).allowed(cap.want, now));
  }
  if (dnc_down) {
    // Fail closed: probe with one lead at most every dnc_probe_ms (2 s) until the service answers.
    auto& at = dnc_probe_at_[id];
    if (Clock::now() - at < std::chrono::milliseconds(opt_.dnc_probe_ms)) return;
    at = Clock::now();
    want = std::min(want, 1);
  }
  if (want <= 0) return;

  const auto plan = plan_for(row);
  const bool has_list = row.dnc_list_id.has_value();
  const long long dnc_list = row.dnc_list_id.value_or(0);
  // A list created or changed since this tick's refresh: never check a number against less
  // than the database holds.
  if (has_list && dnc_.version(dnc_list) != rc.dnc_list_version) store_->refresh_dnc(dnc_);

  // An external service is asked before the claim, outside the campaign's row lock.
  std::vector<std::pair<long long, DncAnswer>> answers;
  const bool ask_service = !has_list && rc.dnc_service.has_value();
  if (ask_service) {
    auto got = service_answers(rc, want);
    if (!got) {
      if (!dnc_down) {
        auto tx = store_->begin_claim(id);
        tx->set_schedule_state(rc.schedule_id, "DNC_OUT_OF_SERVICE");
        tx->commit();
      }
      return;
    }
    answers = std::move(*got);
    if (answers.empty()) return;
  }

  std::vector<ToDial> to_dial;
  auto tx = store_->begin_claim(id);
  // Processes sharing the database take turns per campaign (row lock), so together they keep
  // to its channels: the count of open attempts is read after the other's commit.
  want = std::min(want, cap.limit - tx->open_attempts());
  if (want <= 0) return;
  std::vector<sql::ClaimedLead> claimed;
  if (ask_service) {
    std::vector<long long> ids;
    for (const auto& [lead, a] : answers)
      if (int(ids.size()) < want) ids.push_back(lead);
    claimed = tx->claim_ids(ids);
  } else {
    claimed = tx->claim(want);
  }
  std::vector<long long> release;
  int dnc_hits = 0;
  auto& lookups = dnc_lookups_[id];
  for (const auto& lead : claimed) {
    bool listed = false;
    if (has_list) {
      listed = dnc_.listed(dnc_list, lead.phone);
    } else if (ask_service) {
      // The answer was about this lead's number when it was asked; a changed number is asked again.
      auto it = lookups.find(lead.id);
      const bool same = it != lookups.end() && it->second.phone == lead.phone;
      if (it != lookups.end()) lookups.erase(it);
      if (!same) {
        release.push_back(lead.id);
        continue;
      }
      listed = std::find(answers.begin(), answers.end(), std::pair{lead.id, DncAnswer::listed}) != answers.end();
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
    call->phone_index = lead.phone_index, call->numbers = lead.numbers;
    auto req = call_request(*plan, lead.phone, call->attempt_id, lead.callback_agent);
    call->placed_s = now_s();
    // A person takes a free agent within the TSR's 2 s, or is abandoned; a callback booked with
    // an agent goes to that agent instead.
    if (gated(row) && lead.callback_agent.empty()) {
      call->board = pacer(id).board;
      req.plan.person = signaling::Reaction::to_agent(call->board, agent_wait_ms(*plan), plan->identification);
    }
    req.trunks = route_now(members);
    call->trunks = req.trunks;
    to_dial.push_back({call, std::move(req)});
  }
  if (!release.empty()) tx->release(release);
  if (dnc_down && !claimed.empty()) {
    tx->set_schedule_state(rc.schedule_id, "RUNNING");
    spdlog::info("runner: campaign {}: do-not-call service answers again; dialing resumes", id);
  }
  tx->commit();  // the attempts exist before any INVITE leaves
  send_dials(id, to_dial, dnc_hits);
}

void CampaignRunner::send_dials(long long id, std::vector<ToDial>& to_dial, int dnc_hits) {
  std::lock_guard lk(mu_);
  auto& l = live_[id];
  l.dnc += uint64_t(dnc_hits);
  if (dnc_hits) metrics_.inc("hark_calls_total{campaign=\"" + std::to_string(id) + "\",result=\"DNC\"}", dnc_hits);
  auto& estimate = pacer(id).estimate;  // its surge detector weighs people against calls placed
  for (auto& d : to_dial) {
    calls_[uint64_t(d.call->attempt_id)] = d.call;
    estimate.on_placed(d.call->placed_s);
    ++l.placed;
    ++l.dialing;
    l.recent.push_back(Clock::now());
    d.call->phase = CallState::dialing;
    metrics_.inc("hark_calls_placed_total{campaign=\"" + std::to_string(id) + "\"}");
    d.call->sip_call_id = dial_(std::move(d.req));
  }
}

std::optional<std::vector<std::pair<long long, DncAnswer>>> CampaignRunner::service_answers(const sql::RunnableCampaign& rc, int want) {
  const auto id = rc.campaign.id;
  const auto now = Clock::now();
  auto& lookups = dnc_lookups_[id];
  // An answer is about a number at a moment: one not used soon is asked again.
  std::erase_if(lookups, [&](const auto& kv) {
    return now - kv.second.asked > std::chrono::seconds(30) && dnc_pool_->result(*kv.second.lookup, nullptr, nullptr);
  });
  // Lookups of one campaign take at most half the pool, so a slow service leaves room for the
  // other campaigns' services.
  const size_t max_open = size_t(std::max(1, opt_.dnc_threads / 2));
  size_t open = 0;
  for (const auto& [lead, l] : lookups) open += !dnc_pool_->result(*l.lookup, nullptr, nullptr);
  const DncService svc{rc.dnc_service->url, rc.dnc_service->timeout_ms, rc.dnc_service->token, opt_.dnc_ca_file};
  const auto due = store_->due_leads(id, want);
  std::vector<std::shared_ptr<const DncCheckPool::Lookup>> waiting;
  for (const auto& lead : due) {
    auto it = lookups.find(lead.id);
    if (it == lookups.end() || it->second.phone != lead.phone) {
      if (open >= max_open) continue;
      ++open;
      auto l = dnc_pool_->submit([this, svc, phone = lead.phone](std::string* err) { return dnc_check_(svc, phone, err); });
      it = lookups.insert_or_assign(lead.id, DncLookup{lead.phone, std::move(l), now}).first;
    }
    waiting.push_back(it->second.lookup);
  }
  // The budget: what is not answered by then waits for a later tick (not claimed, not charged).
  dnc_pool_->wait(waiting, now + std::chrono::milliseconds(opt_.dnc_budget_ms));
  std::vector<std::pair<long long, DncAnswer>> answers;  // in claim order
  for (const auto& lead : due) {
    auto it = lookups.find(lead.id);
    if (it == lookups.end()) continue;
    DncAnswer a;
    std::string err;
    if (!dnc_pool_->result(*it->second.lookup, &a, &err)) continue;
    if (a == DncAnswer::unreachable) {
      // Fail closed: nothing of this campaign is dialed until the service answers again; every
      // answer held is dropped, so the probe asks afresh.
      if (!rc.dnc_out_of_service)
        spdlog::warn("runner: campaign {}: do-not-call service unreachable ({}); dialing paused", id, err);
      std::erase_if(lookups, [&](const auto& kv) { return dnc_pool_->result(*kv.second.lookup, nullptr, nullptr); });
      return std::nullopt;
    }
    answers.emplace_back(lead.id, a);
  }
  return answers;
}

TrunkBackoff& CampaignRunner::backoff(const std::string& trunk) {
  const std::string key = opt_.trunk_groups.empty() ? std::string() : trunk;
  auto it = backoffs_.find(key);
  if (it == backoffs_.end()) it = backoffs_.emplace(key, TrunkBackoff(opt_.trunk_backoff)).first;
  return it->second;
}

std::vector<std::string> CampaignRunner::route_now(const std::vector<std::string>& members) {
  std::vector<std::string> route;
  const auto now = Clock::now();
  for (const auto& m : members)
    if (backoff(m).allowed(1, now) > 0) {
      backoff(m).on_dial();
      if (!m.empty()) route.push_back(m);
    }
  // Should a probe have been taken meanwhile, the whole group rather than every trunk there is.
  if (route.empty() && !members.front().empty()) route = members;
  return route;
}

const std::vector<std::string>& CampaignRunner::group_trunks(const std::string& group) const {
  static const std::vector<std::string> none{""};
  if (opt_.trunk_groups.empty()) return none;
  if (group.empty()) return opt_.trunk_groups.front().second;
  for (const auto& [name, members] : opt_.trunk_groups)
    if (name == group) return members;
  throw Unservable("its trunk group '" + group + "' is not in the configuration");
}

const media::Prompt* CampaignRunner::prompt(long long id) {
  if (auto it = prompts_.find(id); it != prompts_.end()) return it->second.get();
  std::vector<int16_t> pcm;
  if (auto err = load_prompt_file(opt_.prompts_dir, id, pcm); !err.empty())
    throw Unservable("its voicemail " + err + " (upload it again with POST /api/v1/prompts)");
  return (prompts_[id] = std::make_unique<media::Prompt>(media::Prompt::from_pcm(pcm))).get();
}

}  // namespace hark::control
