// Ringing heard after the answer. Some exchanges and PBXs answer (200 OK) and then play the
// ringing tone in band while they forward the call: nobody is on the line yet. Ringing at the
// line's start, before any word, is the call still ringing, and the analysis starts over after
// each burst (Classifier). Without this a North American ringback (440+480 Hz, 2 s on, 4 s
// off) ran into the dead-air verdict before the person's "hello", and Europe's 425 Hz ring
// was a "beep": the person was hung up on either way. (On the tone tracker; without beep
// detection, on the music detector's; with neither, rules and no beep detection, not at all.)
#pragma once

#include <cstdint>
#include <optional>

#include "amd/tone_tracker.h"

namespace hark::amd {

/// One burst of ringing tone (audio ms).
struct RingBurst {
  uint32_t onset_ms = 0;
  uint32_t end_ms = 0;
};

/// A burst's length: UK's rings come as two 0.4 s parts, North America's last 2 s.
inline constexpr uint32_t kMinRingMs = 300;
inline constexpr uint32_t kMaxRingMs = 2600;
/// Ringing this long (audio since the answer) is no answer: the classifier says so rather than
/// start over again. (Each ring's `ringing` event tells signaling's watchdog the call moves.)
inline constexpr uint32_t kMaxRingingMs = 45000;
/// The longest pause between rings (North America and Europe: 4 s): after a ring, silence is
/// dead air only past this.
inline constexpr int kLongestRingPauseMs = 5000;
/// The line falls this far under a ring's level just after it (the cadence's pause).
inline constexpr float kMinRingDropDb = 12.0f;
/// A ring's one tone: Europe's 425 Hz, or 400 or 450 Hz.
inline constexpr float kRingLoHz = 395.0f, kRingHiHz = 455.0f;

/// True when `tone` (one frequency) may be a ring: Europe's 425 Hz, or 400 or 450 Hz, steady,
/// a ring's length. A beep-only answering machine's beep can be one too (Classifier).
bool ring_like(const ToneSegment& tone);
/// True when `tone`, still under way, may yet be a ring: a ring's frequency, steady so far.
bool may_be_ring(const ToneSegment& tone);

/// Groups frames that held a ringback pair (ToneTracker::last_ringback_pair: 440+480 or
/// 400+450 Hz, which the tracker never makes a tone of) into bursts. Pure: fed every frame.
class RingPairBursts {
 public:
  /// Frames without the pair that a burst runs on through: UK's 0.2 s between its two parts,
  /// lost packets.
  static constexpr int kMaxGapFrames = 12;

  /// A ring is a steady tone: its frames hold the pair this densely, within this level range.
  static constexpr float kMinPairShare = 0.5f;  // UK: 2 x 0.4 s in 1 s, less the window's edges
  static constexpr float kMaxLevelOffDb = 6.0f;     // from its third frame's level
  static constexpr float kMaxOffLevelShare = 0.25f; // of its frames: a window reaching over an
                                                    // edge (UK's gap) holds the pair, not its level

  /// Feeds one frame ending at `frame_end_ms`, of power `frame_db`; returns the burst that
  /// ended with it (the kMaxGapFrames-th frame after its last one), when it was a ring's length
  /// and steady.
  std::optional<RingBurst> rx(bool pair_frame, float frame_db, uint32_t frame_end_ms);
  /// A burst may be under way: the pair was heard within the last kMaxGapFrames frames.
  bool under_way() const { return in_burst_; }
  /// When the burst under way began.
  uint32_t onset_ms() const { return onset_ms_; }
  /// The burst under way is a ring so far: dense and steady for three frames and more.
  bool ring_so_far(uint32_t now_ms) const {
    return in_burst_ && pair_frames_ >= 3 && now_ms - onset_ms_ <= kMaxRingMs &&
           float(pair_frames_) >= kMinPairShare * float((now_ms - onset_ms_) / 20) &&
           float(off_level_) <= kMaxOffLevelShare * float(pair_frames_);
  }

 private:
  bool in_burst_ = false;
  uint32_t onset_ms_ = 0;
  uint32_t last_ms_ = 0;  // end of the last frame that held the pair
  int gap_ = 0;
  int pair_frames_ = 0;
  int off_level_ = 0;   // pair frames whose level was off its third frame's
  float level_db_ = 0;  // its third pair frame's (after the onset's ramp)
  bool loud_after_ = false;  // frame 2 or 3 after its last was within kMinRingDropDb of it
};

}  // namespace hark::amd
