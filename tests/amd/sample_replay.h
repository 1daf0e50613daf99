#pragma once
// Replaying the committed samples (fixtures/samples/): files of the by-voice corpus's train
// and dev voices that a rule once got wrong.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "amd/replay.h"
#include "media/audio_file.h"
#include "test_paths.h"

namespace hark::test {

/// Replays a committed sample (fixtures/samples/NAME) with hark's defaults.
inline amd::ReplayResult replay_sample(const char* name) {
  std::vector<int16_t> pcm;
  EXPECT_EQ(media::read_audio(source_file((std::string("fixtures/samples/") + name).c_str()), pcm), "") << name;
  return amd::replay(pcm, amd::Params::hark_defaults());
}

/// Replays sample `name` and expects a beep from `onset_ms` (within 40 ms).
inline amd::ReplayResult expect_beep_at(const char* name, int onset_ms) {
  const auto r = replay_sample(name);
  EXPECT_TRUE(r.has_beep) << name << ": " << r.verdict.cause;
  if (r.has_beep) {
    EXPECT_NEAR(int(r.beep.beep_onset_ms), onset_ms, 40) << name;
  }
  return r;
}

}  // namespace hark::test
