// What a call does next: given what is known about a call and one event (the answer, a
// verdict, a beep, a NOTIFY, the end of a prompt, the periodic timer, a request), the action to
// take. Pure: no SIP, no sockets, no clock (the caller passes `now`); SipAgent carries the
// actions out. The timer's checks are also the watchdog: a peer that never sends what a call
// waits for (audio for a verdict, the NOTIFY after REFER, the answer to our BYE or CANCEL, the
// media's final statistics) must not hold the call, its ports and its lead for ever.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "amd/events.h"
#include "signaling/call_plan.h"
#include "signaling/outcome.h"

namespace hark::signaling {

using Clock = std::chrono::steady_clock;

/// What the policy knows about one call. SipAgent keeps one per call and updates it as SIP and
/// media events arrive; the policy only reads it.
struct CallFacts {
  CallPlan plan;
  bool amd = true;                   ///< false: every answer is a person
  uint32_t beep_timeout_ms = 0;      ///< how long to wait for a machine's beep
  uint32_t analysis_ms = 0;          ///< the AMD's longest analysis (the watchdog's base)

  CallState state = CallState::queued;
  Clock::time_point state_at;        ///< when `state` was entered
  bool dialed = false;               ///< an INVITE is out and its SIP handle held
  Clock::time_point ring_deadline;   ///< CANCEL if not answered by then
  bool answered = false;
  Clock::time_point answered_at;
  bool early_media = false;          ///< listening to a 183's early media (for SIT only)
  bool has_verdict = false;
  amd::Verdict verdict = amd::Verdict::unknown;
  std::string transfer_target;       ///< the REFER in flight
  bool transferred = false;          ///< the NOTIFY said the person is through
  bool waiting_for_beep = false;
  Clock::time_point beep_deadline;   ///< play the message anyway at this time
  const media::Prompt* message = nullptr;  ///< to play after the beep
  std::optional<Clock::time_point> hold_until;  ///< hang up at this time
  bool awaiting_agent = false;       ///< a person waits for the AgentGate (Reaction::to_agent)
  Clock::time_point agent_deadline;  ///< abandoned if no agent by then
  bool abandoned = false;            ///< no agent came: the identification message, then ABANDONED
  bool ending = false;               ///< BYE/CANCEL sent or received, outcome fixed
  Clock::time_point ending_at;
  bool closing = false;              ///< SIP side over; waiting for the media's `ended`
  Clock::time_point closing_at;

  /// Consulted for or being transferred: in someone's hands. The plan's own waits (an agent,
  /// the beep, a planned hold's end) pause meanwhile, and take up where they were when the
  /// call comes back (a consultation cancelled, a transfer refused). Not a user's hold
  /// (on_hold): music on hold connects a person to no agent, so the agent gate's wait (the
  /// abandon rule's 2 s) runs on under it, and its end plays the identification message and
  /// counts the call ABANDONED. (Pausing it hid abandoned calls and left a held call with no
  /// end at all: tried and reverted on 2026-12-05.)
  bool in_hand() const { return state == CallState::consulting || state == CallState::transferring; }
  Clock::time_point in_hand_at;      ///< when the call last came into someone's hands
};

/// Puts the call in state `s` at `now` (state, state_at). A call leaving someone's hands
/// (CallFacts::in_hand) has its plan's waits put off by the time it spent there: the agent's
/// and the beep's deadlines and a planned hold's end take up where they were.
void enter_state(CallFacts& f, CallState s, Clock::time_point now);

/// One thing to do to a call.
struct Action {
  enum class Kind : uint8_t {
    none,
    hang_up,          ///< CANCEL before the answer, BYE after; fixes `outcome` and `cause`
    peer_ended,       ///< the peer ended the call (BYE, final failure): fix `outcome` and `cause`, send nothing
    transfer,         ///< REFER to `target`
    wait_for_beep,    ///< until `deadline`, then play `prompt` anyway
    play_message,     ///< play `prompt` now
    hold_until,       ///< keep the call up; the timer hangs up at `deadline`
    release_sip,      ///< our BYE/CANCEL was never answered: drop the SIP side
    force_complete,   ///< the media never sent `ended`: report the call over without final statistics
    await_agent,      ///< ask the plan's AgentGate now and on each tick until `deadline`
    abandon,          ///< no agent in time: play `prompt` (if any), then hang up ABANDONED
  };
  Kind kind = Kind::none;
  LeadStatus outcome = LeadStatus::unknown;  ///< hang_up, peer_ended
  std::string cause;                         ///< hang_up, peer_ended
  std::string target;                        ///< transfer
  const media::Prompt* prompt = nullptr;     ///< wait_for_beep, play_message
  Clock::time_point deadline;                ///< wait_for_beep, hold_until
  bool transferred = false;                  ///< hang_up: the transfer succeeded
  bool ring_timeout = false;                 ///< hang_up: nobody answered in time
};

struct PolicySettings {
  int ring_timeout_s = 25;
  std::chrono::milliseconds stuck_extra{15000};        ///< beyond the AMD's analysis time
  std::chrono::milliseconds unanswered_bye{40000};     ///< our BYE/CANCEL unanswered this long
  std::chrono::milliseconds media_end{10000};          ///< `ended` missing this long after close
};

class CallPolicy {
 public:
  explicit CallPolicy(PolicySettings s = {}) : s_(s) {}

  /// The 200 OK arrived (facts already say answered, at `answered_at`).
  Action on_answer(const CallFacts& f, Clock::time_point now) const;
  /// The AMD's verdict on the answered call.
  Action on_verdict(const CallFacts& f, amd::Verdict v, Clock::time_point now) const;
  /// A verdict on a 183's early media, before any answer: only a SIT matters.
  Action on_early_verdict(amd::Verdict v) const;
  /// The machine's beep.
  Action on_beep(const CallFacts& f) const;
  /// A late_machine event after a `human` verdict (a beep, or talk past the longest human
  /// greeting; `beep` says which): while the person still waits for an agent and nobody has
  /// the call, the machine's reaction instead (the voicemail, at once after a beep); else none.
  Action on_late_machine(const CallFacts& f, bool beep, Clock::time_point now) const;
  /// The prompt finished playing.
  Action on_playback_done(const CallFacts& f) const;
  /// A NOTIFY about our REFER: `code` and `status_line` from its sipfrag body.
  Action on_notify(const CallFacts& f, int code, std::string_view status_line) const;
  /// The final response to our REFER.
  Action on_refer_response(const CallFacts& f, int status, std::string_view phrase) const;
  /// The periodic timer: ring timeout, beep timeout, end of a hold, and the watchdog.
  Action on_timer(const CallFacts& f, Clock::time_point now) const;
  /// A final non-2xx response to our INVITE.
  Action on_invite_failed(const CallFacts& f, int status, std::string_view phrase) const;
  /// The callee's BYE.
  Action on_callee_bye(const CallFacts& f) const;
  /// SipAgent::hangup.
  Action on_hangup_request(const CallFacts& f) const;
  /// SipAgent::transfer.
  Action on_transfer_request(const CallFacts& f, std::string target) const;

  const PolicySettings& settings() const { return s_; }

 private:
  PolicySettings s_;
};

}  // namespace hark::signaling
