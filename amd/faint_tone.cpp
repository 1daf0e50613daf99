#include "amd/faint_tone.h"

#include <algorithm>
#include <cmath>

#include "amd/spectrum_select.h"

namespace hark::amd {

namespace {
constexpr int kFirstBandBin = ToneTracker::kBandLoBin;  // band_power()[0]'s bin
// The peak is sought inside the tracker's range, its ends excluded (bins 20 to 210: 312-3281
// Hz), and read with two bins either side, as the tracker reads its tones.
constexpr int kPeakLo = ToneTracker::kPeakLoBin - kFirstBandBin;
constexpr int kPeakHi = ToneTracker::kPeakHiBin - kFirstBandBin;
constexpr int kHalfWidth = ToneTracker::kPeakHalfWidth;
// The peak's bins, per bin, over the rest of the band's, per bin: 9 dB.
constexpr float kMinPeakOverBand = 7.94f;
// Every frame of a run reads within this of its mean frequency so far: a beep is synthetic,
// and a frame's reading wobbles by a couple of Hz in noise. A voice's harmonic glides away
// (by 8 Hz in 800 ms at 1 kHz, the run ends before it is long enough).
constexpr float kSameHz = 4.0f;
// Frames without the peak bridged inside a run (a lost packet spoils three windows; a noisy
// frame may hide a faint tone's peak).
constexpr int kMaxMisses = 4;
// A frame's peak this far over the line's own spectrum in its bins (background_): 6 dB.
constexpr float kMinRise = 3.98f;
// The run's bins this far over the same bins just before it began and just after it ended.
constexpr float kMinContrastDb = 10.0f;
// The line's own spectrum follows it over about a second: every kBackgroundEvery frames (its
// inverse costs a division a bin), at this rate, from this many frames on.
constexpr int kBackgroundEvery = 4;
constexpr float kBackgroundRate = 0.185f;      // 1 - (1 - 0.05)^4: 5 % a frame
constexpr float kFirstBackgroundRate = 0.05f;  // its first frames, every one
constexpr int kBackgroundFrames = 10;
// The 60 ms window: a frame's window ends with it and began two frames earlier.
constexpr int kWindowFrames = 3;

float db(double p) {
  return float(10.0 * std::log10(p + 1e-12));
}
}  // namespace

float FaintToneDetector::power_near(int back, int peak) const {
  const Frame& f = history_[(frames_ - 1 - uint32_t(back)) % kHistory];
  float p = 0;
  for (int k = std::max(0, peak - kHalfWidth); k <= std::min(f.bins - 1, peak + kHalfWidth); ++k)
    p += f.power[k];
  return p;
}

std::optional<float> FaintToneDetector::window_power(int back, int peak) const {
  // The frame's window spans it and the two before it: all heard from the line, and kept.
  if (back + kWindowFrames > kHistory || uint32_t(back + kWindowFrames) > frames_)
    return std::nullopt;
  for (int i = back; i < back + kWindowFrames; ++i)
    if (!history_[(frames_ - 1 - uint32_t(i)) % kHistory].known) return std::nullopt;
  return power_near(back, peak);
}

std::optional<FaintToneDetector::Tone> FaintToneDetector::rx(std::span<const float> band_power,
                                                             uint32_t now_ms, bool heard,
                                                             bool lost) {
  Frame& slot = history_[frames_ % kHistory];
  slot.bins = int(std::min<size_t>(band_power.size(), kMaxBins));
  slot.known = slot.bins > 0 && !lost;
  std::copy_n(band_power.begin(), slot.bins, slot.power.begin());
  ++frames_;
  // The line's own spectrum takes in the frame before this one, when no run held it (a run's
  // first frame is judged before it could raise the background) and it was heard from the
  // line (a lost packet's silence is none of the line's).
  if (!in_run_ && frames_ >= 2 &&
      (background_frames_ < kBackgroundFrames || frames_ % kBackgroundEvery == 0)) {
    const Frame& before = history_[(frames_ - 2) % kHistory];
    if (before.known) {
      const float a = background_frames_ == 0                  ? 1.0f
                      : background_frames_ < kBackgroundFrames ? kFirstBackgroundRate
                                                               : kBackgroundRate;
      float* bg = background_.data();
      for (int k = 0; k < before.bins; ++k) {
        bg[k] += a * (before.power[k] - bg[k]);
        inverse_[k] = 1.0f / (bg[k] + 1e-9f);
      }
      ++background_frames_;
    }
  }

  // The peak that rose most over the line's own spectrum (a mains hum's harmonic or a radio's
  // carrier stands there already, a beep comes), and how far it stands over the band. In
  // linear power, no logarithm but for a peak (this runs on every frame of every call).
  bool peaked = false;
  int peak = 0;
  float hz = 0;
  const float* p = slot.power.data();
  float* bg = background_.data();
  const bool judge = slot.bins > kPeakHi + kHalfWidth && background_frames_ >= kBackgroundFrames;
  // (Four sums side by side: the compiler may not reorder one float sum.)
  float sums[4] = {};
  int i = 0;
  for (; i + 4 <= slot.bins; i += 4)
    for (int j = 0; j < 4; ++j) sums[j] += p[i + j];
  for (; i < slot.bins; ++i) sums[0] += p[i];
  const float total = (sums[0] + sums[1]) + (sums[2] + sums[3]);
  if (judge) {
    float rise[kMaxBins];
    for (int k = kPeakLo + 1; k < kPeakHi; ++k) rise[k] = p[k] * inverse_[k];
    peak = first_max(rise, kPeakLo + 1, kPeakHi);
    float around = 0, was = 0;
    for (int k = peak - kHalfWidth; k <= peak + kHalfWidth; ++k) {
      around += p[k];
      was += bg[k];
    }
    constexpr int kPeakBins = 2 * kHalfWidth + 1;
    const float rest = (total - around) / float(slot.bins - kPeakBins);
    peaked = around > 0 && around >= kMinPeakOverBand * float(kPeakBins) * rest &&
             around >= kMinRise * was;
    if (peaked) hz = ToneTracker::peak_hz(peak + kFirstBandBin, p[peak - 1], p[peak], p[peak + 1]);
  }
  const uint32_t frame = frames_ - 1;
  if (in_run_) {
    const float mean = float(hz_sum_ / count_);
    if (peaked && std::fabs(hz - mean) <= kSameHz) {
      last_frame_ = frame;
      hz_sum_ += hz;
      ++count_;
      peak_power_sum_ += power_near(0, peak_bin_);
      heard_ += heard;
      misses_ = 0;
      // Too long for a beep (its frames bridged over misses count): a line's own tone.
      if (frame - first_frame_ >= uint32_t(kMaxFrames)) in_run_ = false;
      return std::nullopt;
    }
    // The run's first windows held noise from before the tone too, and may have read another
    // frequency: the run goes on at this one, from the same onset, while that is within a
    // window's length (the window before the onset is still kept).
    if (peaked && misses_ == 0 && frame - first_frame_ < uint32_t(kWindowFrames)) {
      const int back = int(frame - first_frame_) + kWindowFrames;
      begin_run(peak, hz, heard);
      before_power_ = window_power(back, peak);
      return std::nullopt;
    }
    if (++misses_ <= kMaxMisses) return std::nullopt;
    // Ended at its last peaked frame: judged on the window that began after it.
    return close(heard, misses_ - kWindowFrames);
  }
  if (peaked) {
    first_frame_ = frame;
    first_ms_ = now_ms;
    begin_run(peak, hz, heard);
    before_power_ = window_power(kWindowFrames, peak);  // its window ended before this one began
  }
  return std::nullopt;
}

void FaintToneDetector::begin_run(int peak, float hz, bool heard) {
  in_run_ = true;
  last_frame_ = frames_ - 1;
  peak_bin_ = peak;
  hz_sum_ = hz;
  count_ = 1;
  peak_power_sum_ = power_near(0, peak);
  heard_ = heard;
  misses_ = 0;
}

std::optional<FaintToneDetector::Tone> FaintToneDetector::close(bool heard, int after_back) {
  in_run_ = false;
  // A beep is followed by the recording's quiet, not by talk.
  if (heard) return std::nullopt;
  if (count_ < kMinFrames || float(heard_) > kMaxHeardShare * float(count_)) return std::nullopt;
  const float hz = float(hz_sum_ / count_);
  // Quiet just before and just after, in windows the line was heard in: a lost packet's
  // silence (or a frame not transformed) says nothing of the tone's edges.
  const float mean = float(peak_power_sum_ / count_);
  const auto after = window_power(after_back, peak_bin_);
  if (!before_power_ || !after || db(mean) - db(*before_power_) < kMinContrastDb ||
      db(mean) - db(*after) < kMinContrastDb)
    return std::nullopt;
  Tone t;
  t.hz = hz;
  // The first peaked window held the tone for about two of its three frames.
  t.onset_ms = first_ms_ >= 40 ? first_ms_ - 40 : 0;
  t.end_ms = first_ms_ + (last_frame_ - first_frame_) * 20;
  return t;
}

}  // namespace hark::amd
