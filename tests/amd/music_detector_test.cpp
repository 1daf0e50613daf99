// The music detector on synthetic music and speech-like sound, alone and in the classifier.
#include "amd/music_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "amd/replay.h"
#include "amd/tone_tracker.h"
#include "amd/vad.h"
#include "test_audio.h"

using namespace hark;

namespace {
// Music: chords of three notes with two harmonics each, 400 ms a chord, each note's level
// decaying from its attack (a plucked or struck instrument), at about `dbfs`.
void add_music(std::vector<int16_t>& v, int ms, double dbfs) {
  const double roots[] = {261.6, 220.0, 174.6, 196.0};
  const double amp = test::amp_for_db(dbfs) / 4.0;
  const size_t n = size_t(ms) * 8, chord = 400 * 8;
  for (size_t i = 0; i < n; ++i) {
    const double root = roots[(i / chord) % 4];
    const double t = double(i % chord) / 8000.0, env = std::exp(-2.0 * t);
    double x = 0;
    for (double st : {0.0, 4.0, 7.0})
      for (int h = 1; h <= 2; ++h) x += std::sin(2 * M_PI * root * std::pow(2.0, st / 12) * h * t) / h;
    v.push_back(int16_t(std::lround(amp * env * x)));
  }
}

// Speech-like sound: syllables of 150-250 ms whose pitch glides by up to a fifth, as a
// voice's intonation does, with 40-80 ms dips between them. (test::add_babble holds its pitch
// nearly still for seconds: a chord to this detector, and no voice.)
void add_syllables(std::vector<int16_t>& v, int ms, double dbfs, unsigned seed = 5) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const size_t n = size_t(ms) * 8;
  const double a = test::amp_for_db(dbfs) * 0.6;
  double phase = 0, f_from = 150, f_to = 150;
  size_t syl_start = 0, syl_end = 0, dip_end = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i >= dip_end) {
      syl_start = i;
      syl_end = i + 8 * (150 + g() % 100);
      dip_end = syl_end + 8 * (40 + g() % 40);
      f_from = 100 + 120 * u(g);
      f_to = f_from * (0.8 + 0.4 * u(g));
    }
    const double x = double(i - syl_start) / double(syl_end - syl_start);
    phase += 2 * M_PI * (f_from + (f_to - f_from) * std::min(1.0, x)) / 8000.0;
    double s = 0;
    for (int h = 1; h <= 12; ++h) s += std::sin(h * phase) / h;
    v.push_back(int16_t(std::lround(a * s * (i < syl_end ? 1.0 : 0.05))));
  }
}

// Feeds `s` through the VAD and the tone tracker into a music detector, as the classifier
// does, calling `heard(vad_voice, detector, ms)` after each frame.
template <class Heard>
void for_each_frame(const std::vector<int16_t>& s, Heard heard) {
  amd::Vad vad;
  amd::ToneTracker tones;
  amd::MusicDetector music;
  tones.want_spectrum(true);
  for (size_t off = 0; off + 160 <= s.size(); off += 160) {
    std::span<const int16_t> f(s.data() + off, 160);
    const bool voice = vad.rx(f);
    tones.rx(f, vad.last_db(), vad.floor_db());
    music.rx(tones.band_power());
    heard(voice, music, int(off / 8));
  }
}

// The share of frames from `from_ms` on for which the detector said music was playing.
double playing_share(const std::vector<int16_t>& s, int from_ms) {
  int n = 0, playing = 0;
  for_each_frame(s, [&](bool, const amd::MusicDetector& m, int ms) {
    if (ms < from_ms) return;
    ++n;
    playing += m.playing();
  });
  return n ? double(playing) / n : 0;
}

// A music greeting: a quiet line, then music whose level falls by 12 dB after its first bar.
std::vector<int16_t> music_greeting() {
  std::vector<int16_t> s;
  test::add_silence(s, 400);
  add_music(s, 800, -20);
  add_music(s, 5600, -32);
  test::add_noise(s, -62);
  return s;
}
}  // namespace

TEST(MusicDetector, ChordsAreMusic) {
  std::vector<int16_t> s;
  add_music(s, 4000, -24);
  test::add_noise(s, -60);
  EXPECT_GT(playing_share(s, 1200), 0.95);
}

TEST(MusicDetector, SyllablesALoneToneAndNoiseAreNot) {
  std::vector<int16_t> speech, tone, noise;
  add_syllables(speech, 4000, -20);
  test::add_noise(speech, -55);
  test::add_tone(tone, {1000}, 4000, -20);  // one peak: a beep or a hum, not a chord
  test::add_noise(tone, -55);
  test::add_silence(noise, 4000);
  test::add_noise(noise, -30);
  EXPECT_EQ(playing_share(speech, 0), 0.0);
  EXPECT_EQ(playing_share(tone, 0), 0.0);
  EXPECT_EQ(playing_share(noise, 0), 0.0);
}

TEST(MusicDetector, AFrameWithoutASpectrumHoldsNoPeak) {
  amd::MusicDetector music;
  for (int i = 0; i < 200; ++i) music.rx({});
  EXPECT_FALSE(music.playing());
  EXPECT_EQ(music.held_frames(), 0);
}

TEST(Classifier, AGreetingsMusicIsNoPauseAndNoPerson) {
  // Music after a quiet line, 12 dB down after its first bar (music_greeting()): the VAD's
  // floor climbs into it and hears a pause, which at the cap was a person waiting. Heard as
  // music, it is the greeting going on: a machine.
  const auto r = amd::replay(music_greeting(), amd::Params::hark_defaults());
  EXPECT_EQ(r.verdict.verdict, amd::Verdict::machine) << r.verdict.cause;
}

namespace {
// Mains buzz: 60 Hz and its odd harmonics up to 1 kHz, at about `dbfs`, over all of `v`.
void add_buzz(std::vector<int16_t>& v, double dbfs) {
  const double a = test::amp_for_db(dbfs) / 3.0;
  for (size_t i = 0; i < v.size(); ++i) {
    double x = 0;
    for (int h = 1; h <= 17; h += 2) x += std::sin(2 * M_PI * 60.0 * h * double(i) / 8000.0) / std::sqrt(double(h));
    v[i] = int16_t(std::clamp(double(v[i]) + a * x, -32768.0, 32767.0));
  }
}

std::vector<int16_t> hello_hello_then_wait() {
  std::vector<int16_t> s;
  test::add_silence(s, 300);
  add_syllables(s, 600, -16, 11);
  test::add_silence(s, 1000);
  add_syllables(s, 600, -16, 12);
  test::add_silence(s, 3500);
  return s;
}
}  // namespace

TEST(MusicDetector, ChordsDominateTheirFramesAVoiceOverABuzzDoesNot) {
  // Over a buzz the detector plays on under a person's words, but the buzz's peaks hold
  // little of their frames' power: those frames are the person's, not music.
  std::vector<int16_t> music;
  add_music(music, 4000, -24);
  test::add_noise(music, -60);
  auto voice = hello_hello_then_wait();
  add_buzz(voice, -42);
  test::add_noise(voice, -60);
  auto dominant_share = [](const std::vector<int16_t>& s) {
    int loud = 0, dominant = 0;
    for_each_frame(s, [&](bool voice, const amd::MusicDetector& m, int) {
      if (!voice || !m.playing()) return;
      ++loud;
      dominant += m.dominant();
    });
    return loud ? double(dominant) / loud : 0.0;
  };
  EXPECT_GT(dominant_share(music), 0.4);
  EXPECT_LT(dominant_share(voice), 0.2);
}

TEST(Classifier, APersonOverMainsBuzzIsAPerson) {
  // The buzz's harmonics hold still: the detector calls it music much of the time. The
  // person's own words are then no music (only frames the VAD called quiet count), the
  // buzz, there before the first word, is in the floor, and the words stand far more than
  // 8 dB over it: no music's swells (GreetingDecision; a buzz 2 dB under a voice is).
  auto s = hello_hello_then_wait();
  add_buzz(s, -42);
  test::add_noise(s, -60);
  const auto r = amd::replay(s, amd::Params::hark_defaults());
  EXPECT_EQ(r.verdict.verdict, amd::Verdict::human) << r.verdict.cause;
}

TEST(Classifier, MusicIsHeardWithBeepDetectionOff) {
  // The music detector takes its spectrum from a tone tracker of its own then: the same
  // verdict as with beeps on.
  amd::Params p = amd::Params::hark_defaults();
  p.detect_beep = false;
  const auto r = amd::replay(music_greeting(), p);
  EXPECT_EQ(r.verdict.verdict, amd::Verdict::machine) << r.verdict.cause;
}
