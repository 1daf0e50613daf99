// Sustained music on the line: spectral peaks that hold their frequency for 160 ms and more,
// two or more at once (a chord, a held note's harmonics), frame after frame.
//
// A voice's harmonics glide with its pitch and break at every consonant: over our corpus's
// speech (recorded and synthetic voices alike) under 10 % of loud frames hold two such peaks,
// over ten-second excerpts of recorded music 92-99 %. The classifier uses it where the VAD
// cannot: once music has lifted the VAD's floor, it reads as a pause. Fed the tone tracker's
// spectrum (no FFT of its own), fixed size, no allocation.
#pragma once

#include <bitset>
#include <cstdint>
#include <span>

namespace hark::amd {

class MusicDetector {
 public:
  /// A peak must hold (within a bin) over this many consecutive 20 ms frames: 160 ms.
  static constexpr int kHoldFrames = 8;
  /// The window `playing()` looks at: one second of frames.
  static constexpr int kWindowFrames = 50;

  /// Feeds one frame's band power (ToneTracker::band_power()); an empty span is a frame
  /// that was not transformed, and holds no peak.
  void rx(std::span<const float> band_power);

  /// True when at least half of the last second's frames held two or more lasting peaks.
  bool playing() const { return frames_ >= kWindowFrames && held_ * 2 >= kWindowFrames; }
  /// Frames of the last second that held two or more lasting peaks.
  int held_frames() const { return held_; }
  /// Whether the last frame held two or more lasting peaks; known once kHoldFrames were fed.
  bool last_held() const { return frames_ > 0 && held_ring_[(frames_ - 1) % kWindowFrames]; }
  bool hold_known() const { return frames_ >= kHoldFrames; }
  /// The share of the last frame's band power in its lasting peaks (a bin either side):
  /// most of it in music, little in a voice over a steady hum.
  float held_power_share() const { return held_share_; }
  /// Music playing, and its lasting peaks hold most of the last frame's power (over half:
  /// about two thirds of the frames of recorded music the VAD calls voice, against one in
  /// six of a voice's over a mains buzz that keeps playing() on).
  bool dominant() const { return playing() && held_share_ > 0.5f; }

 private:
  using Bins = std::bitset<256>;
  Bins peaks_[kHoldFrames] = {};  // ring: the peak bins of the last kHoldFrames frames
  int newest_ = 0;
  bool held_ring_[kWindowFrames] = {};
  int held_ = 0;
  int frames_ = 0;
  float held_share_ = 0;
};

}  // namespace hark::amd
