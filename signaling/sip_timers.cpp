// SipAgent's 20 ms tick: dials queued calls as pacing and capacity allow, then asks the policy
// about every call's timers (ring timeout, beep timeout, end of a hold) and its watchdog.
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>
#include <spdlog/spdlog.h>

#include <vector>

#include "signaling/sip_agent_impl.h"

namespace hark::signaling {

void SipAgent::Impl::tick() {
  const auto now = Clock::now();
  pacer.refill(now);
  watch_trunks(now);
  dial_pending(now);
  expire_inbound(now);
  // Decide for every call first, then act: acting may end a call and change the table.
  std::vector<std::pair<Call*, Action>> todo;
  std::vector<Call*> awaiting;  // people waiting for an agent: ask the gate again
  for (auto& [id, c] : calls)
    if (c->f.awaiting_agent) awaiting.push_back(c.get());
  for (Call* c : awaiting) try_agent(*c);
  for (auto& [id, c] : calls) {
    if (c->reinvite_waiting && now >= c->retry_at) retry_reinvite(*c);
    Action a = policy.on_timer(c->f, now);
    if (a.kind != Action::Kind::none) todo.emplace_back(c.get(), std::move(a));
  }
  for (auto& [c, a] : todo) apply(*c, a);
}

void SipAgent::Impl::dial_pending(Clock::time_point now) {
  if (pending.empty() || stopping) return;
  for (auto& tr : trunks) tr.pacer.refill(now);
  std::deque<Call*> waiting;
  while (!pending.empty()) {
    Call* c = pending.front();
    if (active >= size_t(t.max_concurrent) || pacer.tokens() < 1.0) break;  // the agent's own caps
    pending.pop_front();
    // The first trunk of the route, from this leg on, that is up; it dials when it has room.
    size_t leg = c->leg;
    while (leg < c->route.size() && !trunks[c->route[leg]].reachable) ++leg;
    if (leg == c->route.size()) {
      // Every trunk left is down: the call fails as the trunk's failure (not the callee's).
      std::string names;
      for (size_t i = c->leg; i < c->route.size(); ++i) names += (names.empty() ? "" : ", ") + trunks[c->route[i]].cfg.name;
      if (c->code == 0 || !fails_over(c->code, false)) c->code = 503, c->phrase = "Service Unavailable";
      c->cause = "no trunk up (" + names + " down by OPTIONS)";
      c->outcome = LeadStatus::service_temporarily_unavailable;
      finish(*c);
      continue;
    }
    TrunkState& tr = trunks[c->route[leg]];
    const bool room = tr.cfg.max_channels == 0 || tr.active < size_t(tr.cfg.max_channels);
    if (!room || tr.pacer.tokens() < 1.0) {
      waiting.push_back(c);
      continue;
    }
    tr.pacer.try_take();
    pacer.try_take();
    c->leg = leg;
    c->trunk = int(c->route[leg]);
    dial(*c);
  }
  // Calls waiting for their trunk keep their place ahead of the rest.
  for (auto it = waiting.rbegin(); it != waiting.rend(); ++it) pending.push_front(*it);
}

void SipAgent::Impl::set_reachable(TrunkState& tr, bool up_now, const std::string& why) {
  if (tr.reachable == up_now) return;
  tr.reachable = up_now;
  if (up_now) spdlog::info("trunk {}: answers OPTIONS again ({}); in use again", tr.cfg.name, why);
  else spdlog::warn("trunk {}: down ({}); skipped until it answers OPTIONS", tr.cfg.name, why);
  publish_status();
}

void SipAgent::Impl::watch_trunks(Clock::time_point now) {
  for (auto& tr : trunks) {
    const Trunk& k = tr.cfg;
    if (k.options_interval_s <= 0 || stopping) continue;
    if (tr.opt_nh) {
      if (now - tr.opt_sent < std::chrono::seconds(k.options_timeout_s)) continue;
      nua_handle_destroy(tr.opt_nh);  // no answer in time: the trunk is down
      tr.opt_nh = nullptr;
      tr.opt_next = now + std::chrono::seconds(k.options_interval_s);
      set_reachable(tr, false, "no answer to OPTIONS in " + std::to_string(k.options_timeout_s) + " s");
      continue;
    }
    if (now < tr.opt_next) continue;
    const std::string uri = k.uri("");
    const std::string route = proxy_route(k);
    tr.opt_nh = nua_handle(nua, nullptr, SIPTAG_TO_STR(uri.c_str()), TAG_END());
    tr.opt_sent = now;
    nua_options(tr.opt_nh, NUTAG_URL(uri.c_str()), TAG_IF(!route.empty(), SIPTAG_ROUTE_STR(route.c_str())), TAG_END());
  }
}

}  // namespace hark::signaling
