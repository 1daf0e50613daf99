#include "amd/music_detector.h"

#include <algorithm>
#include <array>

#include "amd/spectrum_select.h"

namespace hark::amd {

namespace {
// A peak is a local maximum this many times over the band's median power (13 dB): the median
// is the noise and the spectrum's valleys, so this holds at any level.
constexpr float kPeakOverMedian = 20.0f;
// Two lasting peaks at once: one alone may be a beep, a hum or a steady vowel.
constexpr int kMinHeldPeaks = 2;
}  // namespace

void MusicDetector::rx(std::span<const float> band_power) {
  newest_ = (newest_ + 1) % kHoldFrames;
  Bins& now = peaks_[newest_];
  now.reset();
  const size_t n = std::min(band_power.size(), size_t(now.size()));
  if (n >= 3) {
    const float min_peak = kth_smallest(band_power.data(), n, n / 2) * kPeakOverMedian;
    for (size_t k = 1; k + 1 < n; ++k) {
      const float p = band_power[k];
      if (p >= min_peak && p > band_power[k - 1] && p >= band_power[k + 1]) now.set(k);
    }
  }
  // A peak holds when each earlier frame of the ring had one within a bin of it.
  Bins held = now;
  for (int u = 1; u < kHoldFrames && held.any(); ++u) {
    const Bins& then = peaks_[(newest_ + kHoldFrames - u) % kHoldFrames];
    held &= then | (then << 1) | (then >> 1);
  }
  const bool frame_held = int(held.count()) >= kMinHeldPeaks;
  held_share_ = 0;
  if (frame_held) {
    double total = 0, in_peaks = 0;
    for (size_t k = 0; k < n; ++k) {
      total += band_power[k];
      if (held[k] || (k > 0 && held[k - 1]) || (k + 1 < n && held[k + 1])) in_peaks += band_power[k];
    }
    held_share_ = total > 0 ? float(in_peaks / total) : 0.0f;
  }
  bool& slot = held_ring_[frames_ % kWindowFrames];
  held_ += int(frame_held) - int(slot);
  slot = frame_held;
  ++frames_;
}

}  // namespace hark::amd
