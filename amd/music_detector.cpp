#include "amd/music_detector.h"

#include <algorithm>
#include <cmath>

namespace hark::amd {

namespace {
constexpr float kBinHz = 8000.0f / 512.0f;
// Partials are looked for between 250 and 3000 Hz (below, a band-passed line has little; a
// kick drum or a voice's fundamental lies there).
constexpr int kLoBin = 16, kHiBin = 192;
// A clear peak: a local maximum over +-2 bins (a Hann-windowed partial's main lobe), 6 dB
// above the band's mean bin and within 30 dB of the frame's strongest bin (noise's bins
// reach 4x their mean in about 2 % of cases, and not at the same frequency frame after frame).
constexpr float kMinOverMean = 4.0f;
constexpr float kMinOfMax = 1e-3f;
// Frame to frame a partial moves less than this (the peak's interpolated frequency).
constexpr float kFollowHz = 10.0f;
// Steady: within this of where it began, for kSteadyFrames. A voice's harmonics drift by more
// than 0.6 % in 200 ms even on a flat syllable (speech's pitch moves by several % a syllable);
// music's hold still, within a slow vibrato of about +-0.4 %.
constexpr float kSteadyHz = 8.0f;
constexpr float kSteadyShare = 0.015f;
constexpr int kSteadyFrames = 10;
// A partial not seen for up to this many frames (lost packets smear three 60 ms windows) is
// kept with its age.
constexpr int kMaxMisses = 3;
// Musical: this many steady partials, holding this share of the band's energy (a talker over
// quiet music, or mains hum under a voice, leaves it to the voice).
constexpr int kMinPartials = 3;
constexpr float kMinF0 = 80.0f, kMaxF0 = 400.0f;
constexpr float kMinShare = 0.5f;
// A musical stretch ends after this many frames 10 dB below the music's level (its musical
// frames' running mean), or this many analysed frames with no musical one (a chord change:
// the new chord's partials are steady again after kSteadyFrames).
constexpr int kEndQuietFrames = 3;
constexpr float kEndDropDb = 10.0f;
constexpr float kLevelWeight = 0.1f;
constexpr int kHoldFrames = kSteadyFrames + 3;
// A partial shows in the 60 ms window about two frames after it began.
constexpr uint32_t kWindowLagMs = 40;

// True when the partials are all harmonics of one fundamental in a voice's range (80-400
// Hz): a held vowel (or one note) rather than a chord, whose notes are not one series.
bool one_voice(const float* hz, int n) {
  float lowest = hz[0];
  for (int i = 1; i < n; ++i) lowest = std::min(lowest, hz[i]);
  for (int h = 1; h <= 8; ++h) {
    const float f0 = lowest / float(h);
    if (f0 < kMinF0) break;
    if (f0 > kMaxF0) continue;
    bool all = true;
    for (int i = 0; i < n && all; ++i) {
      const float r = std::round(hz[i] / f0);
      all = std::fabs(hz[i] - r * f0) <= std::max(kSteadyHz, kSteadyShare * hz[i]);
    }
    if (all) return true;
  }
  return false;
}
}  // namespace

void MusicDetector::rx(const float* power, int lo, int hi, float frame_db, uint32_t now_ms) {
  began_ = false;
  musical_ = false;
  steady_ = 0;
  // A frame too quiet to transform inside music (the VAD's floor has absorbed it) leaves the
  // partials as they were: they go on where the analysis resumes. Elsewhere it is a pause,
  // and what was heard before it is not held over.
  if (power) track(power, lo, hi, now_ms);
  else if (!in_music_) n_ = 0;
  if (musical_) {
    since_musical_ = 0;
    music_db_ = in_music_ ? music_db_ + kLevelWeight * (frame_db - music_db_) : frame_db;
    if (!in_music_) {
      in_music_ = began_ = true;
      stretch_start_ms_ = now_ms;
      for (int i = 0; i < n_; ++i)
        if (parts_[i].misses == 0 && parts_[i].age >= kSteadyFrames)
          stretch_start_ms_ = std::min(stretch_start_ms_, parts_[i].since_ms);
    }
  } else if (power) {
    ++since_musical_;
  }
  // The stretch ends in a pause (the music stopped), or when analysed frames stop being
  // musical (talk after it) for longer than a chord change takes.
  quiet_frames_ = frame_db < music_db_ - kEndDropDb && frame_db > -120.0f ? quiet_frames_ + 1 : 0;
  if (in_music_ && quiet_frames_ >= kEndQuietFrames) {
    in_music_ = false;
    n_ = 0;
  }
  if (in_music_ && since_musical_ > kHoldFrames) in_music_ = false;
  if (in_music_) ++music_frames_;
}

void MusicDetector::track(const float* power, int lo, int hi, uint32_t now_ms) {
  Partial next[kMax];
  int m = 0;
  bool taken[kMax] = {};
  {
    const int a = std::max(lo + 2, kLoBin), b = std::min(hi - 2, kHiBin);
    float total = 0, top = 0;
    for (int k = lo; k <= hi; ++k) {
      total += power[k];
      top = std::max(top, power[k]);
    }
    const float min_peak = std::max(kMinOverMean * total / float(hi - lo + 1), kMinOfMax * top);
    float steady_power = 0;
    float steady_hz[kMax];
    for (int k = a; k <= b && m < kMax; ++k) {
      const float p = power[k];
      if (p < min_peak || p <= power[k - 1] || p < power[k + 1] || p < power[k - 2] || p < power[k + 2]) continue;
      // Parabolic interpolation on log power: the frequency to a fraction of a bin.
      const float l0 = std::log(power[k - 1] + 1e-9f), l1 = std::log(p + 1e-9f), l2 = std::log(power[k + 1] + 1e-9f);
      const float d = l0 - 2 * l1 + l2;
      const float hz = (float(k) + std::clamp(d != 0 ? 0.5f * (l0 - l2) / d : 0.0f, -0.5f, 0.5f)) * kBinHz;
      int best = -1;
      for (int i = 0; i < n_; ++i) {
        if (taken[i] || std::fabs(parts_[i].hz - hz) >= kFollowHz) continue;
        if (best < 0 || std::fabs(parts_[i].hz - hz) < std::fabs(parts_[best].hz - hz)) best = i;
      }
      Partial q;
      q.hz = hz;
      q.power = power[k - 2] + power[k - 1] + p + power[k + 1] + power[k + 2];
      if (best >= 0) taken[best] = true;
      const Partial* prev = best >= 0 ? &parts_[best] : nullptr;
      if (prev && std::fabs(hz - prev->sum_hz / prev->age) <= std::max(kSteadyHz, kSteadyShare * hz)) {
        q.sum_hz = prev->sum_hz + hz;
        q.age = prev->age + 1;
        q.since_ms = prev->since_ms;
      } else {  // new, or gliding away from where it held: it starts again here
        q.sum_hz = hz;
        q.age = 1;
        q.since_ms = now_ms > kWindowLagMs ? now_ms - kWindowLagMs : 0;
      }
      if (q.age >= kSteadyFrames && steady_ < kMax) {
        steady_hz[steady_++] = q.sum_hz / q.age;
        steady_power += q.power;
      }
      next[m++] = q;
    }
    musical_ = steady_ >= kMinPartials && total > 0 && steady_power >= kMinShare * total &&
               !one_voice(steady_hz, steady_);
  }
  for (int i = 0; i < n_ && m < kMax; ++i) {
    if (taken[i] || parts_[i].misses >= kMaxMisses) continue;
    next[m] = parts_[i];
    ++next[m++].misses;
  }
  std::copy(next, next + m, parts_);
  n_ = m;
}

}  // namespace hark::amd
