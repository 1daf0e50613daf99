// The frame pitch readers of the call features (amd/call_features.h): frame_pitch_hz on one
// 20 ms frame, low_pitch_hz over a frame and the one before it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "amd/call_features.h"

using namespace hark;

namespace {
constexpr int kFrame = 160;  // 20 ms at 8 kHz

// A voiced sound at `f0` Hz: its first ten harmonics falling 6 dB an octave (a glottal
// source's slope), about -16 dBFS; two frames of it.
std::vector<int16_t> voiced(double f0, double phase = 0.3) {
  std::vector<int16_t> s(2 * kFrame);
  for (int i = 0; i < 2 * kFrame; ++i) {
    double v = 0;
    for (int k = 1; k <= 10; ++k) v += std::sin(2 * M_PI * f0 * k * i / 8000.0 + phase * k) / k;
    s[size_t(i)] = int16_t(3000 * v);
  }
  return s;
}
std::span<const int16_t> first(const std::vector<int16_t>& s) { return {s.data(), size_t(kFrame)}; }
std::span<const int16_t> second(const std::vector<int16_t>& s) { return {s.data() + kFrame, size_t(kFrame)}; }
}  // namespace

TEST(FramePitch, OneFrameReadsAVoiceFrom80To400Hz) {
  for (double f0 : {100.0, 150.0, 220.0, 330.0}) {
    const auto s = voiced(f0);
    EXPECT_NEAR(amd::frame_pitch_hz(second(s)), f0, 0.03 * f0) << f0;
  }
}

TEST(FramePitch, TwoFramesReadALowVoiceThatOneCannot) {
  // 68-95 Hz: below frame_pitch_hz's range, or a period that one frame holds barely once.
  for (double f0 : {68.0, 75.0, 85.0, 95.0, 120.0, 180.0}) {
    const auto s = voiced(f0);
    EXPECT_NEAR(amd::low_pitch_hz(second(s), first(s)), f0, 0.03 * f0) << f0;
  }
  const float alone = amd::frame_pitch_hz(second(voiced(68.0)));
  EXPECT_TRUE(alone == 0.0f || std::fabs(alone - 68.0f) > 2.0f) << alone;
}

TEST(FramePitch, TwoFramesReadNoPitchInNoiseAMainsHumOrWithoutTheFrameBefore) {
  std::mt19937 rng(7);
  std::normal_distribution<double> n(0, 3000);
  std::vector<int16_t> noise(2 * kFrame);
  for (auto& v : noise) v = int16_t(n(rng));
  EXPECT_EQ(amd::low_pitch_hz(second(noise), first(noise)), 0.0f);
  // A 50 Hz hum's period lies beyond the longest lag (62, 64.5 Hz): no pitch. A 60 Hz one
  // reads at that end, which a run's pitch must be above.
  std::vector<int16_t> hum50(2 * kFrame), hum60(2 * kFrame);
  for (int i = 0; i < 2 * kFrame; ++i) {
    hum50[size_t(i)] = int16_t(4000 * std::sin(2 * M_PI * 50 * i / 8000.0));
    hum60[size_t(i)] = int16_t(4000 * std::sin(2 * M_PI * 60 * i / 8000.0));
  }
  EXPECT_EQ(amd::low_pitch_hz(second(hum50), first(hum50)), 0.0f);
  EXPECT_LE(amd::low_pitch_hz(second(hum60), first(hum60)), 4000.0f / 62 + 0.01f);
  // Without the frame before, or on digital silence, nothing.
  const auto s = voiced(85.0);
  EXPECT_EQ(amd::low_pitch_hz(second(s), {}), 0.0f);
  const std::vector<int16_t> zero(2 * kFrame, 0);
  EXPECT_EQ(amd::low_pitch_hz(second(zero), first(zero)), 0.0f);
}
