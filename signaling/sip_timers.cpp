// SipAgent's 20 ms tick: dials queued calls as pacing and capacity allow, then asks the policy
// about every call's timers (ring timeout, beep timeout, end of a hold) and its watchdog.
#include <vector>

#include "signaling/sip_agent_impl.h"

namespace hark::signaling {

void SipAgent::Impl::tick() {
  const auto now = Clock::now();
  pacer.refill(now);
  while (!pending.empty() && !stopping && active < size_t(t.max_concurrent) && pacer.try_take()) {
    Call* c = pending.front();
    pending.pop_front();
    dial(*c);
  }
  // Decide for every call first, then act: acting may end a call and change the table.
  std::vector<std::pair<Call*, Action>> todo;
  for (auto& [id, c] : calls) {
    Action a = policy.on_timer(c->f, now);
    if (a.kind != Action::Kind::none) todo.emplace_back(c.get(), std::move(a));
  }
  for (auto& [c, a] : todo) apply(*c, a);
}

}  // namespace hark::signaling
