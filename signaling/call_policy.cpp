#include "signaling/call_policy.h"

#include "media/media_types.h"

namespace hark::signaling {

std::string_view to_string(CallState s) {
  switch (s) {
    case CallState::queued: return "queued";
    case CallState::dialing: return "dialing";
    case CallState::ringing: return "ringing";
    case CallState::early_media: return "early_media";
    case CallState::answered: return "answered";
    case CallState::verdict: return "verdict";
    case CallState::transferring: return "transferring";
    case CallState::playing_message: return "playing_message";
    case CallState::on_hold: return "on_hold";
    case CallState::consulting: return "consulting";
    case CallState::inbound: return "inbound";
    case CallState::ended: return "ended";
  }
  return "?";
}

namespace {
Action hang_up(LeadStatus outcome, std::string cause) {
  Action a;
  a.kind = Action::Kind::hang_up;
  a.outcome = outcome;
  a.cause = std::move(cause);
  return a;
}

Action peer_ended(LeadStatus outcome, std::string cause) {
  Action a = hang_up(outcome, std::move(cause));
  a.kind = Action::Kind::peer_ended;
  return a;
}

// A call abandoned (no agent in time: its identification message began) stays abandoned
// however it then ends, as on_hangup_request and on_callee_bye say: a transfer asked for during
// the message (put through, failed or refused), or the watchdog. The abandon rate is a legal
// cap, and a SUCCESS or UNKNOWN understated it. (A transfer put through still says so,
// Action::transferred: the runner closes such a lead as reached, CampaignRunner.)
Action kept_abandoned(const CallFacts& f, Action a) {
  if (f.abandoned) {
    a.outcome = LeadStatus::abandoned;
    a.cause += "; abandoned: no agent was free in time";
  }
  return a;
}

Action with_deadline(Action::Kind k, Clock::time_point at, const media::Prompt* prompt = nullptr) {
  Action a;
  a.kind = k;
  a.deadline = at;
  a.prompt = prompt;
  return a;
}

// The cause of hanging up at the verdict, in words.
std::string why(amd::Verdict v) {
  switch (v) {
    case amd::Verdict::machine: return "answering machine";
    case amd::Verdict::fax: return "fax";
    case amd::Verdict::sit: return "SIT: number not in service";
    case amd::Verdict::silence: return "dead air";
    case amd::Verdict::human:
    case amd::Verdict::unknown: break;
  }
  return "person answered; the call plan hangs up";
}

long long ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}
}  // namespace

Action CallPolicy::on_answer(const CallFacts& f, Clock::time_point now) const {
  if (!f.amd) return on_verdict(f, amd::Verdict::human, now);  // no AMD: whoever answers is a person
  if (const int ms = f.plan.hold_whatever_the_verdict(); ms > 0)
    return with_deadline(Action::Kind::hold_until, f.answered_at + std::chrono::milliseconds(ms));
  return {};
}

Action CallPolicy::on_verdict(const CallFacts& f, amd::Verdict v, Clock::time_point now) const {
  if (f.state == CallState::transferring) return {};  // already being transferred by request
  const Reaction& r = f.plan.for_verdict(v);
  switch (r.kind) {
    case Reaction::Kind::hold: {
      const auto until = f.answered_at + std::chrono::milliseconds(r.hold_ms);
      if (now >= until)
        return hang_up(status_for_answered(v, false), "hung up at the verdict: the " + std::to_string(r.hold_ms) + " ms hold is over");
      return with_deadline(Action::Kind::hold_until, until);
    }
    case Reaction::Kind::transfer: {
      if (r.target.empty()) return hang_up(LeadStatus::unknown, "person answered; no transfer target configured");
      Action a;
      a.kind = Action::Kind::transfer;
      a.target = r.target;
      return a;
    }
    case Reaction::Kind::voicemail:
      if (r.prompt)
        return with_deadline(Action::Kind::wait_for_beep, now + std::chrono::milliseconds(f.beep_timeout_ms), r.prompt);
      break;
    case Reaction::Kind::to_agent:
      return with_deadline(Action::Kind::await_agent, now + std::chrono::milliseconds(r.hold_ms), r.prompt);
    case Reaction::Kind::hang_up: break;
  }
  return hang_up(status_for_answered(v, false), why(v));
}

Action CallPolicy::on_early_verdict(amd::Verdict v) const {
  if (v == amd::Verdict::sit) return hang_up(LeadStatus::failure, "SIT in early media (invalid number)");
  return {};
}

void enter_state(CallFacts& f, CallState s, Clock::time_point now) {
  const bool was_in_hand = f.in_hand();
  f.state = s;
  f.state_at = now;
  if (!was_in_hand && f.in_hand()) f.in_hand_at = now;
  if (was_in_hand && !f.in_hand()) {
    const auto paused = now - f.in_hand_at;
    f.agent_deadline += paused;
    f.beep_deadline += paused;
    if (f.hold_until) *f.hold_until += paused;
  }
}

Action CallPolicy::on_beep(const CallFacts& f) const {
  // (In someone's hands: no voicemail into a consultation or a transfer; the beep wait's
  // deadline plays it if the call comes back.)
  if (!f.waiting_for_beep || f.in_hand()) return {};
  return with_deadline(Action::Kind::play_message, {}, f.message);
}

Action CallPolicy::on_late_machine(const CallFacts& f, bool beep, Clock::time_point now) const {
  // Only a person still at the agent gate: no agent has the call yet (a REFER out is past
  // recall), nor a supervisor (in_hand), and no identification message plays (the wait ran
  // out: the call is abandoned and counts so; a late event does not take that back, the
  // abandon rate being a legal cap). An agent given a machine is the cost this saves: a
  // machine the AMD called a person, whose beep came while no agent was free.
  if (!f.awaiting_agent || f.in_hand() || f.state != CallState::verdict || !f.has_verdict ||
      f.verdict != amd::Verdict::human)
    return {};
  const Reaction& r = f.plan.machine;
  if (r.kind == Reaction::Kind::voicemail && r.prompt) {
    // The beep came: the message plays now. Talk went on: the message waits for its beep.
    if (beep) return with_deadline(Action::Kind::play_message, {}, r.prompt);
    return with_deadline(Action::Kind::wait_for_beep, now + std::chrono::milliseconds(f.beep_timeout_ms), r.prompt);
  }
  if (r.kind == Reaction::Kind::hang_up)
    return hang_up(LeadStatus::amd, std::string("answering machine: ") +
                                        (beep ? "a beep" : "a monologue") + " after the person verdict");
  return {};  // a plan that holds or transfers machines (a load test): the person's plan goes on
}

Action CallPolicy::on_playback_done(const CallFacts& f) const {
  if (f.state != CallState::playing_message) return {};
  if (f.abandoned) return hang_up(LeadStatus::abandoned, "no agent free in time: identification message played");
  return hang_up(LeadStatus::amd, "machine: message left after the beep");
}

Action CallPolicy::on_notify(const CallFacts& f, int code, std::string_view status_line) const {
  // The transfer's progress as a sipfrag: "SIP/2.0 200 OK" means the person is through.
  if (f.state != CallState::transferring || code < 200) return {};
  if (code >= 300) return kept_abandoned(f, hang_up(LeadStatus::unknown, "transfer failed: " + std::string(status_line)));
  Action a = hang_up(LeadStatus::success, "transferred to " + f.transfer_target);
  a.transferred = true;
  return kept_abandoned(f, a);
}

Action CallPolicy::on_refer_response(const CallFacts& f, int status, std::string_view phrase) const {
  if (status < 300) return {};
  return kept_abandoned(f, hang_up(LeadStatus::unknown, "person answered but the transfer was refused (" +
                                                            std::to_string(status) + " " + std::string(phrase) + ")"));
}

Action CallPolicy::on_timer(const CallFacts& f, Clock::time_point now) const {
  if (f.closing) {
    // The media worker always sends `ended` after a close; this is the last line of defence
    // should one ever be lost.
    if (now - f.closing_at > s_.media_end) {
      Action a;
      a.kind = Action::Kind::force_complete;
      return a;
    }
    return {};
  }
  if (f.ending) {
    if (now - f.ending_at > s_.unanswered_bye) {
      Action a;
      a.kind = Action::Kind::release_sip;
      return a;
    }
    return {};
  }
  if (!f.dialed) return {};
  if (!f.answered) {
    if (now < f.ring_deadline) return {};
    Action a = hang_up(LeadStatus::no_answer, "ring timeout after " + std::to_string(s_.ring_timeout_s) + " s");
    a.ring_timeout = true;
    return a;
  }
  // In someone's hands (f.in_hand()), the plan's waits pause: a person consulted for was
  // given a freed agent by the gate (a blind REFER in the middle of the consultation), or the
  // identification message when the wait ran out; a machine, the voicemail into the
  // consultation. (The watchdog below still ends a transfer that never ends.)
  if (f.awaiting_agent && !f.in_hand()) {
    // The gate is asked by SipAgent each tick; here only the deadline.
    if (now >= f.agent_deadline) return with_deadline(Action::Kind::abandon, {}, f.message);
    return {};
  }
  if (f.waiting_for_beep && !f.in_hand()) {
    // No beep came: the greeting is over by now; leave the message anyway.
    if (now >= f.beep_deadline) return with_deadline(Action::Kind::play_message, {}, f.message);
    return {};
  }
  // A message plays for its length. One that stands still (the line held with a=inactive:
  // the worker sends nothing, and its prompt does not move) ended no call, and a message is
  // exempt from the watchdog: the call stayed up for ever (a review). Ended as its end would
  // have ended it, stuck_extra past its length.
  if (f.state == CallState::playing_message && f.message &&
      now - f.state_at > std::chrono::milliseconds(f.message->ms()) + s_.stuck_extra) {
    Action a = on_playback_done(f);
    a.cause += " (its end never came: the line held?)";
    return a;
  }
  if (f.hold_until && !f.in_hand()) {
    if (now < *f.hold_until) return {};
    return hang_up(f.has_verdict ? status_for_answered(f.verdict, false) : LeadStatus::unknown,
                   "held " + std::to_string(ms_between(f.answered_at, *f.hold_until)) + " ms as planned");
  }
  // A call on hold or in a consultation waits for a person's command, not for the callee.
  if (f.state != CallState::playing_message && f.state != CallState::on_hold && f.state != CallState::consulting &&
      now - f.state_at > std::chrono::milliseconds(f.analysis_ms) + s_.stuck_extra)
    return kept_abandoned(f, hang_up(LeadStatus::unknown, "no progress for too long in state " + std::string(to_string(f.state))));
  return {};
}

Action CallPolicy::on_invite_failed(const CallFacts& f, int status, std::string_view phrase) const {
  if (f.ending) return {};  // our CANCEL's 487, or a failure crossing our CANCEL: the outcome stands
  return peer_ended(status == 487 ? LeadStatus::unknown : status_for_sip_code(status),
                    std::to_string(status) + " " + std::string(phrase));
}

Action CallPolicy::on_callee_bye(const CallFacts& f) const {
  if (f.ending) return {};
  if (f.abandoned) return peer_ended(LeadStatus::abandoned, "hung up during the identification message");
  if (f.state == CallState::playing_message) return peer_ended(LeadStatus::amd, "machine hung up during the message");
  if (f.has_verdict) return peer_ended(status_for_answered(f.verdict, f.transferred), "callee hung up after the verdict");
  return peer_ended(LeadStatus::unknown, "callee hung up before a verdict");
}

Action CallPolicy::on_hangup_request(const CallFacts& f) const {
  if (!f.dialed) return hang_up(LeadStatus::unknown, "hung up before dialing");
  // Abandoned stays abandoned, however the call then ends (by request, or our re-INVITE
  // answered 408 or 481 during the identification message): the abandon rate is a legal cap,
  // and a call counted as UNKNOWN or a person instead understated it.
  if (f.abandoned) return hang_up(LeadStatus::abandoned, "hung up during the identification message");
  return hang_up(f.has_verdict ? status_for_answered(f.verdict, f.transferred) : LeadStatus::unknown, "hung up by request");
}

Action CallPolicy::on_transfer_request(const CallFacts& f, std::string target) const {
  if (!f.dialed || !f.answered || f.ending || f.state == CallState::transferring) return {};
  Action a;
  a.kind = Action::Kind::transfer;
  a.target = std::move(target);
  return a;
}

}  // namespace hark::signaling
