#include "amd/speech_timing.h"

#include <gtest/gtest.h>

#include <string>

using namespace hark::amd;

namespace {
// Feeds a pattern of 20 ms frames: '#' speech, '.' silence. Returns the verdict, if any.
std::optional<Event> feed(SpeechTiming& t, const std::string& pattern, uint32_t& now) {
  for (char c : pattern) {
    now += 20;
    if (auto e = t.rx(c == '#', 20, now)) return e;
  }
  return std::nullopt;
}
std::string frames(char c, int ms) { return std::string(size_t(ms / 20), c); }

Params hark_params() { return Params::hark_defaults(); }
}  // namespace

TEST(SpeechTiming, ShortGreetingThenSilenceIsHuman) {
  SpeechTiming t(hark_params());
  uint32_t now = 0;
  auto e = feed(t, frames('.', 400) + frames('#', 600) + frames('.', 2000), now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, Verdict::human);
  // Decided after-greeting-silence (500 ms) after the last word ended at 1000 ms.
  EXPECT_EQ(e->at_ms, 1500u);
}

TEST(SpeechTiming, LongGreetingIsMachine) {
  SpeechTiming t(hark_params());
  uint32_t now = 0;
  // Sentences of 900 ms with 300 ms pauses: no pause is long enough for a person.
  std::string p = frames('.', 200);
  for (int i = 0; i < 4; ++i) p += frames('#', 900) + frames('.', 300);
  auto e = feed(t, p, now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, Verdict::machine);
  EXPECT_EQ(std::string(e->cause).rfind("long-greeting", 0), 0u);
}

TEST(SpeechTiming, SilentPersonWhoSpeaksLateIsStillHuman) {
  SpeechTiming t(hark_params());
  uint32_t now = 0;
  auto e = feed(t, frames('.', 3000) + frames('#', 500) + frames('.', 1000), now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, Verdict::human);
}

TEST(SpeechTiming, NothingSaidIsDeadAir) {
  SpeechTiming t(hark_params());
  uint32_t now = 0;
  auto e = feed(t, frames('.', 10000), now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, Verdict::silence);
  EXPECT_EQ(e->at_ms, uint32_t(hark_params().initial_silence_ms));
}

TEST(SpeechTiming, ClicksShorterThanAWordAreIgnored) {
  SpeechTiming t(hark_params());
  uint32_t now = 0;
  // 40 ms blips every 500 ms never make a word (min word 100 ms): dead air.
  std::string p;
  for (int i = 0; i < 20; ++i) p += frames('#', 40) + frames('.', 460);
  auto e = feed(t, p, now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, Verdict::silence);
}

TEST(SpeechTiming, LongerGreetingsNeedLongerSilence) {
  SpeechTiming t(hark_params());
  EXPECT_EQ(t.required_silence_ms(600), 500);
  EXPECT_GT(t.required_silence_ms(2000), 700);
  EXPECT_EQ(t.required_silence_ms(2400), 900);
  // A 2 s greeting with a 600 ms pause continues (a machine between sentences)...
  uint32_t now = 0;
  auto e = feed(t, frames('.', 200) + frames('#', 2000) + frames('.', 600) + frames('#', 800), now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, Verdict::machine);
}

TEST(SpeechTiming, HoldDefersAHumanVerdict) {
  SpeechTiming t(hark_params());
  uint32_t now = 0;
  for (char c : frames('#', 400)) { now += 20; ASSERT_FALSE(t.rx(c == '#', 20, now)); }
  for (int i = 0; i < 50; ++i) { now += 20; ASSERT_FALSE(t.rx(false, 20, now, /*hold_human=*/true)); }
  now += 20;
  auto e = t.rx(false, 20, now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, Verdict::human);
}

TEST(SpeechTiming, MaxWordsWhenSet) {
  Params p = hark_params();
  p.max_words = 2;
  SpeechTiming t(p);
  uint32_t now = 0;
  auto e = feed(t, frames('#', 200) + frames('.', 100) + frames('#', 200) + frames('.', 100) + frames('#', 200), now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, Verdict::machine);
  EXPECT_STREQ(e->cause, "too-many-words-3");
}
