// SipAgent's attended transfer (RFC 5589 section 7): the call is held and a second leg (no AMD)
// rings the consult target; completing sends the held callee a REFER whose Refer-To names the
// second leg's dialog in a Replaces header (RFC 3891), so the callee's INVITE takes its place.
// The second leg reports nothing of its own: its news is the first call's (consulting, or
// back to answered when it fails or is cancelled).
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>

#include "signaling/sip_agent_impl.h"

namespace hark::signaling {

namespace {
// Consult legs take ids of their own, out of the range originate() hands out.
uint64_t next_leg_id() {
  static std::atomic<uint64_t> n{0};
  return (uint64_t(1) << 62) + n.fetch_add(1);
}

// A URI header's value (RFC 3261 25.1 hvalue): everything but unreserved and hnv-unreserved
// characters is %-escaped, so Replaces' ';' '=' and the Call-ID's '@' stay inside it.
std::string escape_header_value(const std::string& v) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : v) {
    if (std::isalnum(ch) || std::strchr("-_.!~*'()[]/?:+$", ch)) {
      out += char(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}
}  // namespace

std::string replaces_refer_to(const std::string& uri, const std::string& call_id, const std::string& to_tag,
                              const std::string& from_tag) {
  return "<" + uri + "?Replaces=" + escape_header_value(call_id + ";to-tag=" + to_tag + ";from-tag=" + from_tag) + ">";
}

Call* SipAgent::Impl::consult_leg_of(const Call& c) {
  if (!c.consult_leg) return nullptr;
  auto it = calls.find(c.consult_leg);
  return it == calls.end() ? nullptr : it->second.get();
}

void SipAgent::Impl::place_consult_leg(Call& parent, const std::string& target) {
  auto leg = std::make_unique<Call>();
  leg->id = next_leg_id();
  leg->parent = parent.id;
  leg->req.number = target;
  leg->req.amd = false;
  // Up until the transfer or a cancel ends it (6 h: a forgotten consultation ends some day).
  leg->req.plan.person = Reaction::hold(6 * 3600 * 1000);
  leg->req.caller_id = parent.req.caller_id;
  leg->f.plan = leg->req.plan;
  leg->f.amd = false;
  leg->route = parent.route;
  if (parent.trunk >= 0) {  // the parent's trunk first
    std::erase(leg->route, size_t(parent.trunk));
    leg->route.insert(leg->route.begin(), size_t(parent.trunk));
  }
  std::string number = target;
  if (t.normalize && number.rfind("sip:", 0) != 0 && number.rfind("sips:", 0) != 0) number = dial_string(number, t.plan);
  leg->number = leg->dialed = number;
  parent.consult_leg = leg->id;
  parent.consult_ready = false;
  spdlog::info("call {}: consulting {} on leg {}", parent.id, target, leg->id);
  pending.push_back(leg.get());
  calls[leg->id] = std::move(leg);
  in_progress = calls.size();
}

void SipAgent::Impl::consult_leg_answered(const Call& leg) {
  auto it = calls.find(leg.parent);
  if (it == calls.end() || it->second->consult_leg != leg.id) return;
  Call& parent = *it->second;
  parent.consult_ready = true;
  spdlog::info("call {}: consult target {} answered", parent.id, leg.dialed);
  // consulting again, now that the target is there to talk to (complete_consult may follow).
  CallEvent e = make_event(parent, CallState::consulting);
  e.cause = "consult target answered";
  if (on_event) on_event(e);
}

void SipAgent::Impl::consult_leg_gone(Call& leg) {
  auto it = calls.find(leg.parent);
  if (it == calls.end() || it->second->consult_leg != leg.id) return;
  Call& parent = *it->second;
  parent.consult_leg = 0;
  parent.consult_ready = false;
  if (parent.f.state != CallState::consulting || parent.f.ending || !parent.nh) return;
  spdlog::info("call {}: the consult leg to {} is over ({} {}: {}); resuming the call", parent.id, leg.dialed, leg.code,
               leg.phrase, leg.cause);
  resume_after_consult(parent);
}

void SipAgent::Impl::resume_after_consult(Call& c) {
  if (c.reinvite != Call::Reinvite::none) {
    c.resume_when_done = true;
    return;
  }
  // Never held: a resume went, and one the callee refused too left the call marked held (a
  // review); it would only be one more re-INVITE to cross the callee's own retry.
  if (!c.local_hold) {
    spdlog::info("call {}: the consultation is over; the callee was never held", c.id);
    set_state(c, c.before_hold);
    return;
  }
  c.local_hold = false;
  send_reinvite(c, Call::Reinvite::resume);
}

void SipAgent::consult(uint64_t call_id, std::string target) {
  post([call_id, target = std::move(target)](Impl& m) {
    auto it = m.calls.find(call_id);
    if (it == m.calls.end()) return m.refuse(call_id, "consult", "no such call (ended, or never placed)");
    Call& c = *it->second;
    if (target.empty()) return m.refuse(call_id, "consult", "no target");
    if (c.f.state == CallState::consulting) return m.refuse(call_id, "consult", "the call is already consulting");
    if (m.stopping) return m.refuse(call_id, "consult", "the dialer is stopping");
    if (c.f.state != CallState::on_hold) {
      if (auto why = m.why_not_holdable(c); !why.empty()) return m.refuse(call_id, "consult", why);
      c.before_hold = c.f.state;
      c.local_hold = true;
      m.send_reinvite(c, Call::Reinvite::hold);
    } else if (c.f.ending || !c.nh) {
      return m.refuse(call_id, "consult", "the call is ending");
    } else if (c.reinvite != Call::Reinvite::none) {
      // Held, with our resume in flight: its answer would make the call answered again in the
      // middle of the consultation, with the callee no longer held.
      return m.refuse(call_id, "consult", "a re-INVITE is in flight");
    }
    c.consult_target = target;
    m.set_state(c, CallState::consulting);
    m.place_consult_leg(c, target);
  });
}

void SipAgent::complete_consult(uint64_t call_id) {
  post([call_id](Impl& m) {
    auto it = m.calls.find(call_id);
    if (it == m.calls.end()) return m.refuse(call_id, "complete_consult", "no such call (ended, or never placed)");
    Call& c = *it->second;
    if (c.f.state != CallState::consulting) return m.refuse(call_id, "complete_consult", "the call is not consulting");
    Call* leg = m.consult_leg_of(c);
    if (!leg || !c.consult_ready || leg->dialog_call_id.empty())
      return m.refuse(call_id, "complete_consult", "the consult target has not answered");
    if (c.f.ending || !c.nh) return m.refuse(call_id, "complete_consult", "the call is ending");
    c.f.transfer_target = c.consult_target;
    m.set_state(c, CallState::transferring);
    // Our re-INVITE (the hold) not yet answered: a REFER now would reach the callee before
    // its ACK, and a callee that waits for that ACK refuses or drops it (sipp aborted the
    // call, and the transfer never ended). It goes once the re-INVITE is answered, whatever
    // the answer.
    if (c.reinvite != Call::Reinvite::none) {
      c.refer_when_done = true;
      spdlog::info("call {}: completing the transfer to {} once the re-INVITE in flight is answered", c.id,
                   c.consult_target);
      return;
    }
    m.refer_to_consult_leg(c);
  });
}

void SipAgent::Impl::refer_to_consult_leg(Call& c) {
  Call* leg = consult_leg_of(c);
  if (!leg || !c.consult_ready || leg->dialog_call_id.empty()) {
    // The consult leg ended while the REFER waited: consulting again, then resumed, as
    // consult_leg_gone() does (the application sees consulting -> answered, as there; a
    // resume the callee refuses leaves the call consulting, where cancel_consult still works).
    // Not held (the hold refused, a 491 included): answered again with no resume, as a
    // consultation cancelled then (resume_after_consult).
    set_state(c, CallState::consulting);
    spdlog::info("call {}: the consult leg is over before the transfer; resuming the call", c.id);
    resume_after_consult(c);
    return;
  }
  const std::string refer_to = replaces_refer_to(leg->remote_uri, leg->dialog_call_id, leg->remote_tag, leg->local_tag);
  spdlog::info("call {}: completing the transfer to {}: REFER with Refer-To: {}", c.id, c.consult_target, refer_to);
  nua_refer(c.nh, SIPTAG_REFER_TO_STR(refer_to.c_str()), TAG_END());
}

void SipAgent::cancel_consult(uint64_t call_id) {
  post([call_id](Impl& m) {
    auto it = m.calls.find(call_id);
    if (it == m.calls.end()) return m.refuse(call_id, "cancel_consult", "no such call (ended, or never placed)");
    Call& c = *it->second;
    if (c.f.state != CallState::consulting) return m.refuse(call_id, "cancel_consult", "the call is not consulting");
    if (Call* leg = m.consult_leg_of(c)) {
      c.consult_leg = 0;  // detached: its end is no news for the call now
      c.consult_ready = false;
      std::erase(m.pending, leg);
      m.end_call(*leg, LeadStatus::unknown, "consultation cancelled");
    }
    if (c.f.ending || !c.nh) return;
    m.resume_after_consult(c);
  });
}

}  // namespace hark::signaling
