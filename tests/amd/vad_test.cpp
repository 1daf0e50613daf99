#include "amd/vad.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "amd/asterisk_amd.h"
#include "test_audio.h"

using namespace hark;

namespace {
int voiced_frames(amd::Vad& vad, const std::vector<int16_t>& s, size_t from_ms, size_t to_ms) {
  int n = 0;
  for (size_t off = 0; off + 160 <= s.size(); off += 160) {
    const bool v = vad.rx({s.data() + off, 160});
    const size_t t = off / 8;
    if (t >= from_ms && t < to_ms && v) ++n;
  }
  return n;
}

// Line noise at -54 dBFS for `ms`, with a packet loss concealment fading out over the three
// frames from `fade_at_ms` (-4, -11, -26 dB), as spandsp's PLC does.
std::vector<int16_t> noise_with_fade(int ms, size_t fade_at_ms, std::vector<double> fade = {0.63, 0.28, 0.05}) {
  std::vector<int16_t> s;
  test::add_silence(s, ms);
  test::add_noise(s, -54);
  const size_t at = fade_at_ms * 8;
  for (size_t f = 0; f < fade.size(); ++f)
    for (size_t i = 0; i < 160; ++i) s[at + f * 160 + i] = int16_t(std::lround(s[at + f * 160 + i] * fade[f]));
  return s;
}
}  // namespace

TEST(FramePower, FullScaleSineIsMinusThreeDb) {
  std::vector<int16_t> s;
  test::add_tone(s, {1000}, 20, -3.0);
  EXPECT_NEAR(amd::frame_power_db(s), -3.0, 0.2);
  std::vector<int16_t> zero(160, 0);
  EXPECT_EQ(amd::frame_power_db(zero), -120.0f);
}

TEST(Vad, SteadyLineNoiseIsNotVoice) {
  // -35 dBFS noise: mean |sample| about 480, far above Asterisk's fixed threshold of 256.
  std::vector<int16_t> s;
  test::add_silence(s, 3000);
  test::add_noise(s, -35);
  amd::Vad vad;
  EXPECT_EQ(voiced_frames(vad, s, 200, 3000), 0);
}

TEST(Vad, FixedThresholdOfAsteriskCallsThatNoiseVoice) {
  // The same noise through app_amd's logic: no silence ever, so no HUMAN is possible.
  std::vector<int16_t> s;
  test::add_silence(s, 6000);
  test::add_noise(s, -35);
  amd::AsteriskAmd a(amd::Params::asterisk_defaults());
  std::optional<amd::Event> e;
  for (size_t off = 0; off + 160 <= s.size() && !e; off += 160) e = a.rx({s.data() + off, 160}, 20, uint32_t(off / 8 + 20));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, amd::Verdict::machine);
}

TEST(Vad, SpeechOverNoiseIsVoiceAndPausesAreNot) {
  std::vector<int16_t> s;
  test::add_silence(s, 1000);
  test::add_babble(s, 1000, -20);
  test::add_silence(s, 1000);
  test::add_noise(s, -38);  // 18 dB SNR
  amd::Vad vad;
  std::vector<bool> v;
  for (size_t off = 0; off + 160 <= s.size(); off += 160) v.push_back(vad.rx({s.data() + off, 160}));
  int in_speech = 0, after = 0;
  for (int f = 50; f < 100; ++f) in_speech += v[f];
  for (int f = 105; f < 150; ++f) after += v[f];
  EXPECT_GE(in_speech, 30);  // most syllable frames
  EXPECT_EQ(after, 0);
}

TEST(Vad, LostFramesDoNotDragTheFloorDown) {
  std::vector<int16_t> s;
  test::add_silence(s, 2000);
  test::add_noise(s, -40);
  // Zero every 10th frame, as a jitter buffer fills lost packets.
  for (size_t f = 0; f * 160 < s.size(); f += 10) std::fill(s.begin() + f * 160, s.begin() + std::min(s.size(), f * 160 + 160), 0);
  amd::Vad vad;
  EXPECT_EQ(voiced_frames(vad, s, 200, 2000), 0);
}

TEST(Vad, FollowsARiseInLineNoise) {
  std::vector<int16_t> quiet, loud;
  test::add_silence(quiet, 1000);
  test::add_noise(quiet, -50);
  test::add_silence(loud, 4000);
  test::add_noise(loud, -35, 9);
  quiet.insert(quiet.end(), loud.begin(), loud.end());
  amd::Vad vad;
  // After at most two seconds the louder noise is the new floor.
  EXPECT_EQ(voiced_frames(vad, quiet, 3000, 5000), 0);
}

TEST(Vad, APacketLossConcealmentFadingOutIsNotTheLineGettingQuieter) {
  // Line noise at -54 dBFS; a burst of lost packets whose concealment fades out over three
  // frames (-4, -11, -26 dB) before the zeros, as spandsp's PLC does; then the same noise.
  auto s = noise_with_fade(3000, 1500);
  const size_t at = 1500 * 8;
  std::fill(s.begin() + long(at + 3 * 160), s.begin() + long(at + 6 * 160), int16_t(0));
  amd::Vad vad;
  EXPECT_EQ(voiced_frames(vad, s, 200, 3000), 0);
}

TEST(Vad, AConcealmentThatFadesAndRecoversIsNotTheLineGettingQuieter) {
  // The same fade, but the next packet came in time: no zeros, the noise just returns. The
  // floor had followed the fade 9 dB down and read the noise as voice for half a second (dead
  // air called a person). A fade in speech's gaps wobbles instead, and a real pause lasts.
  const auto s = noise_with_fade(4000, 2500);
  amd::Vad vad;
  EXPECT_EQ(voiced_frames(vad, s, 200, 4000), 0);
}

TEST(Vad, AConcealmentThatFadesInTheFirstTwoSecondsIsNotTheLineGettingQuieter) {
  // The same fade at 900 ms, before the 2 s window is full (no word heard yet): the floor was
  // left 9 dB down there and the noise read as voice (dead air called a person).
  const auto s = noise_with_fade(3000, 900);
  amd::Vad vad;
  EXPECT_EQ(voiced_frames(vad, s, 200, 3000), 0);
}

TEST(Vad, AFadeThatBeginsWithinTheNoisesFlickerIsStillAConcealment) {
  // The fade's first two frames (-1.5, -2.5 dB) are within the noise's own flicker of each
  // other; then -9 and -21 dB. Judging the fade from its first frame called it no fade, the
  // floor stayed 9 dB down and the noise read as voice (dead air called a person, test split).
  const auto s = noise_with_fade(4000, 2500, {0.84, 0.75, 0.36, 0.09});
  amd::Vad vad;
  EXPECT_EQ(voiced_frames(vad, s, 200, 4000), 0);
}
