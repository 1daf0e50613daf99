// The callee simulator's RTP stack in the tests: HARK_SIM_RTP_STACK=ortp|hark, else the
// default `hark simulate-callee` uses. ctest runs the simulator's SIP call tests on both
// stacks (tests/CMakeLists.txt: the "ortp." copies).
#pragma once

#include <cstdlib>
#include <memory>
#include <string>

#include "signaling/callee_media.h"

namespace hark::test {

inline signaling::RtpStack sim_rtp_stack() {
  signaling::RtpStack s = signaling::default_rtp_stack();
  if (const char* env = std::getenv("HARK_SIM_RTP_STACK"); env && *env && !signaling::parse_rtp_stack(env, s))
    std::abort();  // a typo must not silently test the other stack
  return s;
}

/// The simulator's RTP on `o`'s address and ports, on the stack the environment asks for.
inline std::unique_ptr<signaling::CalleeMedia> sim_media(const media::MediaEngineOptions& o) {
  return signaling::make_callee_media(sim_rtp_stack(), o);
}

}  // namespace hark::test
