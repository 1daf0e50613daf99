// Runs audio through the AMD's front end (VAD, call features) outside a classifier: the tests
// of the call features, and those that check a scene reads as they say before replaying it.
#pragma once

#include <cstdint>
#include <vector>

#include "amd/voice_front_end.h"

namespace hark::test {

/// Runs `s` through `fe` frame by frame (`now` is the last frame's end, advanced 20 ms a
/// frame); its features at the end.
inline const amd::CallFeatures& features_after(amd::VoiceFrontEnd& fe, const std::vector<int16_t>& s,
                                               uint32_t& now) {
  int16_t filtered[160];
  for (size_t off = 0; off + 160 <= s.size(); off += 160) fe.rx({s.data() + off, 160}, now += 20, filtered);
  return fe.features();
}

}  // namespace hark::test
