// Ringing after the answer (amd/ringback.h): an exchange that answers and plays the ringing
// tone in band while it forwards the call. The analysis starts over after each ring, so the
// person who then picks up is a person, not dead air or a "beep".
#include "amd/ringback.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "amd/classifier.h"
#include "amd/replay.h"
#include "media/audio_file.h"
#include "test_audio.h"
#include "test_paths.h"

using namespace hark;

namespace {

// `rings` rings of a country's cadence, then `then` (or nothing), over faint line noise.
enum class Ring { north_america, europe, uk };
std::vector<int16_t> ringing(Ring kind, int rings) {
  std::vector<int16_t> s;
  for (int i = 0; i < rings; ++i) {
    switch (kind) {
      case Ring::north_america: test::add_tone(s, {440, 480}, 2000, -19), test::add_silence(s, 4000); break;
      case Ring::europe: test::add_tone(s, {425}, 1000, -16), test::add_silence(s, 4000); break;
      case Ring::uk:
        test::add_tone(s, {400, 450}, 400, -19), test::add_silence(s, 200);
        test::add_tone(s, {400, 450}, 400, -19), test::add_silence(s, 2000);
        break;
    }
  }
  return s;
}

std::vector<int16_t> hello() {
  std::vector<int16_t> h;
  EXPECT_EQ(media::read_audio(test::source_file("fixtures/samples/human-short-001.ul"), h), "");
  return h;
}

std::vector<int16_t> operator+(std::vector<int16_t> a, const std::vector<int16_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

amd::ReplayResult run(std::vector<int16_t> s) {
  test::add_noise(s, -62);
  return amd::replay(s, amd::Params::hark_defaults());
}

TEST(RingPairBursts, GroupsFramesIntoBurstsOfARingsLength) {
  // Frames at `db`; by default the ring's -20 dB, and the line's -60 dB between rings.
  const auto feed = [](amd::RingPairBursts& b, bool pair, int frames, uint32_t& t, float db = 0) {
    std::optional<amd::RingBurst> got;
    for (int i = 0; i < frames; ++i)
      if (auto r = b.rx(pair, db != 0 ? db : pair ? -20.0f : -60.0f, t += 20)) got = r;
    return got;
  };
  amd::RingPairBursts b;
  uint32_t t = 0;
  EXPECT_FALSE(feed(b, false, 10, t));
  EXPECT_FALSE(feed(b, true, 100, t));  // 2 s of ringing: under way
  EXPECT_TRUE(b.under_way());
  EXPECT_EQ(b.onset_ms(), 200u);
  const auto r = feed(b, false, amd::RingPairBursts::kMaxGapFrames, t);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->onset_ms, 200u);
  EXPECT_EQ(r->end_ms, 2200u);
  EXPECT_FALSE(b.under_way());
  // UK: two 0.4 s parts 0.2 s apart are one burst.
  EXPECT_FALSE(feed(b, true, 20, t));
  EXPECT_FALSE(feed(b, false, 10, t));
  EXPECT_FALSE(feed(b, true, 20, t));
  const auto uk = feed(b, false, amd::RingPairBursts::kMaxGapFrames, t);
  ASSERT_TRUE(uk);
  EXPECT_EQ(uk->end_ms - uk->onset_ms, 1000u);
  // A blip, or a tone longer than any ring: no burst.
  EXPECT_FALSE(feed(b, true, 10, t));
  EXPECT_FALSE(feed(b, false, 20, t));
  EXPECT_FALSE(feed(b, true, 150, t));
  EXPECT_FALSE(feed(b, false, 20, t));
  // Scattered frames (a voice's, now and then), or a level that swings like a voice's: no ring.
  for (int i = 0; i < 6; ++i) {
    EXPECT_FALSE(feed(b, true, 1, t));
    EXPECT_FALSE(feed(b, false, 4, t));
  }
  EXPECT_FALSE(feed(b, false, 20, t));
  EXPECT_FALSE(feed(b, true, 20, t, -20));
  EXPECT_FALSE(feed(b, true, 20, t, -30));
  EXPECT_FALSE(feed(b, false, 20, t));
  // The same steady: a ring.
  EXPECT_FALSE(feed(b, true, 40, t, -25));
  EXPECT_TRUE(feed(b, false, 20, t));
  // ... but not when the line stays loud after it (a chord, and music goes on).
  EXPECT_FALSE(feed(b, true, 40, t, -25));
  EXPECT_FALSE(feed(b, false, 20, t, -30));
}

TEST(Ringback, APersonAfterNorthAmericanRingingIsAPerson) {
  // One ring and a person: the 4 s pause after it ran into the 5 s dead-air verdict before.
  for (int rings : {1, 2}) {
    const auto r = run(ringing(Ring::north_america, rings) + hello());
    EXPECT_EQ(r.verdict.verdict, amd::Verdict::human) << rings << " " << r.verdict.cause;
    EXPECT_GT(r.verdict.at_ms, uint32_t(6000 * rings)) << "decided on the person, after the ringing";
    EXPECT_FALSE(r.has_beep);
  }
}

TEST(Ringback, APersonAfterEuropeanOrUkRingingIsAPerson) {
  // Europe's 425 Hz ring was a "beep" before any word: a machine, and the person hung up on.
  auto r = run(ringing(Ring::europe, 2) + hello());
  EXPECT_EQ(r.verdict.verdict, amd::Verdict::human) << r.verdict.cause;
  EXPECT_GT(r.verdict.at_ms, 10000u);
  EXPECT_FALSE(r.has_beep);
  r = run(ringing(Ring::uk, 2) + hello());
  EXPECT_EQ(r.verdict.verdict, amd::Verdict::human) << r.verdict.cause;
  EXPECT_GT(r.verdict.at_ms, 6000u);
}

TEST(Ringback, ARingWhosePitchALossMovedIsStillARing) {
  // Two 425 Hz rings, each read 12 Hz high for 60 ms (a concealed loss), then a person. A
  // long beep is judged on its trimmed pitch spread, so a ring is too: on the whole one (11.8
  // Hz, over a ring's 10) a 1 s ring was a beep before any word, a machine, and the person
  // hung up on; a 1.5 s ring (Spain's, France's) stopped being a ring under way, and the
  // greeting decision called its "words" a machine at a second of span (the reviews' probes).
  const auto ring = [](std::vector<int16_t>& s, int ms, int off_at_ms) {
    const size_t n = size_t(ms) * 8, from = size_t(off_at_ms) * 8, to = size_t(off_at_ms + 60) * 8;
    double phase = 0;
    for (size_t k = 0; k < n; ++k) {
      phase += 2 * M_PI * (k >= from && k < to ? 437.0 : 425.0) / 8000.0;
      s.push_back(int16_t(std::lround(test::amp_for_db(-16) * std::sin(phase))));
    }
    test::add_silence(s, 3500);
  };
  for (const auto& [ms, off_at_ms] : {std::pair{1000, 470}, {1500, 100}, {1500, 700}}) {
    std::vector<int16_t> s;
    ring(s, ms, off_at_ms);
    ring(s, ms, off_at_ms);
    const auto r = run(s + hello());
    EXPECT_EQ(r.verdict.verdict, amd::Verdict::human) << ms << " ms, loss at " << off_at_ms << ": " << r.verdict.cause;
    EXPECT_EQ(r.rings, 2) << ms << " ms, loss at " << off_at_ms;
    EXPECT_FALSE(r.has_beep) << ms << " ms, loss at " << off_at_ms;
  }
}

TEST(Ringback, WithoutBeepDetectionRingingStillStartsTheAnalysisOver) {
  // A campaign that turned beep detection off: the music detector's tracker hears the rings.
  auto p = amd::Params::hark_defaults();
  p.detect_beep = false;
  auto s = ringing(Ring::north_america, 1) + hello();
  test::add_noise(s, -62);
  auto r = amd::replay(s, p);
  EXPECT_EQ(r.verdict.verdict, amd::Verdict::human) << r.verdict.cause;
  EXPECT_EQ(r.rings, 1);
  s = ringing(Ring::europe, 1) + std::vector<int16_t>(8 * 6000, 0);  // then a beep-only machine
  r = amd::replay(s, p);
  EXPECT_STREQ(r.verdict.cause, "beep-only-greeting");
  EXPECT_FALSE(r.has_beep);
}

TEST(Ringback, OneRingLikeToneAndThenSilenceIsABeepOnlyMachine) {
  // An answering machine that plays no greeting: its 425 Hz beep, then it records. No ring
  // followed within the longest ringing pause, so it was a beep after all.
  std::vector<int16_t> s;
  test::add_silence(s, 300);
  test::add_tone(s, {425}, 1000, -16);
  test::add_silence(s, 8000);
  const auto r = run(s);
  EXPECT_EQ(r.verdict.verdict, amd::Verdict::machine) << r.verdict.cause;
  EXPECT_STREQ(r.verdict.cause, "beep-only-greeting");
  ASSERT_TRUE(r.has_beep);
  EXPECT_NEAR(double(r.beep.beep_onset_ms), 300.0, 60.0);
  EXPECT_NEAR(double(r.beep.beep_hz), 425.0, 20.0);
}

TEST(Ringback, EachRingIsAnEventAndRingingThatNeverEndsIsNoAnswer) {
  // Each ring says so (signaling's watchdog counts from it); past kMaxRingingMs of ringing the
  // verdict is no answer (dead air).
  auto s = ringing(Ring::north_america, 12);
  test::add_noise(s, -62);
  amd::Classifier c(amd::Params::hark_defaults());
  std::vector<amd::Event> events;
  amd::Event ev[amd::Classifier::kMaxEvents];
  for (size_t off = 0; off + 160 <= s.size() && !c.done(); off += 160)
    events.insert(events.end(), ev, ev + c.rx({s.data() + off, 160}, ev));
  ASSERT_FALSE(events.empty());
  const auto& v = events.back();
  EXPECT_EQ(v.kind, amd::EventKind::verdict);
  EXPECT_EQ(v.verdict, amd::Verdict::silence) << v.cause;
  EXPECT_EQ(std::string(v.cause).rfind("ringing-", 0), 0u) << v.cause;
  EXPECT_GT(v.at_ms, amd::kMaxRingingMs);
  EXPECT_LT(v.at_ms, amd::kMaxRingingMs + 6200);
  ASSERT_EQ(events.size(), 9u);  // rings end at 2, 8 ... 44 s (within 45 s), then the verdict
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_EQ(events[i].kind, amd::EventKind::ringing);
    // Said within 300 ms of the ring's end, in audio time since the first frame.
    EXPECT_NEAR(double(events[i].at_ms), 6000.0 * double(i) + 2000.0, 300.0) << i;
  }
}

TEST(Ringback, AHelloRightAsTheRingStopsIsThePersons) {
  // The person picks up and speaks at once, within the frames the burst's end waits for: the
  // ring still counts, and the new classifier hears the hello from the frames kept since.
  std::vector<int16_t> s;
  test::add_tone(s, {440, 480}, 2000, -19);
  auto h = hello();
  h.erase(h.begin(), h.begin() + 750 * 8);  // its "hello?" begins 800 ms in: 50 ms after the ring
  const auto r = run(s + h);
  EXPECT_EQ(r.verdict.verdict, amd::Verdict::human) << r.verdict.cause;
  EXPECT_NE(std::string(r.verdict.cause).find("model"), std::string::npos) << r.verdict.cause;
  EXPECT_EQ(r.rings, 1);
  EXPECT_NEAR(double(r.answered_ms), 2000.0, 80.0);
}

TEST(Ringback, AudioEndingInTheSilenceAfterRingsIsJudgedAsThatSilence) {
  // A recording that stops 3 s after the ring: the end of audio decides as the silence would.
  auto rung = ringing(Ring::north_america, 1);
  rung.resize(8 * 5000);
  auto r = run(rung);
  EXPECT_STREQ(r.verdict.cause, "dead-air-after-1-rings");
  std::vector<int16_t> s;
  test::add_tone(s, {425}, 1000, -16);
  test::add_silence(s, 3000);
  r = run(s);
  EXPECT_STREQ(r.verdict.cause, "beep-only-greeting");
  EXPECT_TRUE(r.has_beep);
}

TEST(Ringback, RingingThenSilenceIsDeadAir) {
  const auto r = run(ringing(Ring::north_america, 1) + std::vector<int16_t>(8 * 6000, 0));
  EXPECT_EQ(r.verdict.verdict, amd::Verdict::silence) << r.verdict.cause;
  EXPECT_STREQ(r.verdict.cause, "dead-air-after-1-rings");
}

TEST(Ringback, A425HzBeepAfterWordsIsStillABeep) {
  // Words before it: a greeting's beep, never a ring.
  std::vector<int16_t> s;
  test::add_silence(s, 300);
  test::add_babble(s, 3000, -20);  // the greeting
  test::add_silence(s, 300);
  test::add_tone(s, {425}, 600, -16);
  test::add_silence(s, 3000);
  const auto r = run(s);
  ASSERT_TRUE(r.has_beep) << r.verdict.cause;
  EXPECT_NEAR(double(r.beep.beep_onset_ms), 3600.0, 60.0);
}

}  // namespace
