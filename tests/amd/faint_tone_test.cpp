// FaintToneDetector: beeps under the line's noise, fed the tone tracker's spectrum.
#include "amd/faint_tone.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <vector>

#include "amd/params.h"
#include "amd/replay.h"
#include "amd/tone_tracker.h"
#include "amd/vad.h"
#include "test_audio.h"

namespace hark {
namespace {

// Runs `s` through a tone tracker (for its spectrum) and the detector, 20 ms a frame; frames
// ending in [heard_from_ms, heard_to_ms) are "heard" (the VAD's voice or the tracker's tone),
// frames of digital silence lost packets. Returns the tones found.
std::vector<amd::FaintToneDetector::Tone> faint_tones(const std::vector<int16_t>& s,
                                                      int heard_from_ms = 1 << 30,
                                                      int heard_to_ms = 1 << 30) {
  amd::ToneTracker tracker;
  amd::FaintToneDetector detector;
  std::vector<amd::FaintToneDetector::Tone> found;
  tracker.want_spectrum(true);
  for (size_t at = 0; at + 160 <= s.size(); at += 160) {
    const std::span<const int16_t> frame(s.data() + at, 160);
    const float db = amd::frame_power_db(frame);
    tracker.rx(frame, db, -120.0f);
    const uint32_t now_ms = uint32_t((at + 160) / 8);
    const bool heard = int(now_ms) >= heard_from_ms && int(now_ms) < heard_to_ms;
    if (auto t = detector.rx(tracker.band_power(), now_ms, heard, amd::is_lost_frame(db)))
      found.push_back(*t);
  }
  return found;
}

// `lead_ms` of line, a tone of `hz` at `tone_db` for `tone_ms`, then 1.5 s of line; white
// noise at -40 dBFS over it all (the tone's own level is 3 dB under the noise's).
std::vector<int16_t> tone_in_noise(double hz, int tone_ms, double tone_db = -43,
                                   int lead_ms = 1000) {
  std::vector<int16_t> s;
  test::add_silence(s, lead_ms);
  test::add_tone(s, {hz}, tone_ms, tone_db);
  test::add_silence(s, 1500);
  test::add_noise(s, -40);
  return s;
}

// Adds a steady tone (a mains hum's harmonic) over the whole of `s`.
void add_hum(std::vector<int16_t>& s, double hz, double db) {
  std::vector<int16_t> hum;
  test::add_tone(hum, {hz}, int(s.size() / 8), db);
  for (size_t i = 0; i < s.size() && i < hum.size(); ++i)
    s[i] = int16_t(std::clamp(int(s[i]) + int(hum[i]), -32768, 32767));
}

TEST(FaintTone, ABeepUnderTheLinesNoiseIsFound) {
  // 3 dB under white noise: the tone tracker's frames hold too little of it to be tonal.
  const auto found = faint_tones(tone_in_noise(1000, 800));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NEAR(int(found[0].onset_ms), 1000, 40);
  EXPECT_NEAR(int(found[0].end_ms), 1800, 60);
  EXPECT_NEAR(found[0].hz, 1000.0f, 2.0f);
}

TEST(FaintTone, AToneHeardAsVoiceOrByTheTrackerIsLeftToTheBeepRules) {
  // Heard through most of it (from 1200 ms to its end).
  EXPECT_TRUE(faint_tones(tone_in_noise(1000, 800), 1200, 1820).empty());
}

TEST(FaintTone, FourHundredMillisecondsToFourSeconds) {
  EXPECT_TRUE(faint_tones(tone_in_noise(1000, 300)).empty());
  EXPECT_EQ(faint_tones(tone_in_noise(1000, 460)).size(), 1u);
  EXPECT_EQ(faint_tones(tone_in_noise(1000, 3800)).size(), 1u);
  EXPECT_TRUE(faint_tones(tone_in_noise(1000, 5000)).empty());
}

TEST(FaintTone, AToneThatTalkFollowsIsNone) {
  // Heard from the frame after its end on: a beep is followed by the recording's quiet.
  EXPECT_TRUE(faint_tones(tone_in_noise(1000, 800), 1820, 3000).empty());
}

TEST(FaintTone, LostPacketsAreNoQuietEdge) {
  // 100 ms of digital silence inside a 1.6 s tone cuts it in two, and neither piece has a
  // heard window on both sides: the silence says nothing of where the tone began or ended.
  auto s = tone_in_noise(1000, 1600);
  std::fill_n(s.begin() + 8 * 1800, 8 * 100, int16_t(0));
  EXPECT_TRUE(faint_tones(s).empty());
}

TEST(FaintTone, TheLinesOwnToneIsNone) {
  // A tone there from the line's first frame (a hum's harmonic, a carrier) for 3.8 s, then
  // gone: it ends, but it never rose over the line's own spectrum.
  std::vector<int16_t> s;
  test::add_tone(s, {1000}, 3800, -43);
  test::add_silence(s, 1500);
  test::add_noise(s, -40);
  EXPECT_TRUE(faint_tones(s).empty());
}

TEST(FaintTone, AToneThatSwellsInIsNone) {
  // A note swelling from 30 dB under the noise over 500 ms, held 600 ms, then stopped: it
  // rose over the line's own spectrum, but never stood 10 dB over its bins of 60 ms before.
  std::vector<int16_t> s;
  test::add_silence(s, 1000);
  for (int i = 0; i < 1100 * 8; ++i) {
    const double db = -73.0 + 30.0 * std::min(1.0, i / (500.0 * 8));
    s.push_back(
        int16_t(std::lround(test::amp_for_db(db) * std::sin(2 * M_PI * 1000.0 * i / 8000.0))));
  }
  test::add_silence(s, 1500);
  test::add_noise(s, -40);
  EXPECT_TRUE(faint_tones(s).empty());
}

TEST(FaintTone, TheLinesOwnToneThatDipsIsNone) {
  // The line's tone pumped 27 dB down for 200 ms (an AGC under a click), then on for 2.8 s
  // and gone: it stands 10 dB over the dip before it and the quiet after it, but it never
  // rose over the line's own spectrum, which held it all along (two guards: the peak is the
  // one that rose most, and it must have risen 6 dB; either keeps this tone out).
  std::vector<int16_t> s;
  test::add_tone(s, {1000}, 2000, -43);
  test::add_tone(s, {1000}, 200, -70);
  test::add_tone(s, {1000}, 2800, -43);
  test::add_silence(s, 1500);
  test::add_noise(s, -40);
  EXPECT_TRUE(faint_tones(s).empty());
}

TEST(FaintTone, AHumLouderThanTheBeepDoesNotHideIt) {
  // A 300 Hz hum harmonic 3 dB over the beep: the peak that rose over the line's own
  // spectrum is the beep's.
  auto s = tone_in_noise(1100, 800);
  add_hum(s, 300, -40);
  const auto found = faint_tones(s);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NEAR(found[0].hz, 1100.0f, 2.0f);
}

TEST(FaintTone, AGlidingToneIsNone) {
  // A voice's harmonic glides, even slowly: 1000 -> 1008 Hz over 800 ms.
  std::vector<int16_t> s;
  test::add_silence(s, 1000);
  double phase = 0;
  for (int i = 0; i < 800 * 8; ++i) {
    phase += 2 * M_PI * (1000.0 + 8.0 * i / (800.0 * 8)) / 8000.0;
    s.push_back(int16_t(std::lround(test::amp_for_db(-43) * std::sin(phase))));
  }
  test::add_silence(s, 1500);
  test::add_noise(s, -40);
  EXPECT_TRUE(faint_tones(s).empty());
}

TEST(FaintTone, IsABeepOnlyAfterAGreeting) {
  // The classifier takes a faint tone for a beep after 500 ms of words; on a line that held
  // nothing but it, it is dead air with a tone on it. (With words: Classifier.ABeepUnderThe
  // LinesNoiseIsABeep.)
  const auto r = amd::replay(tone_in_noise(1000, 800), amd::Params::hark_defaults());
  EXPECT_FALSE(r.has_beep) << r.beep.cause;
}

}  // namespace
}  // namespace hark
