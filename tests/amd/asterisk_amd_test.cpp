// app_amd's classic logic, case by case, with its default parameters.
#include "amd/asterisk_amd.h"

#include <gtest/gtest.h>

#include <string>

#include "test_audio.h"

using namespace hark;

namespace {
// '#' a loud 20 ms frame (mean |sample| well above 256), '.' a silent one.
std::optional<amd::Event> feed(amd::AsteriskAmd& a, const std::string& pattern) {
  std::vector<int16_t> loud, quiet(160, 0);
  test::add_tone(loud, {500}, 20, -20);
  uint32_t now = 0;
  for (char c : pattern) {
    now += 20;
    if (auto e = a.rx(c == '#' ? loud : quiet, 20, now)) return e;
  }
  return std::nullopt;
}
std::string frames(char c, int ms) { return std::string(size_t(ms / 20), c); }
}  // namespace

TEST(AsteriskAmd, InitialSilenceIsMachine) {
  amd::AsteriskAmd a(amd::Params::asterisk_defaults());
  auto e = feed(a, frames('.', 3000));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, amd::Verdict::machine);
  EXPECT_STREQ(e->cause, "INITIALSILENCE-2500-2500");
  EXPECT_EQ(e->at_ms, 2500u);
}

TEST(AsteriskAmd, WordThenAfterGreetingSilenceIsHuman) {
  amd::AsteriskAmd a(amd::Params::asterisk_defaults());
  auto e = feed(a, frames('.', 500) + frames('#', 400) + frames('.', 1000));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, amd::Verdict::human);
  EXPECT_STREQ(e->cause, "HUMAN-800-800");
  EXPECT_EQ(e->at_ms, 1700u);
}

TEST(AsteriskAmd, LongGreetingIsMachine) {
  amd::AsteriskAmd a(amd::Params::asterisk_defaults());
  auto e = feed(a, frames('#', 2000));
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->cause, "LONGGREETING-1500-1500");
}

TEST(AsteriskAmd, ThirdWordIsMachine) {
  amd::AsteriskAmd a(amd::Params::asterisk_defaults());
  // Words of 200 ms separated by 100 ms (> between-words silence of 50 ms). app_amd starts
  // in STATE_IN_WORD, so a word counts only after silence: lead in with some.
  auto e = feed(a, frames('.', 200) + frames('#', 200) + frames('.', 100) + frames('#', 200) + frames('.', 100) + frames('#', 200));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, amd::Verdict::machine);
  EXPECT_STREQ(e->cause, "MAXWORDS-3-2");
}

TEST(AsteriskAmd, TotalAnalysisTimeIsNotSure) {
  amd::Params p = amd::Params::asterisk_defaults();
  p.greeting_ms = 100000;
  p.max_words = 1000;
  amd::AsteriskAmd a(p);
  std::string pat;
  for (int i = 0; i < 30; ++i) pat += frames('#', 120) + frames('.', 60);
  auto e = feed(a, pat);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->verdict, amd::Verdict::unknown);
  EXPECT_STREQ(e->cause, "TOOLONG-5000");
}

TEST(AsteriskAmd, SilenceThresholdIsMeanAbsoluteSample) {
  amd::Params p = amd::Params::asterisk_defaults();
  amd::AsteriskAmd a(p);
  // A tone whose mean |sample| is about 200: silence for app_amd with threshold 256.
  std::vector<int16_t> soft;
  // mean |A sin| = 2A/pi, so A = 200 * pi / 2; add_tone takes the RMS level A/sqrt(2) in dBFS.
  test::add_tone(soft, {500}, 20, 20 * std::log10(200.0 * M_PI / 2 / std::sqrt(2.0) / 32768.0));
  uint32_t now = 0;
  std::optional<amd::Event> e;
  for (int i = 0; i < 200 && !e; ++i) e = a.rx(soft, 20, now += 20);
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->cause, "INITIALSILENCE-2500-2500");
}
