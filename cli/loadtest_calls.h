// `hark loadtest`'s per-call record: one row per call placed (--csv), which calls count as
// failed (--record failed keeps only theirs), and the ramp profile (--ramp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "signaling/sip_agent.h"

namespace hark::control {

/// One call as the load test saw it. Times in ms; -1: did not happen (no answer, no verdict...).
struct CallRow {
  uint64_t call_id = 0;      ///< the load test's own sequence (1, 2, ...): also the recording's name
  std::string number;
  double start_s = 0;        ///< when it was placed, seconds after the test began
  double start_unix = 0;     ///< the same, as a Unix time
  double end_s = 0;          ///< when it ended, seconds after the test began
  double pdd_ms = -1;        ///< INVITE -> first 18x
  double answer_ms = -1;     ///< INVITE -> 200 OK
  std::string verdict;       ///< empty: none
  double verdict_ms = -1;    ///< answer -> verdict (audio time)
  int beep_ms = -1;          ///< beep onset (audio ms after the answer)
  int sip_code = 0;
  std::string sip_reason;
  uint32_t rtp_received = 0, rtp_lost = 0;
  double jitter_ms = 0;
  double mos = -1;           ///< answered calls with RTP only
  bool one_way = false;      ///< answered, held 2 s or more, and no RTP from the callee
  bool answered = false;
};

/// The row for a call that ended; `start_s`/`start_unix` are when it was placed.
CallRow call_row(const signaling::CallEvent& ended, uint64_t call_id, double start_s, double start_unix, double end_s);

/// MOS under this counts as a failed call.
constexpr double kLowMos = 3.0;
/// Failed: not answered, one-way audio, or a MOS under kLowMos.
bool call_failed(const CallRow& r);

/// The rows as CSV, with a header line; text cells are spreadsheet-safe.
std::string calls_csv(const std::vector<CallRow>& rows);

/// A ramp: calls per second from each step's second on ("0:10,60:100,120:300").
struct RampStep {
  double at_s = 0;
  double cps = 0;
};
/// Parses a ramp; returns an error message (empty on success). Steps must start at 0, rise in
/// time, and have rates in (0, 5000].
std::string parse_ramp(const std::string& text, std::vector<RampStep>& out);
/// Calls the ramp has placed by `t` seconds (the integral of its rate).
double ramp_calls_by(const std::vector<RampStep>& ramp, double t);
/// The highest rate of the ramp.
double ramp_peak(const std::vector<RampStep>& ramp);

}  // namespace hark::control
