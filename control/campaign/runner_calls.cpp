// The runner's calls after the dial: events from the SIP agent become live figures, metrics and
// event-stream messages; ends become the attempt's result and the lead's status (kept in memory
// while the store is away).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "control/campaign/campaign_runner.h"
#include "control/campaign/runner_call.h"
#include "control/campaign/call_commands.h"
#include "control/webhooks/webhook_payload.h"

namespace hark::control {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using signaling::CallState;

namespace {

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
      case CallState::on_hold:
      case CallState::consulting:
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

void CampaignRunner::wake() {
  std::lock_guard lk(mu_);
  woken_ = true;
  cv_.notify_all();
}

size_t CampaignRunner::calls_in_flight() const {
  std::lock_guard lk(mu_);
  return calls_.size();
}

std::optional<OwnedCall> CampaignRunner::owned_call(long long attempt_id) const {
  std::lock_guard lk(mu_);
  const auto it = calls_.find(uint64_t(attempt_id));
  if (it == calls_.end() || it->second->phase == CallState::ended) return std::nullopt;
  return OwnedCall{it->second->sip_call_id, live_state(it->second->phase), it->second->phase == CallState::answered};
}

size_t CampaignRunner::unwritten() const {
  std::lock_guard lk(mu_);
  return unwritten_.size() + unwritten_retrying_;
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
          {"abandoned", l.abandoned},
          {"doNotCall", l.dnc},
          {"ended", l.ended},
          {"callsPerSecond", double(l.recent.size()) / 10.0}};
}

void CampaignRunner::handle_events() {
  std::deque<signaling::CallEvent> evs;
  std::deque<std::pair<std::shared_ptr<Call>, signaling::CallEvent>> ends;
  std::vector<sql::LiveCallUpdate> states;  // for live_calls, written below off the lock
  {
    std::lock_guard lk(mu_);
    evs.swap(events_);
    ends.swap(unwritten_);
    unwritten_retrying_ = ends.size();  // still unwritten while handle_events() retries them
    for (auto& e : evs) {
      auto it = calls_.find(e.tag);
      if (it == calls_.end()) continue;
      auto& call = *it->second;
      auto& l = live_[call.campaign_id];
      const std::string camp = std::to_string(call.campaign_id);
      // Back from hold or a consultation, a call reports answered (or verdict) again: counted once.
      const bool resumed = call.phase == CallState::on_hold || call.phase == CallState::consulting;
      if (e.state == CallState::answered && !resumed) ++l.answered;
      if (e.state == CallState::ringing || e.state == CallState::early_media) call.rang = true;
      pacing_event(call, e);
      if (e.state == CallState::verdict && e.has_verdict && !resumed) {
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
          case signaling::LeadStatus::abandoned: ++l.abandoned; break;
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
        const auto before = live_state(call.phase), now = live_state(e.state);
        call.phase = e.state;
        if (!now.empty() && (now != before || e.has_verdict))
          states.push_back({call.attempt_id, now, e.trunk,
                            e.has_verdict ? std::string(amd::to_string(e.verdict)) : std::string()});
      }
      publish(call, e);
      // Webhook events: built now (their time is the event's), queued below, outside the lock.
      if (const auto ev = webhook_event_of(e)) {
        const WebhookCall wc{call.attempt_id, call.campaign_id, call.lead_id, call.number};
        auto body = webhook_payload(*ev, wc, e, std::chrono::system_clock::now());
        if (e.state == CallState::ended) call.ended_webhook = std::move(body);
        else webhook_backlog_.push_back({call.campaign_id, call.attempt_id, std::string(*ev), std::move(body)});
      }
    }
  }
  // The states before the ends (a later end wins anyway: an ended row never changes again). They
  // are only a view for other processes: one that cannot be written is dropped, not retried.
  if (!states.empty()) {
    try {
      store_->update_live_calls(states);
    } catch (const std::exception& x) {
      store_->reset();
      if (!db_down_logged_) spdlog::warn("runner: cannot write calls' states ({})", x.what());
    }
  }
  flush_webhooks();
  // Write the ends in order; once one fails, keep it and the rest for the next tick.
  std::deque<std::pair<std::shared_ptr<Call>, signaling::CallEvent>> failed;
  for (auto& [call, e] : ends) {
    // Once per end, before the write (a write retried after an outage is not counted again).
    if (!call->trunk_noted) call->charged = !note_trunk_end(*call, e), call->trunk_noted = true;
    if (!failed.empty()) {
      failed.emplace_back(call, e);
      continue;
    }
    try {
      write_completion(*call, e, call->charged);
    } catch (const std::exception& x) {
      failed.emplace_back(call, e);
      store_->reset();
      if (!db_down_logged_) spdlog::warn("runner: cannot write a call's end ({}); kept for later", x.what());
      db_down_logged_ = true;
    }
  }
  {
    std::lock_guard lk(mu_);
    unwritten_retrying_ = 0;
    for (auto it = failed.rbegin(); it != failed.rend(); ++it) unwritten_.push_front(*it);
  }
  if (!failed.empty()) throw StoreUnavailable("call ends are waiting for the database");
}

bool CampaignRunner::note_trunk_end(const Call& call, const signaling::CallEvent& e) {
  const bool trunk_failure = is_trunk_failure(e.sip_code, e.answered, call.rang);
  // Trunks that failed the call before the last one took it over.
  for (const auto& [name, code] : e.failed_over) note_trunk(name, true, code, "failed over to the next trunk");
  // Trunks of the route that never saw the call: a probe slot they held is free again.
  for (const auto& name : call.trunks) {
    const bool tried = name == e.trunk || std::any_of(e.failed_over.begin(), e.failed_over.end(),
                                                      [&](const auto& f) { return f.first == name; });
    if (!tried) backoff(name).release_probe();
  }
  // No trunk took the call (every one down by OPTIONS): our failure, not the lead's.
  if (e.trunk.empty() && !call.trunks.empty()) return trunk_failure;
  return note_trunk(e.trunk, trunk_failure, e.sip_code, e.cause);
}

bool CampaignRunner::note_trunk(const std::string& trunk, bool trunk_failure, int code, const std::string& cause) {
  auto& b = backoff(trunk);
  const auto now = Clock::now();
  const auto before = b.state(now);
  const bool failed = b.on_end(trunk_failure, now);
  const auto after = b.state(now);
  const std::string name = trunk.empty() ? std::string("the trunk") : "trunk " + trunk;
  if (before != TrunkBackoff::State::open && after == TrunkBackoff::State::open) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(b.reopens_at() - now).count();
    spdlog::warn("runner: {} failed {} calls in a row (last: {} {}); no new calls on it for {} ms, and the leads "
                 "are not charged these attempts", name, b.failures_in_a_row(), code, cause, ms);
    metrics_.inc(trunk.empty() ? std::string("hark_trunk_backoffs_total")
                               : "hark_trunk_backoffs_total{trunk=\"" + trunk + "\"}");
  } else if (before != TrunkBackoff::State::closed && after == TrunkBackoff::State::closed) {
    spdlog::info("runner: {} carries calls again; dialing on it resumes", name);
  }
  return failed && after != TrunkBackoff::State::closed;  // from the end that tripped it on
}

void CampaignRunner::write_completion(const Call& call, const signaling::CallEvent& e, bool charged) {
  sql::AttemptEnd end;
  end.attempt_id = call.attempt_id;
  end.result = std::string(signaling::to_string(e.outcome));
  end.cause = e.cause;
  end.answered = e.answered;
  end.talk_s = e.talk_ms / 1000.0;
  if (e.has_verdict)
    end.amd_verdict = std::string(amd::to_string(e.verdict)), end.amd_cause = e.amd_cause, end.amd_ms = int(e.amd_ms);
  if (!e.amd_late_cause.empty()) {
    end.amd_late_cause = e.amd_late_cause;
    // "late-beep-1000Hz-400ms" -> beep, "late-monologue-5200ms" -> monologue
    const auto kind = e.amd_late_cause.substr(5, e.amd_late_cause.find('-', 5) - 5);
    metrics_.inc("hark_amd_suspected_misses_total{cause=\"" + kind + "\"}");
  }
  if (e.sip_code) end.sip_code = e.sip_code;
  if (!e.sip_reason.empty()) end.sip_reason = e.sip_reason;
  end.charged = charged;
  end.campaign_id = call.campaign_id;
  end.webhook_body = call.ended_webhook;  // queued in the end's transaction (sql::finish_attempt)
  if (!e.trunk.empty()) end.trunk = e.trunk;
  for (const auto& [name, code] : e.failed_over) end.failed_over.push_back(name + ":" + std::to_string(code));
  // Abandoned (no agent within the 2 s), then put through by a transfer asked for during the
  // identification message: the attempt counts ABANDONED (the abandon rate), and the lead is
  // done as a person reached (SUCCESS), not redialled 72 h later.
  const bool reached_after_all = e.outcome == signaling::LeadStatus::abandoned && e.transferred;
  const std::string lead_status = reached_after_all ? std::string("SUCCESS") : end.result;
  auto plan = plan_retry(lead_status, call.lead_attempts + 1, call.plan->retry);
  // Ofcom: an abandoned number rests 72 h unless the campaign guarantees an agent.
  if (e.outcome == signaling::LeadStatus::abandoned && !reached_after_all)
    plan.retry_minutes = abandoned_retry_minutes(plan.retry_minutes, call.plan->record.guaranteed_agent);
  double retry_s = double(plan.retry_minutes) * opt_.retry_unit_ms / 1000.0;
  if (!charged) {
    // Our trunk's failure, not the lead's: due again once the trunk is back, attempts unchanged.
    plan.done = false;
    const bool no_trunk = e.trunk.empty() && !call.trunks.empty();
    const auto at = no_trunk ? Clock::now() + std::chrono::milliseconds(opt_.trunk_backoff.initial_delay_ms)
                             : backoff(e.trunk).reopens_at();
    retry_s = std::max(0.0, std::chrono::duration<double>(at - Clock::now()).count());
  }
  // dialEveryNumber: a failure moves to the lead's next number, due at once (runner_rules.h).
  const auto number = charged ? next_number(lead_status, call.phone_index, call.numbers, call.plan->record.dial_every_number)
                              : NextNumber{call.phone_index, false};
  if (number.due_now && !plan.done) retry_s = 0;
  if (call.click_lead) plan.done = true;  // campaign dialing never picks it up
  const sql::LeadOutcome lead{call.lead_id, lead_status, plan.done, retry_s, charged, number.phone_index};
  // False: another process took this one for dead (a long database outage) and closed the
  // attempt; the lead is no longer ours to update.
  store_->finish_attempt(end, lead);
  metrics_.inc("hark_calls_total{campaign=\"" + std::to_string(call.campaign_id) + "\",result=\"" + end.result + "\"}");
}

void CampaignRunner::flush_webhooks() {
  if (webhook_backlog_.empty()) return;
  try {
    store_->enqueue_webhooks(webhook_backlog_);
  } catch (const StoreUnavailable& x) {
    // Kept, in order, for the next tick; the ends below meet the same outage.
    store_->reset();
    if (!db_down_logged_) spdlog::warn("runner: cannot queue webhook events ({}); kept for later", x.what());
    db_down_logged_ = true;
    return;
  } catch (const std::exception& x) {
    // Not the store being away (a statement failing): retrying would fail the same way.
    store_->reset();
    spdlog::error("runner: {} webhook event(s) not queued: {}", webhook_backlog_.size(), x.what());
  }
  webhook_backlog_.clear();
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

}  // namespace hark::control
