// Music before a greeting is no word: the music detector finds it by its steady partials, and
// the front end keeps it out of the call features (amd/music_detector.h).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "amd/classifier.h"
#include "amd/music_detector.h"
#include "amd/voice_front_end.h"
#include "test_audio.h"

using namespace hark;

namespace {
// Hold music as the corpus and many jingles have it: a triad of notes with three harmonics
// each, a new chord every `bar_ms`, over a 60 Hz kick on every beat.
void add_music(std::vector<int16_t>& v, int ms, double dbfs, int bar_ms = 1800) {
  const double roots[] = {196.0, 130.8, 220.0, 164.8};
  const double a = test::amp_for_db(dbfs) / 3.0;
  const size_t n = size_t(ms) * 8;
  for (size_t i = 0; i < n; ++i) {
    const double t = double(i) / 8000.0;
    const double root = roots[(i / (size_t(bar_ms) * 8)) % 4];
    double s = 0;
    for (double st : {0.0, 4.0, 7.0})
      for (int h = 1; h <= 3; ++h) s += std::sin(2 * M_PI * root * std::pow(2.0, st / 12) * h * t) / (h * 2.0);
    const double beat = std::fmod(t * 4000.0 / bar_ms, 1.0);
    s += 1.5 * std::exp(-beat * 30) * std::sin(2 * M_PI * 60 * t);
    v.push_back(int16_t(std::lround(std::clamp(a * s, -32768.0, 32767.0))));
  }
}

struct Count {
  int musical = 0, in_music = 0, frames = 0;
};

// The frames of `s` the detector found musical, through the front end's tone tracker.
Count musical_frames(const std::vector<int16_t>& s) {
  amd::VoiceFrontEnd fe(6.0f);
  int16_t filtered[160];
  uint32_t now = 0;
  Count c;
  for (size_t off = 0; off + 160 <= s.size(); off += 160) {
    fe.rx({s.data() + off, 160}, now += 20, filtered);
    c.musical += fe.music().musical();
    c.in_music += fe.music().in_music();
    ++c.frames;
  }
  return c;
}
}  // namespace

TEST(Music, ChordsAreMusicalWithinAFewHundredMs) {
  std::vector<int16_t> s;
  test::add_silence(s, 200);
  add_music(s, 4000, -22);
  test::add_noise(s, -60);
  const Count c = musical_frames(s);
  // 200 frames of music: musical from ~10 frames in (until the VAD's floor absorbs the music
  // after 2 s and most frames are too quiet to transform), and the stretch holds on through
  // the absorbed frames. A major triad's partials are close to one harmonic series of half
  // its root (G-B-D: 98 Hz x 2, 3, 4, 6), so some chords pass for one voice (a test-measured
  // limit: 57 musical frames, 151 in music).
  EXPECT_GT(c.musical, 40);
  EXPECT_GT(c.in_music, 120);
}

TEST(Music, VoicesBeepsAndNoiseAreNot) {
  std::vector<int16_t> voice, beep, dual, noise, hum_voice;
  test::add_babble(voice, 3000, -20);
  test::add_tone(beep, {1000}, 1500, -20);
  test::add_tone(dual, {700, 1400}, 1500, -20);
  test::add_silence(noise, 2000);
  test::add_noise(noise, -30);
  // A voice over mains hum's harmonics (steady partials, but a small share of the energy).
  test::add_babble(hum_voice, 2000, -20);
  std::vector<int16_t> hum;
  test::add_tone(hum, {300, 360, 420, 480}, 2000, -42);
  for (size_t i = 0; i < hum_voice.size(); ++i) hum_voice[i] = int16_t(hum_voice[i] + hum[i]);
  for (const auto* s : {&voice, &beep, &dual, &noise, &hum_voice}) {
    const Count c = musical_frames(*s);
    EXPECT_EQ(c.musical, 0);
    EXPECT_EQ(c.in_music, 0);
  }
}

TEST(Music, IsNoWordBeforeTheGreeting) {
  // 2.5 s of music, 300 ms of silence, then the greeting: its first word is the greeting's,
  // not the music's onset (which the features took for a word, and the greeting after it
  // for a person's second "hello" after a long pause).
  std::vector<int16_t> s;
  test::add_silence(s, 200);
  add_music(s, 2500, -24);
  test::add_silence(s, 300);
  test::add_babble(s, 900, -20);
  test::add_silence(s, 500);
  test::add_noise(s, -60);
  amd::VoiceFrontEnd fe(6.0f);
  int16_t filtered[160];
  uint32_t now = 0;
  for (size_t off = 0; off + 160 <= s.size(); off += 160) fe.rx({s.data() + off, 160}, now += 20, filtered);
  const auto& f = fe.features();
  ASSERT_TRUE(f.started());
  EXPECT_NEAR(int(f.onset_ms()), 3000, 60);
  EXPECT_NEAR(f.span_ms(), 900, 100);
  EXPECT_GT(f.music_ms(), 1000);
}

TEST(Music, MusicAloneIsNeitherDeadAirNorAPerson) {
  // Music past the initial-silence limit, then nothing: no `silence` at 2.5 s, and after it
  // a machine (people do not answer with music).
  std::vector<int16_t> s;
  test::add_silence(s, 200);
  add_music(s, 3500, -24);
  test::add_silence(s, 8000);
  test::add_noise(s, -60);
  amd::Classifier c(amd::Params::hark_defaults());
  amd::Event ev[amd::Classifier::kMaxEvents];
  std::vector<amd::Event> events;
  for (size_t off = 0; off + 160 <= s.size() && !c.has_verdict(); off += 160)
    events.insert(events.end(), ev, ev + c.rx({s.data() + off, 160}, ev));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].verdict, amd::Verdict::machine);
  EXPECT_STREQ(std::string(events[0].cause).substr(0, 6).c_str(), "music-");
}
