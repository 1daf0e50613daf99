// What a call does once the AMD has said who answered: the per-call plan a campaign or a load
// test hands to SipAgent::originate, one reaction per verdict.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "amd/events.h"
#include "media/media_types.h"

namespace hark::signaling {

/// Where a call is, as its events report it. on_hold: we hold the callee (music on hold);
/// consulting: held while a second leg rings or talks to the consult target; inbound: an INVITE
/// that is not one of our calls, waiting for route_inbound.
enum class CallState : uint8_t { queued, dialing, ringing, early_media, answered, verdict, transferring, playing_message, ended, on_hold, consulting, inbound };
std::string_view to_string(CallState s);

/// Who takes a person the AMD found (issue 18): the dialer's live view of its free agents.
/// Asked on the SIP thread at a person's verdict and on each tick while the call waits for an
/// agent, so it must answer at once (no I/O) and be safe to call from that thread.
class AgentGate {
 public:
  virtual ~AgentGate() = default;
  /// Takes a free agent for the call tagged `tag`: where to transfer it (the agent's extension,
  /// or the pilot number), or empty when no agent is free now.
  virtual std::string take(uint64_t tag) = 0;
};

/// One reaction to a verdict.
struct Reaction {
  enum class Kind : uint8_t {
    hang_up,    ///< BYE at the verdict
    transfer,   ///< blind transfer (REFER) to `target`, a number or a sip: URI
    voicemail,  ///< wait for the beep (or the AMD's beep timeout), play `prompt`, hang up
    hold,       ///< keep the call up until `hold_ms` after the answer, then BYE
    to_agent,   ///< transfer to the agent `gate` gives within `hold_ms`; none: play `prompt`
                ///< (the identification message), hang up, ABANDONED
  };
  Kind kind = Kind::hang_up;
  std::string target;                     ///< transfer
  const media::Prompt* prompt = nullptr;  ///< voicemail; must outlive the call
  int hold_ms = 0;                        ///< hold; to_agent: how long a person may wait for an agent
  std::shared_ptr<AgentGate> gate;        ///< to_agent

  static Reaction hang_up() { return {}; }
  static Reaction transfer(std::string to) { return {Kind::transfer, std::move(to), nullptr, 0, nullptr}; }
  /// A null prompt hangs up instead (a campaign without a voicemail message).
  static Reaction voicemail(const media::Prompt* p) { return p ? Reaction{Kind::voicemail, {}, p, 0, nullptr} : hang_up(); }
  static Reaction hold(int ms) { return {Kind::hold, {}, nullptr, ms, nullptr}; }
  /// A person goes to the agent `gate` gives within `wait_ms` of the verdict; if none is free
  /// by then, they hear `identification` (null: nothing) and the call ends ABANDONED.
  static Reaction to_agent(std::shared_ptr<AgentGate> gate, int wait_ms, const media::Prompt* identification) {
    return {Kind::to_agent, {}, identification, wait_ms, std::move(gate)};
  }
};

/// The reactions of one call, by verdict. The default hangs up whoever answers.
struct CallPlan {
  Reaction person;   ///< a person, and an unsure verdict (hanging up on a person is the costly error)
  Reaction machine;  ///< an answering machine
  Reaction fax;
  Reaction sit;      ///< a network announcement (number not in service)
  Reaction silence;  ///< dead air

  /// The reaction for verdict `v` (`unknown` is treated as a person).
  const Reaction& for_verdict(amd::Verdict v) const {
    switch (v) {
      case amd::Verdict::machine: return machine;
      case amd::Verdict::fax: return fax;
      case amd::Verdict::sit: return sit;
      case amd::Verdict::silence: return silence;
      case amd::Verdict::human:
      case amd::Verdict::unknown: break;
    }
    return person;
  }

  /// When every reaction is a hold, the call ends at the longest one whatever the verdict, so
  /// it need not wait for one: that hold in ms; otherwise 0.
  int hold_whatever_the_verdict() const {
    int ms = 0;
    for (const Reaction* r : {&person, &machine, &fax, &sit, &silence}) {
      if (r->kind != Reaction::Kind::hold) return 0;
      ms = std::max(ms, r->hold_ms);
    }
    return ms;
  }

  /// A campaign: transfer a person to `pilot` (empty: hang up, noting that no target is set);
  /// leave `voicemail` to a machine after its beep (null: hang up); hang up on the rest.
  static CallPlan campaign(std::string pilot, const media::Prompt* voicemail) {
    CallPlan p;
    p.person = Reaction::transfer(std::move(pilot));
    p.machine = Reaction::voicemail(voicemail);
    return p;
  }

  /// A load test: hold every answered call `hold_ms` after the answer, verdict or not, then
  /// hang up; 0: hang up at the verdict.
  static CallPlan load_test(int hold_ms) {
    CallPlan p;
    if (hold_ms > 0) p.person = p.machine = p.fax = p.sit = p.silence = Reaction::hold(hold_ms);
    return p;
  }
};

}  // namespace hark::signaling
