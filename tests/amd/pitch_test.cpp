// The frame pitch readers of the call features (amd/frame_pitch.h): frame_pitch_hz on one
// 20 ms frame, low_pitch_hz over a frame and the one before it.
#include "amd/frame_pitch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

using namespace hark;

namespace {
constexpr int kFrame = 160;  // 20 ms at 8 kHz
constexpr double kPi = std::numbers::pi;

// A deterministic noise (a linear congruential generator, the same on every standard
// library), roughly Gaussian (four uniforms summed), of RMS `rms`.
struct Noise {
  uint32_t state = 12345;
  double next(double rms) {
    double u = 0;
    for (int k = 0; k < 4; ++k) {
      state = state * 1664525u + 1013904223u;
      u += double(state >> 8) / double(1u << 24) - 0.5;
    }
    return u * rms * std::sqrt(3.0);
  }
};

// A voiced sound at `f0` Hz: its first ten harmonics falling 6 dB an octave (a glottal
// source's slope), about -16 dBFS, with noise of RMS `noise_rms`; `frames` frames of it.
std::vector<int16_t> voiced(double f0, int frames = 2, double noise_rms = 0) {
  std::vector<int16_t> s(size_t(frames * kFrame));
  Noise n;
  for (size_t i = 0; i < s.size(); ++i) {
    double v = 0;
    for (int k = 1; k <= 10; ++k)
      v += std::sin(2 * kPi * f0 * k * double(i) / 8000.0 + 0.3 * k) / k;
    s[i] = int16_t(3000 * v + n.next(noise_rms));
  }
  return s;
}
std::span<const int16_t> frame_at(const std::vector<int16_t>& s, int k) {
  return {s.data() + size_t(k * kFrame), size_t(kFrame)};
}
}  // namespace

TEST(FramePitch, OneFrameReadsAVoiceFrom80To400Hz) {
  for (double f0 : {100.0, 150.0, 220.0, 330.0}) {
    const auto s = voiced(f0);
    EXPECT_NEAR(amd::frame_pitch_hz(frame_at(s, 1)), f0, 0.03 * f0) << f0;
  }
}

TEST(FramePitch, TwoFramesReadAVoiceFrom66To190Hz) {
  for (double f0 : {68.0, 75.0, 85.0, 95.0, 120.0, 180.0}) {
    const auto s = voiced(f0);
    EXPECT_NEAR(amd::low_pitch_hz(frame_at(s, 1), frame_at(s, 0)), f0, 0.03 * f0) << f0;
  }
  // Under 80 Hz one frame reads no voice: nothing, or the end of its range.
  for (double f0 : {68.0, 75.0}) {
    const float alone = amd::frame_pitch_hz(frame_at(voiced(f0), 1));
    EXPECT_TRUE(alone == 0.0f || alone == 80.0f) << f0 << ": " << alone;
  }
}

TEST(FramePitch, TwoFramesReadALowVoiceInNoiseWhereOneFrameOftenCannot) {
  // 82 Hz about 2 dB over noise, 60 frames: the periods read within 5 % (one frame alone:
  // 42 of 59 when written; over two, 59).
  constexpr int kFrames = 60;
  const auto s = voiced(82.0, kFrames, 2200.0);
  int alone = 0, over_two = 0;
  for (int k = 1; k < kFrames; ++k) {
    const float one = amd::frame_pitch_hz(frame_at(s, k));
    const float two = amd::low_pitch_hz(frame_at(s, k), frame_at(s, k - 1));
    alone += std::fabs(one - 82.0f) <= 0.05f * 82.0f;
    over_two += std::fabs(two - 82.0f) <= 0.05f * 82.0f;
  }
  EXPECT_GE(over_two, kFrames * 9 / 10) << "one frame alone: " << alone;
  EXPECT_GE(over_two, alone + kFrames / 5) << "one frame alone: " << alone;
}

TEST(FramePitch, TwoFramesReadNoPitchInNoiseAMainsHumOrWithoutTheFrameBefore) {
  Noise n;
  std::vector<int16_t> noise(2 * kFrame);
  for (auto& v : noise) v = int16_t(n.next(3000));
  EXPECT_EQ(amd::low_pitch_hz(frame_at(noise, 1), frame_at(noise, 0)), 0.0f);
  // A 50 Hz hum's period lies beyond the longest lag (62, 64.5 Hz), and a 60 Hz one peaks at
  // that end: neither is a pitch.
  std::vector<int16_t> hum50(2 * kFrame), hum60(2 * kFrame);
  for (int i = 0; i < 2 * kFrame; ++i) {
    hum50[size_t(i)] = int16_t(4000 * std::sin(2 * kPi * 50 * i / 8000.0));
    hum60[size_t(i)] = int16_t(4000 * std::sin(2 * kPi * 60 * i / 8000.0));
  }
  EXPECT_EQ(amd::low_pitch_hz(frame_at(hum50, 1), frame_at(hum50, 0)), 0.0f);
  EXPECT_EQ(amd::low_pitch_hz(frame_at(hum60, 1), frame_at(hum60, 0)), 0.0f);
  // Without the frame before, or on digital silence, nothing.
  const auto s = voiced(85.0);
  EXPECT_EQ(amd::low_pitch_hz(frame_at(s, 1), {}), 0.0f);
  const std::vector<int16_t> zero(2 * kFrame, 0);
  EXPECT_EQ(amd::low_pitch_hz(frame_at(zero, 1), frame_at(zero, 0)), 0.0f);
}

namespace {
// The readers as first written, one lag at a time (each lag's sum a chain of additions):
// frame_pitch_hz and low_pitch_hz now sum every lag at once, in the same order, and must
// read what these read.
float frame_pitch_one_lag_at_a_time(std::span<const int16_t> frame) {
  constexpr int kN = 80, kMinLag = 10, kMaxLag = 50;
  float y[kN], sum = 0;
  for (int j = 0; j < kN; ++j) sum += y[j] = float(frame[2 * j]) + float(frame[2 * j + 1]);
  const float mean = sum / kN;
  float e0 = 0;
  for (int j = 0; j < kN; ++j) {
    y[j] -= mean;
    e0 += y[j] * y[j];
  }
  if (e0 <= 0) return 0;
  float best = 0;
  int best_lag = 0;
  for (int lag = kMinLag; lag <= kMaxLag; ++lag) {
    float r = 0;
    for (int j = 0; j + lag < kN; ++j) r += y[j] * y[j + lag];
    r = r / e0 * float(kN) / float(kN - lag);
    if (r > best) {
      best = r;
      best_lag = lag;
    }
  }
  return best >= 0.5f ? 4000.0f / float(best_lag) : 0.0f;
}

float low_pitch_one_lag_at_a_time(std::span<const int16_t> frame, std::span<const int16_t> previous) {
  constexpr int kN = 80, kMinLag = 20, kMaxLag = 62;
  float z[2 * kN], e[2 * kN + 1], sum = 0;
  for (int j = 0; j < kN; ++j) sum += z[j] = float(previous[2 * j]) + float(previous[2 * j + 1]);
  float sum2 = 0;
  for (int j = 0; j < kN; ++j) sum2 += z[kN + j] = float(frame[2 * j]) + float(frame[2 * j + 1]);
  const float mean = (sum + sum2) / (2 * kN);
  e[0] = 0;
  for (int j = 0; j < 2 * kN; ++j) {
    z[j] -= mean;
    e[j + 1] = e[j] + z[j] * z[j];
  }
  const float ey = e[2 * kN] - e[kN];
  if (ey <= 0) return 0;
  float r_at[kMaxLag + 1] = {};
  float best = 0;
  for (int lag = kMinLag; lag <= kMaxLag; ++lag) {
    float r = 0;
    for (int j = kN; j < 2 * kN; ++j) r += z[j] * z[j - lag];
    const float el = e[2 * kN - lag] - e[kN - lag];
    r_at[lag] = el > 0 ? r / std::sqrt(ey * el) : 0.0f;
    best = std::max(best, r_at[lag]);
  }
  if (best < 0.5f) return 0;
  if (r_at[kMinLag] >= 0.9f * best && r_at[kMinLag] >= r_at[kMinLag + 1]) return 0;
  for (int lag = kMinLag + 1; lag < kMaxLag; ++lag)
    if (r_at[lag] >= 0.9f * best && r_at[lag] >= r_at[lag - 1] && r_at[lag] >= r_at[lag + 1])
      return 4000.0f / float(lag);
  return 0;
}
}  // namespace

TEST(FramePitch, EveryLagAtOnceReadsWhatOneLagAtATimeRead) {
  // Voices from 66 to 400 Hz in noise from none to louder than the voice, and noise alone:
  // many frames at the edge of a period (a correlation near 0.5, two lags near level).
  int periods = 0;
  for (double f0 = 66.0; f0 <= 400.0; f0 *= 1.07) {
    for (double noise : {0.0, 800.0, 2500.0, 6000.0}) {
      const auto s = voiced(f0, 8, noise);
      for (int k = 1; k < 8; ++k) {
        const float one = amd::frame_pitch_hz(frame_at(s, k));
        const float two = amd::low_pitch_hz(frame_at(s, k), frame_at(s, k - 1));
        ASSERT_EQ(one, frame_pitch_one_lag_at_a_time(frame_at(s, k))) << f0 << " Hz, noise " << noise;
        ASSERT_EQ(two, low_pitch_one_lag_at_a_time(frame_at(s, k), frame_at(s, k - 1)))
            << f0 << " Hz, noise " << noise;
        periods += (one > 0) + (two > 0);
      }
    }
  }
  EXPECT_GT(periods, 500);  // the comparison covered readings, not only "no period"
}
