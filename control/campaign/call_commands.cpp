#include "control/campaign/call_commands.h"

#include <array>

namespace hark::control {

namespace {
constexpr std::array<std::pair<CallCommand, std::string_view>, 7> kNames{{{CallCommand::hangup, "hangup"},
                                                                          {CallCommand::transfer, "transfer"},
                                                                          {CallCommand::hold, "hold"},
                                                                          {CallCommand::resume, "resume"},
                                                                          {CallCommand::consult, "consult"},
                                                                          {CallCommand::complete, "complete"},
                                                                          {CallCommand::cancel, "cancel"}}};
}  // namespace

std::string_view to_string(CallCommand c) {
  for (const auto& [k, n] : kNames)
    if (k == c) return n;
  return "hangup";
}

std::optional<CallCommand> call_command_from_string(std::string_view s) {
  for (const auto& [k, n] : kNames)
    if (n == s) return k;
  return std::nullopt;
}

bool needs_target(CallCommand c) { return c == CallCommand::transfer || c == CallCommand::consult; }

std::string live_state(signaling::CallState s) {
  // By name, so the states the SIP agent gains (on_hold, consulting) map without a change here.
  const std::string name(signaling::to_string(s));
  if (name == "queued") return "dialing";
  if (name == "answered" || name == "verdict" || name == "playing_message") return "connected";
  for (const char* known : {"dialing", "ringing", "early_media", "on_hold", "transferring", "consulting", "ended"})
    if (name == known) return name;
  return {};  // a state live_calls does not show (e.g. inbound): the row keeps its last one
}

bool live_state_valid(std::string_view state) {
  for (const char* known :
       {"dialing", "ringing", "early_media", "connected", "on_hold", "transferring", "consulting", "ended"})
    if (state == known) return true;
  return false;
}

bool command_allowed(CallCommand c, std::string_view state) {
  if (state.empty() || state == "ended") return false;
  switch (c) {
    case CallCommand::hangup: return true;
    case CallCommand::transfer:
    case CallCommand::consult: return state == "connected" || state == "on_hold";
    case CallCommand::hold: return state == "connected";
    case CallCommand::resume: return state == "on_hold";
    case CallCommand::complete:
    case CallCommand::cancel: return state == "consulting";
  }
  return false;
}

std::string command_refusal(CallCommand c, const OwnedCall& call) {
  if (!command_allowed(c, call.state))
    return std::string(to_string(c)) + " is not possible while the call is " + call.state;
  if (call.deciding && (c == CallCommand::hold || c == CallCommand::consult))
    return std::string(to_string(c)) + " is not possible while the AMD is still listening";
  return {};
}

ControlOutcome run_call_command(CallControl& control, CallCommand c, uint64_t call_id, const std::string& target) {
  switch (c) {
    case CallCommand::hangup: return control.hangup(call_id);
    case CallCommand::transfer: return control.transfer(call_id, target);
    case CallCommand::hold: return control.hold(call_id);
    case CallCommand::resume: return control.resume(call_id);
    case CallCommand::consult: return control.consult(call_id, target);
    case CallCommand::complete: return control.complete_consult(call_id);
    case CallCommand::cancel: return control.cancel_consult(call_id);
  }
  return {409, "unknown command"};
}

}  // namespace hark::control
