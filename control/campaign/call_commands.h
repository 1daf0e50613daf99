// Call control across processes (issue 16): the commands a call's owner runs on its SIP agent,
// which commands each call state allows, and the interface the owner runs them through
// (CallControl; cli/run_command.cpp implements it on the SipAgent, tests with a fake).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "signaling/call_plan.h"

namespace hark::control {

enum class CallCommand { hangup, transfer, hold, resume, consult, complete, cancel };

/// "hangup", "transfer", ... (the REST path's last part and call_commands.kind).
std::string_view to_string(CallCommand c);
std::optional<CallCommand> call_command_from_string(std::string_view s);
/// transfer and consult name a target (a number or a sip: URI).
bool needs_target(CallCommand c);

/// A SIP call state as live_calls names it: dialing, ringing, early_media, connected, on_hold,
/// transferring, consulting, ended. Answered, verdict and playing a message are all connected.
std::string live_state(signaling::CallState s);
/// True for the eight names live_state gives.
bool live_state_valid(std::string_view state);
/// Whether `c` makes sense for a call in live state `state` (409 otherwise): hold a connected
/// call, not a ringing one; complete or cancel only while consulting; hang up anything up.
bool command_allowed(CallCommand c, std::string_view state);

/// What the owner's SIP side said to a command: 202 (done; its effect arrives as call events),
/// 409 (not possible now), 501 (this build's SIP agent cannot do it).
struct ControlOutcome {
  int status = 202;
  std::string message;
};

/// The owner's SIP agent, as call control sees it (all asynchronous, by the agent's call id).
class CallControl {
 public:
  virtual ~CallControl() = default;
  virtual ControlOutcome hangup(uint64_t call_id) = 0;
  virtual ControlOutcome transfer(uint64_t call_id, const std::string& target) = 0;
  virtual ControlOutcome hold(uint64_t call_id) = 0;
  virtual ControlOutcome resume(uint64_t call_id) = 0;
  virtual ControlOutcome consult(uint64_t call_id, const std::string& target) = 0;
  virtual ControlOutcome complete_consult(uint64_t call_id) = 0;
  virtual ControlOutcome cancel_consult(uint64_t call_id) = 0;
};

/// Runs `c` on `control`.
ControlOutcome run_call_command(CallControl& control, CallCommand c, uint64_t call_id, const std::string& target);

/// A call this process owns and that is up: the SipAgent's id and its live state.
struct OwnedCall {
  uint64_t sip_call_id = 0;
  std::string state;
  bool deciding = false;  ///< answered, and the AMD has not given its verdict yet
};

/// Why `c` cannot run on `call` now (empty: it can): the live state does not allow it, or a
/// hold or consult while the AMD still listens (the SIP agent would refuse it, after a 202).
std::string command_refusal(CallCommand c, const OwnedCall& call);

}  // namespace hark::control
