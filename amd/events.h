// What the classifier tells its caller: verdicts and beeps, stamped with audio time.
#pragma once

#include <cstdint>
#include <string_view>

namespace hark::amd {

enum class Verdict : uint8_t { human, machine, fax, sit, silence, unknown };

std::string_view to_string(Verdict v);
/// Parses a verdict name; returns false when the name is not one.
bool parse_verdict(std::string_view s, Verdict& out);

/// verdict: the decision (once); beep: the tone that ends a greeting; late_machine: after a
/// `human` verdict, a beep or a monologue suggests it was a machine after all (the verdict
/// stands here: the event counts and logs a suspected miss, and the signaling layer makes a
/// machine of a person still waiting for an agent, signaling::CallPolicy::on_late_machine); ringing: a ring played after the answer
/// ended and the analysis starts over (amd/ringback.h): the call is still making progress
/// (its at_ms is the ring's end, the call's real answer; it is sent up to 240 ms later).
enum class EventKind : uint8_t { verdict, beep, late_machine, ringing };

/// One event. Fixed size and allocation-free so it can cross a lock-free queue.
struct Event {
  EventKind kind = EventKind::verdict;
  Verdict verdict = Verdict::unknown;
  uint32_t at_ms = 0;          ///< audio time (from answer) at which it was decided
  uint32_t beep_onset_ms = 0;  ///< beep: when the tone began
  uint16_t beep_hz = 0;        ///< beep: its frequency
  char cause[46] = {};         ///< why, e.g. "long-greeting-2600ms"

  std::string_view cause_view() const { return cause; }
};

}  // namespace hark::amd
