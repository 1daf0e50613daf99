// A beep under the line's noise: one spectral peak that rises over the line's own spectrum,
// stands far over the band's other bins, holds its frequency within a few Hz for 400 ms or
// more while neither the VAD nor the tone tracker hears it, and comes and goes (its bins 10 dB
// quieter just before it and just after it).
//
// The tone tracker (tone_tracker.h) wants most of a frame's band power in the tone's bins and
// the frame 3 dB over the noise floor: a beep a few dB under pink line noise is neither, though
// in its own bins it stands 10 dB and more over the noise's share. A voice's harmonic glides
// and the VAD hears it; a mains hum's harmonic or a radio already on is the line's own
// spectrum, and does not begin and end.
// On the dev speakers' 815 files and the train renderings' 1280 (2026-12-05): beeps 337 -> 338
// and 502 -> 505 (a 600 Hz beep under AGC-lifted noise; 950 and 1100 Hz beeps beside a 60 Hz
// hum's 300 Hz harmonic, which the strongest peak would have been; a 600 Hz beep 1.3 s long),
// no false beep, no verdict changed; the music and ringback checks and the original corpus
// unchanged. The same from 8 to 10 dB over the band, 4 to 8 dB of rise, 10 to 12 dB of
// contrast (at 8 dB one hello over music held a "beep").
// Fed the tone tracker's spectrum of every frame (no FFT of its own; since it, the tracker
// transforms every frame, quiet ones too), fixed size (8.3 KB), no allocation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "amd/tone_tracker.h"

namespace hark::amd {

class FaintToneDetector {
 public:
  /// A tone that began and ended on the line (times of the audio, ms).
  struct Tone {
    uint32_t onset_ms = 0;
    uint32_t end_ms = 0;
    float hz = 0;
  };
  /// At most this share of a run's frames heard: a faint tone is under the VAD's and the
  /// tone tracker's thresholds.
  static constexpr float kMaxHeardShare = 0.2f;
  /// 400 ms at least (a vowel's harmonic never holds that still), four at most.
  static constexpr int kMinFrames = 20, kMaxFrames = 200;

  /// Feeds the band power (ToneTracker::band_power(); empty: the frame was not transformed,
  /// and holds no peak) of the 20 ms frame that ends at `now_ms`. Returns a tone that this
  /// frame showed to have ended.
  /// `heard`: the VAD heard voice in the frame, or the tone tracker a tone (then this is no
  /// faint tone, and the beep rules judge it).
  /// `lost`: the frame was a lost packet (digital silence): its spectrum says nothing of the
  /// line.
  std::optional<Tone> rx(std::span<const float> band_power, uint32_t now_ms, bool heard, bool lost);

 private:
  // Frames of band power kept: a run's onset may be read up to two frames late, and the window
  // before it spans three more.
  static constexpr int kHistory = 8;
  static constexpr int kMaxBins = ToneTracker::kBandBins;
  struct Frame {
    std::array<float, kMaxBins> power{};
    int bins = 0;
    bool known = false;  // transformed, and no lost packet
  };
  // The power in bins peak-2 .. peak+2 of the frame `back` frames before the newest (kept).
  float power_near(int back, int peak) const;
  // ... when that frame's whole window was heard from the line and is still kept.
  std::optional<float> window_power(int back, int peak) const;
  // Judges the run that ended, on the window `after_back` frames back (the first that began
  // after its last peaked frame) and whether this frame was heard.
  std::optional<Tone> close(bool heard, int after_back);
  // Starts the run's frequency and power over at this frame (its onset is kept).
  void begin_run(int peak, float hz, bool heard);

  Frame history_[kHistory] = {};
  std::array<float, kMaxBins> background_{};  // the line's own band power, bin by bin
  std::array<float, kMaxBins> inverse_{};     // ... its inverse (the search multiplies)
  int background_frames_ = 0;
  uint32_t frames_ = 0;  // frames fed
  // The run of peaked frames under way: its first and last frames, bin, frequencies, power.
  bool in_run_ = false;
  uint32_t first_frame_ = 0, last_frame_ = 0;
  uint32_t first_ms_ = 0;
  int peak_bin_ = 0;
  double hz_sum_ = 0;
  int count_ = 0;
  double peak_power_sum_ = 0;
  std::optional<float> before_power_;  // in the run's bins, the window just before it began
  int misses_ = 0;
  int heard_ = 0;  // frames of the run that were heard (rx)
};

}  // namespace hark::amd
