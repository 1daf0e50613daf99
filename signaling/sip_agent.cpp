#include "signaling/sip_agent.h"

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

#include "signaling/sip_agent_impl.h"

namespace hark::signaling {

SipAgent::Impl::Impl(TrunkSettings ts, media::MediaEngine& m, Handler h, std::atomic<size_t>& ip,
                     std::atomic<size_t>& u, std::atomic<bool>& reg)
    : t(std::move(ts)), media(m), on_event(std::move(h)), in_progress(ip), pacer(t.calls_per_second, Clock::now()),
      up(u), registered(reg) {
  t.ring_timeout_s = std::max(t.min_ring_timeout_s, t.ring_timeout_s);  // the US rule: ring at least 15 s
  if (t.trunks.empty()) {
    // The one trunk of the older settings (the load tester and the tests use them).
    Trunk one;
    const auto colon = t.domain.rfind(':');
    one.host = colon == std::string::npos ? t.domain : t.domain.substr(0, colon);
    one.port = colon == std::string::npos ? 5060 : std::atoi(t.domain.c_str() + colon + 1);
    one.proxy = t.proxy;
    one.registrar = t.registrar;
    one.register_expires_s = t.register_expires_s;
    one.username = t.username;
    one.password = t.password;
    one.caller_id = t.from_user;
    one.dial_prefix = t.dial_prefix;
    one.srtp = t.srtp ? SrtpMode::require : SrtpMode::off;
    t.trunks.push_back(one);
  }
  const auto now = Clock::now();
  for (const auto& cfg : t.trunks) {
    trunks.push_back(TrunkState{cfg, Pacer(cfg.calls_per_second > 0 ? cfg.calls_per_second : 1e9, now)});
    trunks.back().opt_next = now;
  }
  publish_status();
  PolicySettings ps;
  ps.ring_timeout_s = t.ring_timeout_s;
  ps.stuck_extra = std::chrono::milliseconds(t.watchdog_extra_ms);
  policy = CallPolicy(ps);
}

// Runs the commands other threads posted (see SipAgent::post).
void SipAgent::Impl::run_commands() {
  uint64_t n;
  [[maybe_unused]] auto r = ::read(cmd_fd, &n, sizeof n);
  std::deque<std::function<void(Impl&)>> todo;
  {
    std::lock_guard<std::mutex> g(cmd_mu);
    todo.swap(cmds);
  }
  for (auto& f : todo) f(*this);
}

void SipAgent::Impl::emit(const Call& c, CallState s) {
  if (c.parent) {  // a consult leg: its news is its parent's
    if (s == CallState::answered) consult_leg_answered(c);
    return;
  }
  if (on_event) on_event(make_event(c, s));
}

CallEvent SipAgent::Impl::make_event(const Call& c, CallState s) const {
  CallEvent e;
  e.call_id = c.id;
  e.tag = c.req.tag;
  e.state = s;
  e.number = c.dialed;
  e.sip_code = c.code;
  e.sip_reason = c.phrase;
  e.has_verdict = c.f.has_verdict;
  e.verdict = c.f.verdict;
  e.amd_cause = c.verdict.cause;
  e.amd_late_cause = c.late_cause;
  e.amd_ms = c.verdict.at_ms;
  e.beep_ms = c.beep_ms;
  e.outcome = c.outcome;
  e.transferred = c.f.transferred;
  e.cause = c.cause;
  if (c.trunk >= 0) e.trunk = trunks[size_t(c.trunk)].cfg.name;
  e.failed_over = c.failed_over;
  e.setup_ms = c.setup_ms;
  e.answered = c.f.answered;
  e.rtp_received = c.stats.received;
  e.rtp_lost = c.stats.lost;
  e.jitter_ms = c.stats.jitter_ms;
  e.dtmf = c.dtmf;
  if (c.f.answered) {
    e.answered_ms = std::chrono::duration<double, std::milli>(c.f.answered_at - c.invite_at).count();
    if (s == CallState::ended) e.talk_ms = std::chrono::duration<double, std::milli>(Clock::now() - c.f.answered_at).count();
  }
  return e;
}

void SipAgent::Impl::set_state(Call& c, CallState s) {
  if (c.f.state == s) return;
  enter_state(c.f, s, Clock::now());
  emit(c, s);
}

std::string SipAgent::Impl::target_uri(const std::string& number) const {
  if (number.rfind("sip:", 0) == 0 || number.rfind("sips:", 0) == 0) return number;
  return trunks.front().cfg.uri(number);
}

std::string SipAgent::Impl::our_host_only() const {
  if (!t.advertised_host.empty()) return t.advertised_host;
  const std::string hp = t.bind_url.substr(t.bind_url.find(':') + 1);
  const auto colon = hp.rfind(':');
  return colon == std::string::npos ? hp : hp.substr(0, colon);
}

std::string SipAgent::Impl::our_host() const {
  if (!t.advertised_host.empty()) return t.advertised_host;
  return t.bind_url.substr(t.bind_url.find(':') + 1);
}

void SipAgent::Impl::publish_status() {
  std::vector<TrunkStatus> now;
  for (const auto& tr : trunks) {
    TrunkStatus st;
    st.name = tr.cfg.name;
    st.watched = tr.cfg.options_interval_s > 0;
    st.reachable = tr.reachable;
    st.registering = !tr.cfg.registrar.empty();
    st.registered = tr.registered;
    st.calls_up = tr.active;
    st.calls_placed = tr.placed;
    st.failovers = tr.failovers;
    now.push_back(std::move(st));
  }
  // Registered: every trunk with a registrar is (false when none has one).
  bool any = false, all = true;
  for (const auto& st : now)
    if (st.registering) any = true, all = all && st.registered;
  registered = any && all;
  std::lock_guard<std::mutex> g(status_mu);
  status = std::move(now);
}

std::vector<TrunkStatus> SipAgent::trunk_status() const {
  std::lock_guard<std::mutex> g(impl_->status_mu);
  return impl_->status;
}

void SipAgent::Impl::apply(Call& c, const Action& a) {
  using K = Action::Kind;
  switch (a.kind) {
    case K::none: return;
    case K::hang_up:
      if (a.transferred) c.f.transferred = true;
      end_call(c, a.outcome, a.cause);
      return;
    case K::peer_ended:
      if (c.f.ending) return;
      c.f.ending = true;
      c.f.ending_at = Clock::now();
      c.outcome = a.outcome;
      c.cause = a.cause;
      return;
    case K::transfer: {
      // A person waiting for an agent and transferred (by request, or by the gate) waits no
      // more: the wait ran out in the middle of a transfer by request, the identification
      // message played, the NOTIFY's success was ignored and the call ended ABANDONED; and a
      // gate freeing an agent meanwhile sent a second REFER.
      c.f.awaiting_agent = false;
      c.f.transfer_target = a.target;
      const std::string to = target_uri(a.target);
      set_state(c, CallState::transferring);
      nua_refer(c.nh, SIPTAG_REFER_TO_STR(to.c_str()), TAG_END());
      return;
    }
    // A call waiting for a beep or playing a message waits for no agent: a person the AMD
    // found at first, then a machine (CallPolicy::on_late_machine).
    case K::wait_for_beep:
      c.f.awaiting_agent = false;
      c.f.waiting_for_beep = true;
      c.f.beep_deadline = a.deadline;
      c.f.message = a.prompt;
      return;
    case K::play_message:
      c.f.awaiting_agent = false;
      c.f.waiting_for_beep = false;
      c.f.message = a.prompt;  // the message timeout reads its length (on_timer)
      set_state(c, CallState::playing_message);
      media.play(c.stream, a.prompt);
      return;
    case K::hold_until:
      c.f.hold_until = a.deadline;
      return;
    case K::await_agent:
      c.f.awaiting_agent = true;
      c.f.agent_deadline = a.deadline;
      c.f.message = a.prompt;
      try_agent(c);  // most often an agent is free at once
      return;
    case K::abandon:
      c.f.awaiting_agent = false;
      c.f.abandoned = true;
      if (!a.prompt) {
        end_call(c, LeadStatus::abandoned, "no agent free in time; no identification message set");
        return;
      }
      set_state(c, CallState::playing_message);
      media.play(c.stream, a.prompt);
      return;
    case K::release_sip:
      finish(c);
      return;
    case K::force_complete:
      spdlog::warn("call {}: no end of stream {} from the media worker; ending it without its final statistics", c.id,
                   c.stream);
      by_stream.erase(c.stream);
      c.stream = 0;
      complete(c);
      return;
  }
}

void SipAgent::Impl::try_agent(Call& c) {
  if (!c.f.awaiting_agent || c.f.ending) return;
  // Our hold or resume in flight, or a resume waiting to go again after a 491: no agent yet
  // (the gate keeps it); a tick asks again once the re-INVITE is done, as transfer() is
  // refused then. A resume answered after the REFER made the transferring call answered again
  // (a review). But a user's hold only waiting to go again (hold_only_waiting) gives way to a
  // free agent: the abandon rule's 2 s run on under a hold (music connects the person to no
  // agent), and the retry comes 2.1-4 s later, after the wait ran out (the identification
  // message, ABANDONED, the agent free all along). Not a waiting resume: the call is held,
  // and the resume goes again.
  const bool hold_waiting = hold_only_waiting(c);
  if (c.reinvite != Call::Reinvite::none && !hold_waiting) return;
  // Consulted for or being transferred: the wait pauses (CallFacts::in_hand); a consultation
  // cancelled, the person waits on for an agent.
  if (c.f.in_hand()) return;
  const Reaction& r = c.f.plan.person;
  if (!r.gate) return;
  std::string target = r.gate->take(c.req.tag);
  if (target.empty()) return;
  if (hold_waiting) drop_waiting_hold(c);
  c.f.awaiting_agent = false;
  Action a;
  a.kind = Action::Kind::transfer;
  a.target = std::move(target);
  apply(c, a);
}

void SipAgent::Impl::end_call(Call& c, LeadStatus outcome, std::string cause) {
  if (c.f.ending) return;
  c.f.ending = true;
  c.f.ending_at = Clock::now();
  c.outcome = outcome;
  c.cause = std::move(cause);
  if (!c.nh) {
    finish(c);
    return;
  }
  if (c.f.answered) nua_bye(c.nh, TAG_END());
  else nua_cancel(c.nh, TAG_END());
}

void SipAgent::Impl::finish(Call& c) {
  if (c.f.closing) return;
  if (Call* leg = consult_leg_of(c)) {  // the call consulted for is over: so is its consultation
    c.consult_leg = 0;
    std::erase(pending, leg);
    end_call(*leg, LeadStatus::unknown,
             c.f.transferred ? "the transfer replaced this leg" : "the call it consulted for ended");
  }
  if (c.nh) {
    nua_handle_destroy(c.nh);
    c.nh = nullptr;
    c.f.dialed = false;
    --active;
    up = active;
    if (c.trunk >= 0) --trunks[size_t(c.trunk)].active;
    publish_status();
  }
  if (c.stream) {
    c.f.closing = true;
    c.f.closing_at = Clock::now();
    if (media.close(c.stream)) return;  // completed by on_media(ended), or by the watchdog
    // The worker's command queue is full: finish without its final statistics rather than
    // leave the call (and its lead) open for ever.
    by_stream.erase(c.stream);
    c.stream = 0;
  }
  complete(c);
}

void SipAgent::Impl::complete(Call& c) {
  c.f.state = CallState::ended;
  if (c.parent) {  // a consult leg: nothing to report but to its parent
    consult_leg_gone(c);
    calls.erase(c.id);
    in_progress = calls.size();
    return;
  }
  // Counters first: whoever handles `ended` sees the call gone.
  const CallEvent e = make_event(c, CallState::ended);
  calls.erase(c.id);
  in_progress = calls.size();
  if (on_event) on_event(e);
}

SipAgent::SipAgent(TrunkSettings t, media::MediaEngine& media, Handler on_event)
    : impl_(std::make_unique<Impl>(std::move(t), media, std::move(on_event), in_progress_, up_, registered_)) {
  impl_->next_id = &next_id_;
}

SipAgent::~SipAgent() { stop(); }

void SipAgent::post(std::function<void(Impl&)> f) {
  {
    std::lock_guard<std::mutex> g(impl_->cmd_mu);
    impl_->cmds.push_back(std::move(f));
  }
  const uint64_t one = 1;
  [[maybe_unused]] auto r = ::write(impl_->cmd_fd, &one, sizeof one);
}

uint64_t SipAgent::originate(CallRequest r) {
  const uint64_t id = next_id_.fetch_add(1);
  ++in_progress_;
  post([id, r = std::move(r)](Impl& m) mutable {
    auto c = std::make_unique<Call>();
    c->id = id;
    c->f.plan = std::move(r.plan);
    c->f.amd = r.amd;
    c->f.beep_timeout_ms = uint32_t(std::max(0, int(r.amd_params.beep_timeout_ms)));
    c->f.analysis_ms = uint32_t(std::max(0, int(r.amd_params.total_analysis_ms)));
    // The route: the trunks named, in order (every trunk when none is named).
    std::string unknown;
    if (r.trunks.empty()) {
      for (size_t i = 0; i < m.trunks.size(); ++i) c->route.push_back(i);
    } else {
      for (const auto& name : r.trunks) {
        auto it = std::find_if(m.trunks.begin(), m.trunks.end(), [&](const TrunkState& tr) { return tr.cfg.name == name; });
        if (it == m.trunks.end()) unknown = name;
        else c->route.push_back(size_t(it - m.trunks.begin()));
      }
    }
    std::string number = r.number;
    if (!unknown.empty() || c->route.empty()) {
      c->req = std::move(r);
      c->dialed = number;
      c->cause = unknown.empty() ? "no trunk to dial on" : "no trunk named '" + unknown + "'";
      c->outcome = LeadStatus::unknown;
      Call& ref = *c;
      m.calls[id] = std::move(c);
      m.finish(ref);
      return;
    }
    // Numbers were parsed at import; the trunk adds its outside line and dialing format.
    if (m.t.normalize && number.rfind("sip:", 0) != 0) number = dial_string(number, m.t.plan);
    c->number = number;
    c->dialed = number;  // the trunk's prefix is added when a trunk takes the call
    c->req = std::move(r);
    Call* raw = c.get();
    m.calls[id] = std::move(c);
    m.in_progress = m.calls.size();
    if (m.stopping) {
      raw->cause = "dialer stopping";
      m.finish(*raw);
      return;
    }
    m.pending.push_back(raw);
    m.emit(*raw, CallState::queued);
  });
  return id;
}

void SipAgent::hangup(uint64_t call_id) {
  post([call_id](Impl& m) {
    auto it = m.calls.find(call_id);
    if (it == m.calls.end()) return;
    Call& c = *it->second;
    const Action a = m.policy.on_hangup_request(c.f);
    if (!c.nh) {
      std::erase(m.pending, &c);
      c.cause = a.cause;
      m.finish(c);
      return;
    }
    m.apply(c, a);
  });
}

void SipAgent::transfer(uint64_t call_id, std::string target) {
  post([call_id, target = std::move(target)](Impl& m) mutable {
    auto it = m.calls.find(call_id);
    if (it == m.calls.end()) return;
    Call& c = *it->second;
    // Held, with our resume in flight (or consulting, the consultation over): its answer
    // would make the transferring call answered again, and the transfer's NOTIFY go unread.
    // A user's hold only waiting after a 491 is dropped instead, as for the agent gate: the
    // callee was never held with our music, the transfer ends the session either way, and the
    // refusal left the user nothing to do but wait 2.1-4 s.
    const bool hold_waiting = m.hold_only_waiting(c);
    if (c.reinvite != Call::Reinvite::none && !hold_waiting)
      return m.refuse(call_id, "transfer", "a re-INVITE is in flight");
    const Action a = m.policy.on_transfer_request(c.f, std::move(target));
    if (hold_waiting && a.kind == Action::Kind::transfer) m.drop_waiting_hold(c);
    m.apply(c, a);
  });
}

void SipAgent::route_inbound(uint64_t call_id, std::string target) {
  post([call_id, target = std::move(target)](Impl& m) { m.route_inbound(call_id, target); });
}

void SipAgent::stop() {
  if (!thread_.joinable()) return;
  post([](Impl& m) {
    m.stopping = true;
    for (Call* c : m.pending) c->cause = "dialer stopped before dialing";
    std::vector<Call*> queued(m.pending.begin(), m.pending.end());
    m.pending.clear();
    for (Call* c : queued) m.finish(*c);
    std::vector<Call*> live;
    for (auto& [id, c] : m.calls) live.push_back(c.get());
    for (Call* c : live) m.end_call(*c, LeadStatus::unknown, "dialer stopped");
    m.expire_inbound(Clock::time_point::max());
    for (auto& tr : m.trunks)
      if (tr.reg_nh && tr.registered) nua_unregister(tr.reg_nh, TAG_END());
    nua_shutdown(m.nua);
  });
  thread_.join();
}

}  // namespace hark::signaling
