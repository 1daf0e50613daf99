#include "amd/ringback.h"

#include <algorithm>
#include <cmath>

namespace hark::amd {

namespace {
// A ring is a generated tone: one frequency and one level throughout (a played note glides,
// wavers or decays), and the line falls quiet after it, for the cadence's pause (a note gives
// way to the next). On the recorded music of scripts/music_check.sh, notes near 415 and 440 Hz
// passed for rings without these.
constexpr float kMaxRingHzSpread = 10.0f;
constexpr float kMaxRingLevelSpreadDb = 3.0f;
}  // namespace

// A ring's pitch is read as a long beep's (ToneSegment::pitch_spread): a concealed loss that
// moved a frame or two of a 425 Hz ring by 12 Hz made it a "beep" before any word, and the
// person was hung up on; under way, a 1.5 s ring (Spain's, France's) so moved stopped being a
// ring, and its "words" made a machine at a second of span.
bool may_be_ring(const ToneSegment& tone) {
  return !tone.dual && tone.hz >= kRingLoHz && tone.hz <= kRingHiHz && tone.pitch_spread() <= kMaxRingHzSpread &&
         tone.level_spread_db <= kMaxRingLevelSpreadDb && tone.duration_ms() <= kMaxRingMs;
}

bool ring_like(const ToneSegment& tone) {
  return !tone.dual && tone.hz >= kRingLoHz && tone.hz <= kRingHiHz && tone.pitch_spread() <= kMaxRingHzSpread &&
         tone.level_spread_db <= kMaxRingLevelSpreadDb && tone.after_db <= tone.level_db - kMinRingDropDb &&
         tone.duration_ms() >= kMinRingMs && tone.duration_ms() <= kMaxRingMs;
}

std::optional<RingBurst> RingPairBursts::rx(bool pair_frame, float frame_db, uint32_t frame_end_ms) {
  if (pair_frame) {
    if (!in_burst_) onset_ms_ = frame_end_ms - 20, pair_frames_ = 0, off_level_ = 0, loud_after_ = false;
    in_burst_ = true;
    last_ms_ = frame_end_ms;
    gap_ = 0;
    if (++pair_frames_ == 3) level_db_ = frame_db;
    if (pair_frames_ > 3 && std::fabs(frame_db - level_db_) > kMaxLevelOffDb) ++off_level_;
    return std::nullopt;
  }
  if (!in_burst_) return std::nullopt;
  // Frames 2 and 3 after its last (the first may hold its tail), as ToneSegment::after_db.
  if (++gap_ >= 2 && gap_ <= 3 && frame_db > level_db_ - kMinRingDropDb) loud_after_ = true;
  if (gap_ < kMaxGapFrames) return std::nullopt;
  in_burst_ = false;
  const RingBurst b{onset_ms_, last_ms_};
  const uint32_t ms = b.end_ms - b.onset_ms;
  if (ms < kMinRingMs || ms > kMaxRingMs) return std::nullopt;
  if (float(pair_frames_) < kMinPairShare * float(ms / 20)) return std::nullopt;  // scattered frames
  if (float(off_level_) > kMaxOffLevelShare * float(pair_frames_)) return std::nullopt;  // not steady
  if (loud_after_) return std::nullopt;  // no pause after it: music's chord, not a ring
  return b;
}

}  // namespace hark::amd
