#include "control/campaign_runner.h"

#include <spdlog/spdlog.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>

#include "control/campaign_settings.h"
#include "media/audio_file.h"
#include "sql/db_pool.h"

namespace hark::control {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using signaling::CallState;

/// What the runner remembers about a call it placed, until its end is written.
struct CampaignRunner::Call {
  long long attempt_id = 0, lead_id = 0, campaign_id = 0;
  int lead_attempts = 0;         ///< attempts before this one
  int max_attempts = 5, retry_minutes = 60;
  json::object retry_rules;
  std::string number;
  CallState phase = CallState::queued;
};

namespace {

std::string random_id() {
  unsigned char raw[8];
  randombytes_buf(raw, sizeof raw);
  std::string s;
  for (auto b : raw) s += "0123456789abcdef"[b >> 4], s += "0123456789abcdef"[b & 15];
  return s;
}

std::string host_name() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

/// Whether a finished attempt is the lead's last, and if not, when to try again.
struct RetryPlan {
  bool done = true;
  int retry_minutes = 0;
};

RetryPlan plan_retry(const std::string& status, int attempts_now, int max_attempts, int retry_minutes,
                     const json::object& rules) {
  RetryPlan p;
  if (!retryable_status(status)) return p;  // SUCCESS and DNC are final
  int max = max_attempts, minutes = retry_minutes;
  if (auto* r = rules.if_contains(status); r && r->is_object()) {
    if (auto* m = r->as_object().if_contains("maxAttempts"); m && m->is_int64()) max = int(m->as_int64());
    if (auto* m = r->as_object().if_contains("retryMinutes"); m && m->is_int64()) minutes = int(m->as_int64());
  }
  p.done = attempts_now >= max;
  p.retry_minutes = minutes;
  return p;
}

void move_phase(CampaignRunner::Live& l, CallState from, CallState to) {
  auto bucket = [&](CallState s) -> int* {
    switch (s) {
      case CallState::queued:
      case CallState::dialing: return &l.dialing;
      case CallState::ringing:
      case CallState::early_media: return &l.ringing;
      case CallState::answered:
      case CallState::verdict:
      case CallState::transferring:
      case CallState::playing_message: return &l.connected;
      default: return nullptr;
    }
  };
  int* a = bucket(from);
  int* b = bucket(to);
  if (a == b) return;
  if (a) --*a;
  if (b) ++*b;
}

}  // namespace

CampaignRunner::CampaignRunner(std::string database_url, DncIndex& dnc, Metrics& metrics, RunnerOptions o, Dialer dial)
    : url_(std::move(database_url)), dnc_(dnc), metrics_(metrics), opt_(std::move(o)), dial_(std::move(dial)) {
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
    if (!db_) db_ = sql::open_prepared(url_);
    handle_events();
  } catch (const std::exception& e) {
    spdlog::error("runner: {} call end(s) not written at shutdown: {}", unwritten(), e.what());
  }
  std::lock_guard lk(mu_);
  for (auto& [id, w] : subscribers_)
    if (auto s = w.lock()) s->close();
}

void CampaignRunner::wake() {
  std::lock_guard lk(mu_);
  woken_ = true;
  cv_.notify_all();
}

size_t CampaignRunner::calls_in_flight() const {
  std::lock_guard lk(mu_);
  return calls_.size();
}

size_t CampaignRunner::unwritten() const {
  std::lock_guard lk(mu_);
  return unwritten_.size();
}

void CampaignRunner::on_call_event(const signaling::CallEvent& e) {
  std::lock_guard lk(mu_);
  events_.push_back(e);
  if (e.state == CallState::ended) {
    woken_ = true;  // a free channel: refill it now
    cv_.notify_all();
  }
}

std::shared_ptr<EventStream> CampaignRunner::subscribe(long long campaign_id) {
  auto s = std::make_shared<EventStream>();
  std::lock_guard lk(mu_);
  std::erase_if(subscribers_, [](auto& p) { return p.second.expired() || p.second.lock()->closed(); });
  subscribers_.emplace_back(campaign_id, s);
  return s;
}

json::object CampaignRunner::live(long long campaign_id) {
  std::lock_guard lk(mu_);
  auto& l = live_[campaign_id];
  const auto now = Clock::now();
  while (!l.recent.empty() && now - l.recent.front() > std::chrono::seconds(10)) l.recent.pop_front();
  return {{"campaignId", campaign_id},
          {"dialing", l.dialing},
          {"ringing", l.ringing},
          {"connected", l.connected},
          {"placed", l.placed},
          {"answered", l.answered},
          {"transferredToAgents", l.transferred},
          {"machines", l.machines},
          {"faxOrSit", l.fax_sit},
          {"failed", l.failed},
          {"dropped", l.dropped},
          {"doNotCall", l.dnc},
          {"ended", l.ended},
          {"callsPerSecond", double(l.recent.size()) / 10.0}};
}

void CampaignRunner::loop() {
  while (!stop_) {
    try {
      tick();
      if (db_down_logged_) spdlog::info("runner: database reachable again");
      db_down_logged_ = false;
    } catch (const pqxx::broken_connection& e) {
      db_.reset();
      if (!db_down_logged_) spdlog::warn("runner: database unreachable ({}); retrying every tick", e.what());
      db_down_logged_ = true;
    } catch (const std::exception& e) {
      db_.reset();  // a failed statement may leave the connection mid-transaction
      spdlog::error("runner: {}", e.what());
    }
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, std::chrono::milliseconds(opt_.tick_ms), [&] { return woken_ || stop_; });
    woken_ = false;
  }
}

void CampaignRunner::tick() {
  // Events first: ends free capacity, and they are written even while nothing is dialed.
  handle_events();  // live figures even while the database is away; ends written when it is there
  if (!db_) db_ = sql::open_prepared(url_);
  auto& c = *db_;
  const auto now = Clock::now();
  if (now - last_heartbeat_ > std::chrono::seconds(1)) {
    pqxx::work tx(c);
    tx.exec_prepared0("runner_heartbeat", opt_.instance_id, host_name(), int(::getpid()));
    tx.commit();
    last_heartbeat_ = now;
  }
  if (now - last_recovery_ > std::chrono::seconds(2)) {
    pqxx::work tx(c);
    auto r = tx.exec_prepared("runner_recover", opt_.instance_id, opt_.stale_after_s);
    tx.commit();
    if (!r.empty()) spdlog::warn("runner: closed {} attempt(s) left DIALING by a stopped hark process; their leads are due again", r.size());
    last_recovery_ = now;
  }
  // Lists changed by another process (or created since the last tick) are reloaded before
  // any number is checked against them: one small query when nothing changed.
  dnc_.refresh(c);
  {
    pqxx::work tx(c);
    tx.exec_prepared0("schedules_finish_past");
    tx.exec_prepared0("schedules_start_today");
    for (auto row : tx.exec_prepared("campaigns_finish")) spdlog::info("runner: campaign {} finished (no schedule left)", row[0].as<long long>());
    tx.commit();
  }
  pqxx::result due;
  {
    pqxx::read_transaction tx(c);
    due = tx.exec_prepared("runner_campaigns");
  }
  for (const auto& row : due) {
    if (stop_ || paused_) break;
    dial_campaign(c, row);
  }
}

void CampaignRunner::dial_campaign(pqxx::connection& c, const pqxx::row& row) {
  const auto id = row["id"].as<long long>();
  const auto schedule_id = row["schedule_id"].as<long long>();
  const bool dnc_down = row["schedule_state"].as<std::string>() == "DNC_OUT_OF_SERVICE";
  const int active = row["active"].as<int>();
  const int channels = row["fixed_channels"].is_null() ? row["free_agents"].as<int>() : row["fixed_channels"].as<int>();
  int mine = 0;
  {
    std::lock_guard lk(mu_);
    mine = int(calls_.size());
  }
  // An optimistic look with the tick's count spares a full campaign the row lock below; the
  // count under the lock is the one that decides.
  const int limit = std::min(channels, row["max_concurrent"].as<int>());
  int want = limit - active;
  want = std::min({want, opt_.max_concurrent - mine, opt_.claim_batch});
  const bool has_service = !row["dnc_url"].is_null();
  if (dnc_down) {
    // Fail closed: probe with one lead at most every 2 s until the service answers.
    auto& at = dnc_probe_at_[id];
    if (Clock::now() - at < std::chrono::seconds(2)) return;
    at = Clock::now();
    want = std::min(want, 1);
  }
  if (want <= 0) return;

  DncService svc;
  if (has_service)
    svc = DncService{row["dnc_url"].as<std::string>(), row["dnc_timeout_ms"].as<int>(),
                     row["dnc_token"].as<std::string>(), opt_.dnc_ca_file};
  const bool has_list = !row["dnc_list_id"].is_null();
  const long long dnc_list = has_list ? row["dnc_list_id"].as<long long>() : 0;

  struct ToDial {
    std::shared_ptr<Call> call;
    signaling::CallRequest req;
  };
  std::vector<ToDial> to_dial;
  const auto rules = json::parse(row["retry_rules"].as<std::string>()).as_object();
  const auto amd_overrides = json::parse(row["amd_params"].as<std::string>()).as_object();
  const std::string prefix = row["dial_prefix"].as<std::string>();
  const std::string caller_id = row["caller_id"].as<std::string>();
  const std::string pilot = row["pilot_number"].as<std::string>();
  const bool amd_on = row["amd_enabled"].as<bool>();
  const media::Prompt* vm = row["voicemail_message"].is_null() ? nullptr : prompt(row["voicemail_message"].as<std::string>());

  // A list created or changed since this tick's refresh: never check a number against less
  // than the database holds.
  if (has_list && dnc_.version(dnc_list) != row["dnc_list_version"].as<long long>()) dnc_.refresh(c);

  pqxx::work tx(c);
  // Processes sharing the database take turns per campaign (row lock), so together they keep
  // to its channels: the count of open attempts is read after the other's commit.
  const int open_now = tx.exec_prepared1("campaign_lock_active", id)[0].as<int>();
  want = std::min(want, limit - open_now);
  if (want <= 0) return;
  auto claimed = tx.exec_prepared("leads_claim", id, want);
  std::vector<std::string> release;
  bool service_failed = false;
  int dnc_hits = 0;
  for (const auto& lead : claimed) {
    const auto lead_id = lead["id"].as<long long>();
    const auto phone = lead["phone"].as<std::string>();
    if (service_failed) {
      release.push_back(std::to_string(lead_id));
      continue;
    }
    bool listed = false;
    if (has_list) {
      listed = dnc_.listed(dnc_list, phone);
    } else if (has_service) {
      std::string err;
      const auto a = check_dnc(svc, phone, &err);
      if (a == DncAnswer::unreachable) {
        service_failed = true;
        release.push_back(std::to_string(lead_id));
        if (!dnc_down) spdlog::warn("runner: campaign {}: do-not-call service unreachable ({}); dialing paused", id, err);
        continue;
      }
      listed = a == DncAnswer::listed;
    }
    if (listed) {
      tx.exec_prepared0("attempt_insert_dnc", id, lead_id, phone, opt_.instance_id);
      tx.exec_prepared0("lead_mark_dnc", lead_id);
      ++dnc_hits;
      continue;
    }
    auto call = std::make_shared<Call>();
    call->attempt_id = tx.exec_prepared1("attempt_insert_dialing", id, lead_id, phone, opt_.instance_id)[0].as<long long>();
    call->lead_id = lead_id;
    call->campaign_id = id;
    call->lead_attempts = lead["attempts"].as<int>();
    call->max_attempts = row["max_attempts"].as<int>();
    call->retry_minutes = row["retry_minutes"].as<int>();
    call->retry_rules = rules;
    call->number = phone;
    signaling::CallRequest req;
    req.number = prefix + phone;
    req.plan = signaling::CallPlan::campaign(pilot, vm);
    req.amd = amd_on;
    req.amd_params = amd_params_for(amd_overrides);
    req.tag = uint64_t(call->attempt_id);
    req.caller_id = caller_id;
    to_dial.push_back({call, std::move(req)});
  }
  if (!release.empty()) tx.exec_prepared0("leads_release", sql::text_array_literal(release));
  if (service_failed && !dnc_down) tx.exec_prepared0("schedule_set_state", schedule_id, "DNC_OUT_OF_SERVICE");
  if (!service_failed && dnc_down && (!claimed.empty())) {
    tx.exec_prepared0("schedule_set_state", schedule_id, "RUNNING");
    spdlog::info("runner: campaign {}: do-not-call service answers again; dialing resumes", id);
  }
  tx.commit();  // the attempts exist before any INVITE leaves

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

void CampaignRunner::handle_events() {
  std::deque<signaling::CallEvent> evs;
  std::deque<std::pair<std::shared_ptr<Call>, signaling::CallEvent>> ends;
  {
    std::lock_guard lk(mu_);
    evs.swap(events_);
    ends.swap(unwritten_);
    for (auto& e : evs) {
      auto it = calls_.find(e.tag);
      if (it == calls_.end()) continue;
      auto& call = *it->second;
      auto& l = live_[call.campaign_id];
      const std::string camp = std::to_string(call.campaign_id);
      if (e.state == CallState::answered) ++l.answered;
      if (e.state == CallState::verdict && e.has_verdict) {
        const std::string v(amd::to_string(e.verdict));
        metrics_.inc("hark_amd_verdicts_total{campaign=\"" + camp + "\",verdict=\"" + v + "\"}");
        metrics_.observe("hark_amd_verdict_seconds", "campaign=\"" + camp + "\"", e.amd_ms / 1000.0,
                         {0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10});
        if (e.verdict == amd::Verdict::machine) ++l.machines;
        if (e.verdict == amd::Verdict::fax || e.verdict == amd::Verdict::sit) ++l.fax_sit;
      }
      if (e.state == CallState::ended) {
        ++l.ended;
        switch (e.outcome) {
          case signaling::LeadStatus::success: ++l.transferred; break;
          case signaling::LeadStatus::amd: break;
          case signaling::LeadStatus::unknown:
            if (e.answered) ++l.dropped;  // answered, then lost before reaching an agent
            else ++l.failed;
            break;
          default: ++l.failed;
        }
        move_phase(l, call.phase, CallState::ended);
        call.phase = CallState::ended;
        ends.emplace_back(it->second, e);
        calls_.erase(it);
      } else {
        move_phase(l, call.phase, e.state);
        call.phase = e.state;
      }
      publish(call, e);
    }
  }
  // Write the ends; keep whatever the database did not take for the next tick.
  std::deque<std::pair<std::shared_ptr<Call>, signaling::CallEvent>> failed;
  if (!db_ && !ends.empty()) {
    try {
      db_ = sql::open_prepared(url_);
    } catch (const std::exception&) {
    }
  }
  for (auto& [call, e] : ends) {
    if (!failed.empty() || !db_) {
      failed.emplace_back(call, e);
      continue;
    }
    try {
      write_completion(*db_, *call, e);
    } catch (const std::exception& x) {
      failed.emplace_back(call, e);
      db_.reset();
      if (!db_down_logged_) spdlog::warn("runner: cannot write a call's end ({}); kept for later", x.what());
      db_down_logged_ = true;
    }
  }
  if (!failed.empty()) {
    std::lock_guard lk(mu_);
    for (auto it = failed.rbegin(); it != failed.rend(); ++it) unwritten_.push_front(*it);
    throw pqxx::broken_connection("call ends are waiting for the database");
  }
}

void CampaignRunner::write_completion(pqxx::connection& c, const Call& call, const signaling::CallEvent& e) {
  const std::string status(signaling::to_string(e.outcome));
  const auto plan = plan_retry(status, call.lead_attempts + 1, call.max_attempts, call.retry_minutes, call.retry_rules);
  const double retry_s = double(plan.retry_minutes) * opt_.retry_unit_ms / 1000.0;
  std::optional<std::string> verdict, amd_cause, reason;
  std::optional<int> sip_code, amd_ms;
  if (e.has_verdict) verdict = std::string(amd::to_string(e.verdict)), amd_cause = e.amd_cause, amd_ms = int(e.amd_ms);
  if (e.sip_code) sip_code = e.sip_code;
  if (!e.sip_reason.empty()) reason = e.sip_reason;
  pqxx::work tx(c);
  const auto r = tx.exec_prepared("attempt_finish", call.attempt_id, e.answered, e.talk_ms / 1000.0, sip_code, reason,
                                  verdict, amd_cause, amd_ms, status, e.cause);
  // Zero rows: another process took this one for dead (a long database outage) and closed the
  // attempt; the lead is no longer ours to update.
  if (r.affected_rows() == 1) tx.exec_prepared0("lead_finish", call.lead_id, status, plan.done, retry_s);
  tx.commit();
  metrics_.inc("hark_calls_total{campaign=\"" + std::to_string(call.campaign_id) + "\",result=\"" + status + "\"}");
}

void CampaignRunner::publish(const Call& call, const signaling::CallEvent& e) {
  if (subscribers_.empty()) return;
  json::object o{{"campaignId", call.campaign_id}, {"leadId", call.lead_id},       {"attemptId", call.attempt_id},
                 {"number", call.number},          {"state", signaling::to_string(e.state)}};
  if (e.sip_code) o["sipCode"] = e.sip_code;
  if (e.has_verdict) o["verdict"] = amd::to_string(e.verdict), o["amdMs"] = e.amd_ms;
  if (e.state == CallState::ended) o["result"] = signaling::to_string(e.outcome), o["cause"] = e.cause;
  const auto data = json::serialize(o);
  for (auto& [cid, w] : subscribers_)
    if (auto s = w.lock(); s && (cid == 0 || cid == call.campaign_id)) s->push("call", data);
}

const media::Prompt* CampaignRunner::prompt(const std::string& path) {
  auto it = prompts_.find(path);
  if (it != prompts_.end()) return it->second.get();
  std::filesystem::path p(path);
  if (p.is_relative() && !opt_.audio_dir.empty()) p = std::filesystem::path(opt_.audio_dir) / p;
  std::vector<int16_t> pcm;
  std::unique_ptr<media::Prompt> pr;
  if (auto err = media::read_audio(p.string(), pcm); err.empty()) pr = std::make_unique<media::Prompt>(media::Prompt::from_pcm(pcm));
  else spdlog::error("runner: voicemail message {}: {} (machines get no message)", p.string(), err);
  return (prompts_[path] = std::move(pr)).get();
}

}  // namespace hark::control
