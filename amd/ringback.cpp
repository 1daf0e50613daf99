#include "amd/ringback.h"

#include <cmath>

namespace hark::amd {

namespace {
constexpr float kMaxRingHzSpread = 20.0f;  // a ring is steady; a glide or a melody is not
}  // namespace

bool ring_like(const ToneSegment& tone) {
  return !tone.dual && tone.hz >= kRingLoHz && tone.hz <= kRingHiHz && tone.hz_spread <= kMaxRingHzSpread &&
         tone.duration_ms() >= kMinRingMs && tone.duration_ms() <= kMaxRingMs;
}

std::optional<RingBurst> RingPairBursts::rx(bool pair_frame, uint32_t frame_end_ms) {
  if (pair_frame) {
    if (!in_burst_) onset_ms_ = frame_end_ms - 20;
    in_burst_ = true;
    last_ms_ = frame_end_ms;
    gap_ = 0;
    return std::nullopt;
  }
  if (!in_burst_ || ++gap_ < kMaxGapFrames) return std::nullopt;
  in_burst_ = false;
  const RingBurst b{onset_ms_, last_ms_};
  if (b.end_ms - b.onset_ms < kMinRingMs || b.end_ms - b.onset_ms > kMaxRingMs) return std::nullopt;
  return b;
}

}  // namespace hark::amd
