// The runner's dialing modes (issue 18): each tick a campaign's agents and abandon rates come
// from the store, its calls in flight and the PacingEstimate fed by its own call events make
// the figures, and pace() says how many calls to place. A person the AMD finds goes through the
// campaign's AgentBoard (signaling's AgentGate): a free agent, or the identification message
// and ABANDONED.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "control/campaign/campaign_runner.h"
#include "control/campaign/runner_call.h"

namespace hark::control {

using Clock = std::chrono::steady_clock;
using signaling::CallState;

CampaignRunner::Pacer& CampaignRunner::pacer(long long campaign_id) {
  auto& p = pacers_[campaign_id];
  if (!p) p = std::make_unique<Pacer>();
  return *p;
}

double CampaignRunner::now_s() const { return std::chrono::duration<double>(Clock::now() - epoch_).count(); }

bool CampaignRunner::gated(const sql::CampaignRecord& r) {
  if (r.fixed_channels) return false;
  if (r.dialing_mode != "progressive") return true;
  return pacer(r.id).board->per_agent();
}

Capacity CampaignRunner::paced_capacity(const sql::RunnableCampaign& rc, Capacity cap, int mine) {
  const auto& row = rc.campaign;
  if (row.fixed_channels) return cap;  // agentless: its channels, as before
  auto& p = pacer(row.id);
  const double t = now_s();
  // Holds first, so the states read back include them.
  store_->write_agent_holds(row.id, p.board->drain_writes());
  p.board->update(store_->agents(row.id), row.free_agents, row.pilot_number, t);
  for (double h : p.board->drain_handled()) p.estimate.on_handled(t, h);
  if (!gated(row)) return cap;  // progressive on the aggregate freeAgents: as before
  const auto now = Clock::now();
  if (now - p.rates_at > std::chrono::seconds(5)) {
    p.rates = abandon_rates(store_->abandon_counts(row.id, row.count_amd_false_positives));
    p.rates_at = now;
    const std::string camp = std::to_string(row.id);
    metrics_.set("hark_abandon_rate{campaign=\"" + camp + "\",window=\"30d\"}", p.rates.days30);
    metrics_.set("hark_abandon_rate{campaign=\"" + camp + "\",window=\"24h\"}", p.rates.hours24);
  }
  PacingFigures f;
  f.ready = p.board->ready();
  f.busy = p.board->busy();
  {
    std::lock_guard lk(mu_);
    for (const auto& [tag, c] : calls_) {
      if (c->campaign_id != row.id) continue;
      switch (c->phase) {
        case CallState::queued:
        case CallState::dialing:
        case CallState::ringing:
        case CallState::early_media: {
          ++f.ringing;
          const double rung = c->rang_s >= 0 ? t - c->rang_s : 0;
          f.ringing_by_age[std::min(kRingAgeBuckets - 1, int(rung / kRingAgeBucketS))] += 1;
          break;
        }
        case CallState::answered:
        case CallState::verdict:
          // A person waiting for an agent holds none yet: counted as one screened.
          if (c->to_agent) ++f.waiting;
          else ++f.screening;
          break;
        default: break;
      }
    }
  }
  p.estimate.advance(t);
  p.estimate.fill(f);
  f.abandon_rate = p.rates.worst();
  f.recent_abandon_rate = p.rates.recent;
  PacingConfig c;
  c.mode = parse_dial_mode(row.dialing_mode).value_or(DialMode::progressive);
  c.power_lines = row.power_lines;
  c.abandon_cap = row.abandon_cap;
  c.max_lines = row.max_concurrent;
  p.last = pace(c, f);
  Capacity out;
  out.limit = row.max_concurrent;
  out.want = std::min({p.last.place, row.max_concurrent - rc.open_attempts, opt_.max_concurrent - mine, opt_.claim_batch});
  return out;
}

void CampaignRunner::dial_previews(const sql::RunnableCampaign& rc, int mine) {
  const auto& row = rc.campaign;
  const auto id = row.id;
  if (!row.dnc_list_id && rc.dnc_service.has_value())
    throw std::runtime_error("preview dialing with an external do-not-call service is not supported; use a list");
  auto& p = pacer(id);
  store_->write_agent_holds(id, p.board->drain_writes());
  p.board->update(store_->agents(id), row.free_agents, row.pilot_number, now_s());
  const int room = std::min({row.max_concurrent - rc.open_attempts, opt_.max_concurrent - mine, opt_.claim_batch});
  if (room <= 0) return;
  const auto plan = plan_for(row);
  if (row.dnc_list_id && dnc_.version(*row.dnc_list_id) != rc.dnc_list_version) store_->refresh_dnc(dnc_);
  const auto& members = group_trunks(row.trunk_group);
  std::vector<ToDial> to_dial;
  int dnc_hits = 0;
  auto tx = store_->begin_claim(id);
  const int want = std::min(room, row.max_concurrent - tx->open_attempts());
  if (want <= 0) return;
  for (const auto& [lead, agent] : tx->claim_preview(want)) {
    if (row.dnc_list_id && dnc_.listed(*row.dnc_list_id, lead.phone)) {
      tx->record_dnc(lead);
      ++dnc_hits;
      continue;
    }
    auto call = std::make_shared<Call>();
    call->attempt_id = tx->start_attempt(lead);
    call->lead_id = lead.id, call->campaign_id = id, call->lead_attempts = lead.attempts, call->plan = plan;
    call->number = lead.phone, call->phone_index = lead.phone_index, call->numbers = lead.numbers;
    call->placed_s = now_s();
    auto req = call_request(*plan, lead.phone, call->attempt_id);
    // The agent who accepted the lead waits for it: the person goes straight to that agent.
    req.plan.person = signaling::Reaction::transfer(p.board->target_of(agent));
    req.trunks = route_now(members);
    call->trunks = req.trunks;
    to_dial.push_back({call, std::move(req)});
  }
  tx->commit();  // the attempts exist before any INVITE leaves
  send_dials(id, to_dial, dnc_hits);
}

void CampaignRunner::pacing_event(Call& call, const signaling::CallEvent& e) {
  const double t = now_s();
  if ((e.state == CallState::ringing || e.state == CallState::early_media) && call.rang_s < 0) call.rang_s = t;
  if (e.state == CallState::answered && call.answered_s < 0) call.answered_s = t;
  auto& p = pacer(call.campaign_id);
  if (e.state == CallState::verdict && e.has_verdict &&
      (e.verdict == amd::Verdict::human || e.verdict == amd::Verdict::unknown) && !call.to_agent) {
    call.to_agent = true;
    p.estimate.on_connect_time(t, t - call.placed_s);
  }
  if (e.state != CallState::ended) return;
  const bool reached = e.outcome == signaling::LeadStatus::success;
  const bool person = counts_as_person(call.to_agent, e.outcome);
  const double rang = call.rang_s < 0 ? 0 : (call.answered_s >= 0 ? call.answered_s : t) - call.rang_s;
  p.estimate.on_call_outcome(t, call.placed_s, rang, e.answered, person);
  if (call.board) call.board->on_call_end(call.attempt_id, reached);
}

}  // namespace hark::control
