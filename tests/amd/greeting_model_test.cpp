// The learned greeting model: the committed C++ trees give scikit-learn's probabilities, and
// the features it reads are the ones the extractor writes, in the same order.
#include "amd/greeting_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "amd/call_features.h"
#include "amd/dc_blocker.h"
#include "amd/greeting_decision.h"
#include "amd/vad.h"
#include "amd/voice_front_end.h"
#include "test_audio.h"
#include "test_front_end.h"
#include "test_paths.h"

using namespace hark;

TEST(GreetingModel, MatchesScikitLearnOnTheStoredSample) {
  // tests/amd/greeting_model_sample.tsv: dev-split feature vectors and the probability
  // scikit-learn's predict_proba gave each, written by scripts/train_amd_model.py with the
  // header.
  std::ifstream f(hark::test::source_file("tests/amd/greeting_model_sample.tsv"));
  ASSERT_TRUE(f) << "sample missing";
  std::string line;
  std::getline(f, line);
  int rows = 0;
  while (std::getline(f, line)) {
    std::stringstream ss(line);
    std::string cell;
    std::getline(ss, cell, '\t');
    const double want = std::stod(cell);
    std::vector<float> x;
    while (std::getline(ss, cell, '\t')) x.push_back(std::stof(cell));
    ASSERT_EQ(x.size(), size_t(amd::CallFeatures::kCount)) << line;
    EXPECT_NEAR(amd::greeting_model::human_probability(x.data()), want, 1e-9) << line;
    ++rows;
  }
  EXPECT_GE(rows, 100);
}

TEST(GreetingModel, ReadsTheExtractorsFeaturesInOrder) {
  for (int i = 0; i < amd::CallFeatures::kCount; ++i)
    EXPECT_STREQ(amd::greeting_model::kFeatureNames[i], amd::CallFeatures::names()[i]) << i;
}

TEST(DcBlocker, RemovesAnOffsetAndKeepsLostFramesSilent) {
  std::vector<int16_t> s;
  test::add_tone(s, {1000}, 1000, -30);
  for (auto& v : s) v = int16_t(v + 600);
  amd::DcBlocker dc;
  std::vector<int16_t> out(s.size());
  for (size_t off = 0; off < s.size(); off += 160) dc.run({s.data() + off, 160}, out.data() + off);
  double mean = 0;
  for (size_t i = s.size() / 2; i < s.size(); ++i) mean += out[i];
  mean /= double(s.size() / 2);
  EXPECT_NEAR(mean, 0.0, 5.0);
  std::vector<int16_t> zeros(160, 0), z(160, 1);
  dc.run(zeros, z.data());
  for (int16_t v : z) EXPECT_EQ(v, 0);
}

// The filter rounds without libm's lrint (speed); its output must stay the same to the
// sample, ties and full-scale swings included, or live verdicts would drift from replays.
TEST(DcBlocker, RoundsExactlyAsLrintDoes) {
  std::vector<int16_t> s;
  uint32_t r = 12345;
  for (int i = 0; i < 160 * 500; ++i) {
    r = r * 1664525u + 1013904223u;
    // Full-scale square bursts, small values (ties at .5 are common there) and noise.
    const int phase = (i / 1600) % 3;
    s.push_back(phase == 0 ? int16_t((i / 40) % 2 ? 32767 : -32768)
                : phase == 1 ? int16_t(int(r >> 29) - 4)
                             : int16_t(r >> 16));
  }
  amd::DcBlocker dc;
  std::vector<int16_t> out(s.size());
  for (size_t off = 0; off < s.size(); off += 160) dc.run({s.data() + off, 160}, out.data() + off);
  float x1 = 0, y1 = 0;
  int clipped = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const float x = float(s[i]);
    const float y = x - x1 + 0.995f * y1;
    x1 = x;
    y1 = y;
    const long want = std::clamp(std::lrint(y), -32768L, 32767L);
    clipped += want == 32767 || want == -32768;
    ASSERT_EQ(out[i], want) << i;
  }
  EXPECT_GT(clipped, 0);  // the square bursts reach full scale
}

namespace {
using test::features_after;

// The feature `name` of `f` at `now_ms`, as the model reads it.
float feature(const amd::CallFeatures& f, uint32_t now_ms, const char* name) {
  float x[amd::CallFeatures::kCount];
  f.values(now_ms, x);
  const auto& n = amd::CallFeatures::names();
  for (int i = 0; i < amd::CallFeatures::kCount; ++i)
    if (std::string(n[i]) == name) return x[i];
  ADD_FAILURE() << name;
  return 0.0f;
}
}  // namespace

TEST(CallFeatures, TimesPhrasesAndPauses) {
  // 300 ms silence, 800 ms talk, 700 ms pause, 600 ms talk, then silence.
  std::vector<int16_t> s;
  test::add_silence(s, 300);
  test::add_tone(s, {300, 600, 900}, 800, -20);
  test::add_silence(s, 700);
  test::add_tone(s, {300, 600, 900}, 600, -20);
  test::add_silence(s, 1000);
  test::add_noise(s, -60);
  amd::VoiceFrontEnd fe(6.0f);
  uint32_t now = 0;
  const auto& f = features_after(fe, s, now);
  ASSERT_TRUE(f.started());
  EXPECT_NEAR(int(f.onset_ms()), 300, 40);
  EXPECT_NEAR(f.span_ms(), 2100, 60);
  EXPECT_NEAR(f.pause_ms(now), 1000, 60);
  EXPECT_EQ(feature(f, now, "phrases"), 2.0f);
  EXPECT_NEAR(feature(f, now, "first_phrase_ms"), 800, 60);
  EXPECT_NEAR(feature(f, now, "last_phrase_ms"), 600, 60);
  EXPECT_NEAR(feature(f, now, "longest_pause_ms"), 700, 60);
}

TEST(CallFeatures, APauseThatHeldMusicIsRememberedThroughTheWordsAfterIt) {
  // A word, a pause with music playing through its first `music` frames, another word: the
  // greeting decision asks on a word frame too (past the longest greeting, at the timeout),
  // when no pause is under way, and must still know that a pause held music. The pause as a
  // whole: music that stopped as the pause began (the detector says "playing" for up to half
  // a second after) does not make it one; nor does a pause under 200 ms, a gap between words.
  auto run = [](int pause_frames, int music) {
    amd::CallFeatures f;
    const std::vector<int16_t> frame(160, 0);
    uint32_t now = 0;
    auto feed = [&](int n, bool voice, float db, bool m) {
      for (int i = 0; i < n; ++i) f.rx(frame, voice, db, -50.0f, now += 20, m);
    };
    feed(10, true, -30.0f, false);
    feed(std::min(music, pause_frames), false, -50.0f, true);
    feed(pause_frames - std::min(music, pause_frames), false, -50.0f, false);
    const bool in_pause = f.music_pause_heard();
    feed(8, true, -30.0f, false);
    return std::pair{in_pause, f.music_pause_heard()};
  };
  EXPECT_EQ(run(15, 15), std::pair(true, true));
  EXPECT_EQ(run(30, 12), std::pair(false, false));  // "playing" for its first 240 ms only
  EXPECT_EQ(run(6, 6), std::pair(false, false));
  EXPECT_EQ(run(15, 0), std::pair(false, false));
}

TEST(CallFeatures, WordsThatHoldLastingPeaksOnANewSoundAreMusic) {
  // 25 quiet frames (the last `held_before` of them holding a chord's lasting peaks), then 30
  // frames of voice: the first `unknown` of them before the music detector knows, the last
  // `not_held` holding none. A word's first four frames are not yet a word and do not count.
  auto run = [](int held_before, int unknown, int not_held) {
    amd::CallFeatures f;
    const std::vector<int16_t> frame(160, 0);
    uint32_t now = 0;
    for (int i = 0; i < 25; ++i) {
      const auto held = i >= 25 - held_before ? amd::HeldPeaks::held : amd::HeldPeaks::none;
      f.rx(frame, false, -50.0f, -50.0f, now += 20, false, false, held);
    }
    for (int i = 0; i < 30; ++i) {
      const auto held = i < unknown          ? amd::HeldPeaks::unknown
                        : i >= 30 - not_held ? amd::HeldPeaks::none
                                             : amd::HeldPeaks::held;
      f.rx(frame, true, -30.0f, -50.0f, now += 20, false, false, held);
    }
    EXPECT_TRUE(f.started());
    return f.words_held_like_music();
  };
  EXPECT_TRUE(run(0, 0, 0));    // notes from the line's opening
  EXPECT_TRUE(run(0, 0, 3));    // 23 of 26 word frames (88 %)
  EXPECT_FALSE(run(0, 0, 5));   // 21 of 26 (81 %): a voice's harmonics can hold that often
  EXPECT_FALSE(run(13, 0, 0));  // the sound was on the line before: a person may talk over it
  EXPECT_TRUE(run(12, 0, 0));   // ... in under half of the 500 ms before the word
  EXPECT_TRUE(run(0, 20, 0));   // 10 frames known, all held
  EXPECT_FALSE(run(0, 21, 0));  // 9 known: too few to tell
}

TEST(CallFeatures, MusicThatOpenedTheLineIsNoMusicInTheGreetingOnceSomeoneSpeaksOverIt) {
  // A quiet line, then music's bars as a "word" (holding lasting peaks), then 10 frames of
  // music the VAD calls quiet over the word's floor (music in the greeting: music_ms), then a
  // louder talker whose words hold none. While the words were notes, that music counts; once
  // the talker's words make them no longer notes, it was the music that opened the line.
  amd::CallFeatures f;
  const std::vector<int16_t> frame(160, 0);
  uint32_t now = 0;
  auto feed = [&](int n, bool voice, float db, bool music, amd::HeldPeaks held) {
    for (int i = 0; i < n; ++i) f.rx(frame, voice, db, -50.0f, now += 20, music, false, held);
  };
  feed(25, false, -50.0f, false, amd::HeldPeaks::none);
  feed(15, true, -30.0f, false, amd::HeldPeaks::held);
  feed(10, false, -40.0f, true, amd::HeldPeaks::held);
  feed(1, false, -50.0f, false, amd::HeldPeaks::held);
  EXPECT_TRUE(f.words_held_like_music());
  EXPECT_EQ(f.music_ms(), 200);
  feed(40, true, -20.0f, false, amd::HeldPeaks::none);
  EXPECT_FALSE(f.words_held_like_music());
  EXPECT_EQ(f.music_ms(), 0);
}

TEST(CallFeatures, AnEightyMsSyllableNearTheTalkersLevelIsAWord) {
  // A word of 240 ms at -30 dB sets the talker's level; after 120 ms of quiet, 80 ms of voice
  // at `db`: a word when it comes within 6 dB of that level (a fast voice's syllable), not
  // when it stays 10 dB under it (a TV behind a person). Nor is 80 ms a word before the
  // talker's level is known.
  auto run = [](bool first_word, float db) {
    amd::CallFeatures f;
    const std::vector<int16_t> frame(160, 0);
    uint32_t now = 0;
    auto feed = [&](int n, bool voice, float level) {
      for (int i = 0; i < n; ++i) f.rx(frame, voice, level, -50.0f, now += 20);
    };
    if (first_word) feed(12, true, -30.0f);
    feed(6, false, -50.0f);
    feed(4, true, db);
    const uint32_t syllable_end = now;
    feed(10, false, -50.0f);
    const bool word = f.started() && f.last_voice_ms() == syllable_end;
    return std::pair{word, f.started() ? feature(f, now, "bursts") : 0.0f};
  };
  EXPECT_EQ(run(true, -33.0f), std::pair(true, 2.0f));
  EXPECT_EQ(run(true, -40.0f), std::pair(false, 1.0f));
  EXPECT_EQ(run(false, -33.0f), std::pair(false, 0.0f));
}

TEST(CallFeatures, LostPacketsInsideAWordDoNotEndIt) {
  // 60 ms of voice, 80 ms of lost packets (digital silence), 60 ms of voice: one word of
  // 120 ms heard, not two bursts too short to be words.
  std::vector<int16_t> s;
  test::add_silence(s, 600);
  test::add_tone(s, {300, 600, 900}, 60, -20);
  test::add_silence(s, 80);
  test::add_tone(s, {300, 600, 900}, 60, -20);
  test::add_silence(s, 600);
  test::add_noise(s, -60);
  std::fill(s.begin() + 660 * 8, s.begin() + 740 * 8, int16_t(0));
  amd::VoiceFrontEnd fe(6.0f);
  uint32_t now = 0;
  const auto& f = features_after(fe, s, now);
  ASSERT_TRUE(f.started());
  EXPECT_NEAR(int(f.onset_ms()), 600, 40);
  EXPECT_NEAR(int(f.last_voice_ms()), 800, 40);
}

TEST(CallFeatures, TheTalkersLevelIsTheLoudestStretchOfAWord) {
  // A word 15 dB over the sound it starts out of and runs on into without a gap (babble
  // before and after a "hello"): its loud 200 ms set the talker's level, and the quieter 2 s
  // after it are no talk but a pause. The level as a word's mean, kept at its highest, was
  // set by the quiet lead-in before the loud part came (and then dragged down by the quiet
  // part after it): the quiet 2 s were talk, span 2360 ms, pause 140.
  std::vector<int16_t> s;
  test::add_silence(s, 300);
  test::add_tone(s, {300, 600, 900}, 300, -30);
  test::add_tone(s, {300, 600, 900}, 200, -15);
  test::add_tone(s, {300, 600, 900}, 2000, -30);
  test::add_noise(s, -60);
  amd::VoiceFrontEnd fe(6.0f);
  uint32_t now = 0;
  const auto& f = features_after(fe, s, now);
  ASSERT_TRUE(f.started());
  EXPECT_NEAR(f.span_ms(), 500, 60);
  EXPECT_NEAR(f.pause_ms(now), 2000, 80);
}

TEST(CallFeatures, DigitalSilenceAfterAWordIsAPause) {
  // Two 400 ms words with 800 ms of digital silence between them (a far end that sends exact
  // zeros): a pause, as the line's noise would be. Only a loss burst's first 100 ms are a
  // gap in the audio; kept as one, the burst stayed under way and the two words were one.
  std::vector<int16_t> s, quiet;
  test::add_silence(s, 800);
  test::add_tone(s, {200, 400, 600}, 400, -25);
  test::add_silence(s, 820);
  test::add_tone(s, {220, 440, 660}, 400, -25);
  test::add_silence(s, 1000);
  test::add_noise(s, -70);
  std::fill(s.begin() + 1220 * 8, s.begin() + 2020 * 8, int16_t(0));
  amd::VoiceFrontEnd fe(6.0f);
  uint32_t now = 0;
  const auto& f = features_after(fe, s, now);
  EXPECT_EQ(feature(f, now, "phrases"), 2.0f);
  EXPECT_NEAR(feature(f, now, "longest_pause_ms"), 820, 60);
}

TEST(CallFeatures, LostPacketsMakeNoWordOfAFewHeardFrames) {
  // Dead air with two 20 ms clicks 40 ms of lost packets apart: three heard frames (with the
  // DC blocker's tail) and two lost ones are no word. Counted in the run, they made one, and
  // the dead line a person.
  std::vector<int16_t> s, click;
  test::add_silence(s, 6000);
  test::add_noise(s, -65);
  test::add_silence(click, 20);
  test::add_noise(click, -25, 4);
  std::copy(click.begin(), click.end(), s.begin() + 1000 * 8);
  std::fill(s.begin() + 1020 * 8, s.begin() + 1060 * 8, int16_t(0));
  std::copy(click.begin(), click.end(), s.begin() + 1060 * 8);
  amd::VoiceFrontEnd fe(6.0f);
  uint32_t now = 0;
  EXPECT_FALSE(features_after(fe, s, now).started());
}

namespace {
// What the pause after the faint "word" holds: music's notes (a 200 Hz tone's frames), the
// noise an AGC lifts (white noise), or a hum already on the line before the word (the same
// tone, from the first frame).
enum class Pause { notes, noise, hum };

// Levels fed straight to CallFeatures (floor -50 dB): a faint "word" of 120 ms at
// `faint_db`, `pause_frames` of no voice at `pause_db` holding `held`, then 200 ms of voice
// at `clear_db` (none when 0). `decision`, when given, is asked at every frame; its verdict
// lands in `got`.
struct FaintThenClear {
  amd::CallFeatures f;
  uint32_t now = 0, clear_onset = 0;
  bool sounding_before_clear = false;
  std::optional<amd::Event> got;
  FaintThenClear(float faint_db, float pause_db, int pause_frames, float clear_db, Pause held = Pause::notes,
                 amd::GreetingDecision* decision = nullptr) {
    const std::vector<int16_t> flat(160, 0);
    std::vector<int16_t> note, noise;
    test::add_tone(note, {200}, 20, -30);
    test::add_silence(noise, 20);
    test::add_noise(noise, -30);
    auto feed = [&](int n, bool voice, float db, const std::vector<int16_t>& frame) {
      for (int i = 0; i < n; ++i) {
        f.rx(frame, voice, db, -50.0f, now += 20);
        if (decision && !got) got = decision->rx(f, now, false);
      }
    };
    feed(30, false, -50.0f, held == Pause::hum ? note : flat);
    feed(6, true, faint_db, flat);
    feed(pause_frames, false, pause_db, held == Pause::noise ? noise : note);
    sounding_before_clear = f.faint_words_in_sound();
    clear_onset = now;
    if (clear_db != 0.0f) feed(10, true, clear_db, flat);
    feed(5, false, -50.0f, flat);
  }
};
}  // namespace

TEST(CallFeatures, AClearWordAfterFaintOnesAndASoundingPauseBeginsTheGreeting) {
  // A music greeting's first bar, 6 dB over the floor, read as a word; the music went on
  // 3 dB over that floor (the VAD's floor climbed into it) and read as a pause; then the
  // greeting's first word, 20 dB over the floor. The greeting begins at that word: one word,
  // its onset the greeting's.
  const FaintThenClear music(-44.0f, -47.0f, 60, -30.0f);
  EXPECT_TRUE(music.sounding_before_clear);
  EXPECT_EQ(music.f.onset_ms(), music.clear_onset);
  EXPECT_EQ(music.f.first_word_ms(), 600u);  // the swell's onset stays known
  EXPECT_EQ(feature(music.f, music.now, "bursts"), 1.0f);
  EXPECT_EQ(feature(music.f, music.now, "phrases"), 1.0f);
  EXPECT_EQ(feature(music.f, music.now, "longest_pause_ms"), 0.0f);
  EXPECT_NEAR(music.f.span_ms(), 200, 20);
  EXPECT_GE(music.f.loudest_word_over_floor_db(), 20.0);
  // Not after a quiet pause (a quiet "hi", then "hello?"), nor after a sounding one with no
  // pitch (an AGC letting go) or only a pitch that was there before (a hum), nor after a word
  // 10 dB over the floor (no faint one), nor for a word under 6 dB louder than the faint one.
  for (const auto& kept :
       {FaintThenClear(-44.0f, -50.0f, 60, -30.0f), FaintThenClear(-44.0f, -47.0f, 60, -30.0f, Pause::noise),
        FaintThenClear(-44.0f, -47.0f, 60, -30.0f, Pause::hum), FaintThenClear(-40.0f, -47.0f, 60, -30.0f),
        FaintThenClear(-44.0f, -47.0f, 60, -40.0f)}) {
    EXPECT_LT(kept.f.onset_ms(), kept.clear_onset);
    EXPECT_EQ(kept.f.first_word_ms(), kept.f.onset_ms());
    EXPECT_EQ(feature(kept.f, kept.now, "bursts"), 2.0f);
  }
  EXPECT_FALSE(FaintThenClear(-44.0f, -50.0f, 60, -30.0f).sounding_before_clear);
  EXPECT_FALSE(FaintThenClear(-44.0f, -47.0f, 60, -30.0f, Pause::noise).sounding_before_clear);
  EXPECT_FALSE(FaintThenClear(-44.0f, -47.0f, 60, -30.0f, Pause::hum).sounding_before_clear);
  EXPECT_FALSE(FaintThenClear(-40.0f, -47.0f, 60, -30.0f).sounding_before_clear);
}

TEST(GreetingDecision, WaitsOutASoundingPauseAfterFaintWordsForALongestMusicIntro) {
  // The faint "word", then 5.2 s of pause: a sounding one with a new pitch (music going on)
  // gets no verdict in the first 5 s (the model's early person verdict came at 1.9 s); a
  // quiet one, one whose sound has no pitch (an AGC letting go after a quiet "hello") or a
  // hum's pitch from before the word, its choice at the cap. Not tied to initial_silence, a
  // campaign setting.
  amd::Params p = amd::Params::hark_defaults();
  p.initial_silence_ms = 2500;
  amd::GreetingDecision music_decision(p), quiet_decision(p), agc_decision(p), hum_decision(p);
  const FaintThenClear music(-44.0f, -47.0f, 260, 0.0f, Pause::notes, &music_decision);
  ASSERT_TRUE(music.got.has_value());
  EXPECT_GE(music.got->at_ms, 5000u) << music.got->cause;
  for (const auto& decided : {FaintThenClear(-44.0f, -50.0f, 260, 0.0f, Pause::notes, &quiet_decision),
                              FaintThenClear(-44.0f, -47.0f, 260, 0.0f, Pause::noise, &agc_decision),
                              FaintThenClear(-44.0f, -47.0f, 260, 0.0f, Pause::hum, &hum_decision)}) {
    ASSERT_TRUE(decided.got.has_value());
    EXPECT_NE(std::string(decided.got->cause).find("-at-cap-"), std::string::npos) << decided.got->cause;
    // The faint word ends at 720 ms.
    EXPECT_LE(decided.got->at_ms, 720u + uint32_t(p.human_latency_cap_ms) + 100u) << decided.got->cause;
  }
}

namespace {
// Dead air: noise at -50 dB for 4 s, but for three frames at 1 s faded by 3, 6 and 7.5 dB (a
// lost packet's concealment dying away, too shallow for the VAD's fade repair), after which
// the noise comes back at its level. With `word_db` (not 0), a 300 ms burst of other noise
// (unpitched, as the dip's "word") at that level right after the dip.
std::vector<int16_t> noise_after_a_dip(double word_db = 0) {
  std::vector<int16_t> s;
  test::add_silence(s, 4000);
  test::add_noise(s, -50, 11);
  for (const auto& [from_ms, gain] : {std::pair{1000, 0.7}, {1020, 0.5}, {1040, 0.42}})
    for (size_t i = size_t(from_ms) * 8; i < size_t(from_ms + 20) * 8; ++i) s[i] = int16_t(s[i] * gain);
  if (word_db != 0) {
    std::vector<int16_t> word;
    test::add_silence(word, 300);
    test::add_noise(word, word_db, 23);
    for (size_t i = 0; i < word.size(); ++i) s[1060 * 8 + i] = int16_t(s[1060 * 8 + i] + word[i]);
  }
  return s;
}
}  // namespace

namespace {
// Before any word: a quiet voice gliding 66 -> 76 Hz (below one frame's pitch range, read
// over two frames only), 4 dB over the floor, which the VAD does not hear; 400 ms of it, every
// `lost_every`-th frame lost (digital silence) when not 0. Whether it made a word.
bool low_glide_makes_a_word(bool music, int lost_every) {
  amd::CallFeatures f;
  double phase = 0;
  std::vector<int16_t> frame(160);
  for (int k = 0; k < 20; ++k) {
    const bool lost = lost_every > 0 && k % lost_every == lost_every - 1;
    for (auto& v : frame) {
      phase += 2 * M_PI * (66.0 + 10.0 * k / 20.0) / 8000.0;
      double x = 0;
      for (int h = 1; h <= 10; ++h) x += std::sin(h * phase) / h;
      v = lost ? 0 : int16_t(1500 * x);
    }
    const float db = amd::frame_power_db(frame);
    f.rx(frame, false, db, db - 4.0f, uint32_t(20 * (k + 1)), music);
  }
  return f.started();
}
}  // namespace

TEST(CallFeatures, ALowVoicesGlideIsAWordUnlessMusicPlaysOrLossesCutIt) {
  EXPECT_TRUE(low_glide_makes_a_word(false, 0));
  // While music plays, only a pitch one frame shows makes a run (a bass line's notes).
  EXPECT_FALSE(low_glide_makes_a_word(true, 0));
  // A lost frame is no frame before: the next one reads nothing over two frames.
  EXPECT_FALSE(low_glide_makes_a_word(false, 3));
}

TEST(CallFeatures, WordsLevelWithThePauseAfterThemWereNoWords) {
  // The dip pulls the VAD's floor down 7.5 dB; the noise coming back reads as voice until the
  // floor climbs back, a "word" whose pause then stands level with it. It was the line's level
  // rising, and the model called a person (3 dead-air lines of the dev and train renderings).
  amd::VoiceFrontEnd fe(6.0f);
  uint32_t now = 0;
  const auto s = noise_after_a_dip();
  int16_t filtered[160];
  bool was_started = false;
  for (size_t off = 0; off + 160 <= s.size(); off += 160) {
    fe.rx({s.data() + off, 160}, now += 20, filtered);
    was_started |= fe.features().started();
  }
  EXPECT_TRUE(was_started);  // the dip did make a "word" ...
  EXPECT_FALSE(fe.features().started());  // ... and the pause level with it undid it
  // A burst of noise 14 dB over the line's after the same dip stays a word: it stood clear of
  // its pause.
  amd::VoiceFrontEnd fe2(6.0f);
  now = 0;
  const auto& f = features_after(fe2, noise_after_a_dip(-36), now);
  EXPECT_TRUE(f.started());
  EXPECT_NEAR(int(f.onset_ms()), 1060, 60);
  // A voiced word (a 200 Hz voice 6 dB over noise at -50 dB) whose pause an AGC then lifts to
  // its level over a second: the word had a pitch, and stays one.
  std::vector<int16_t> agc, voice;
  test::add_silence(agc, 6000);
  test::add_noise(agc, -50, 5);
  test::add_tone(voice, {200, 400, 600}, 300, -44);
  for (size_t i = 0; i < voice.size(); ++i) agc[8000 + i] = int16_t(agc[8000 + i] + voice[i]);
  for (size_t i = 1300 * 8; i < agc.size(); ++i) {
    const double lift_db = std::min(12.0, 12.0 * double(i - 1300 * 8) / 8000.0);
    agc[i] = int16_t(std::clamp(agc[i] * std::pow(10.0, lift_db / 20.0), -32768.0, 32767.0));
  }
  amd::VoiceFrontEnd fe3(6.0f);
  now = 0;
  const auto& lifted = features_after(fe3, agc, now);
  EXPECT_TRUE(lifted.started());
  EXPECT_GE(lifted.pause_over_onset_floor_db(), lifted.loudest_word_over_floor_db() - 1.5);  // level with it
}
