// A phrase's quieter syllables: they keep a word's run together (not heard as gaps), and at the
// latency cap the decision waits while such voice is under way (the next phrase may be starting).
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "amd/greeting_decision.h"
#include "amd/params.h"
#include "amd/voice_front_end.h"
#include "test_audio.h"

using namespace hark;

namespace {
constexpr double kLoudDb = -20, kQuietDb = -40;  // per partial: syllables 20 dB apart

void add_voice(std::vector<int16_t>& s, int ms, double db) { test::add_tone(s, {300, 600, 900}, ms, db); }

// Feeds `s` through the front end (and, when given, the decision); returns the verdict's time.
std::optional<uint32_t> run(const std::vector<int16_t>& s, amd::VoiceFrontEnd& fe, amd::GreetingDecision* d) {
  int16_t filtered[160];
  uint32_t now = 0;
  for (size_t off = 0; off + 160 <= s.size(); off += 160) {
    fe.rx({s.data() + off, 160}, now += 20, filtered);
    if (d) {
      if (auto v = d->rx(fe.features(), now, false)) return v->at_ms;
    }
  }
  return std::nullopt;
}
}  // namespace

TEST(CallFeatures, QuietSyllablesDoNotCutAPhraseIntoClicks) {
  // A loud first phrase, an 800 ms pause, then a phrase whose loud syllables last 60 ms each,
  // between syllables 20 dB quieter (under the talker's level less 12 dB, so no words
  // themselves). Counted as gaps, they cut the phrase into 60 ms clicks: no word was heard.
  std::vector<int16_t> s;
  test::add_silence(s, 300);
  add_voice(s, 600, kLoudDb);
  test::add_silence(s, 800);
  for (int i = 0; i < 4; ++i) {
    add_voice(s, 60, kLoudDb);
    add_voice(s, 100, kQuietDb);
  }
  test::add_silence(s, 1000);
  test::add_noise(s, -65);
  amd::VoiceFrontEnd fe(6.0f);
  run(s, fe, nullptr);
  const auto& f = fe.features();
  float x[amd::CallFeatures::kCount];
  f.values(3600, x);
  const auto& n = amd::CallFeatures::names();
  auto at = [&](const char* name) {
    for (int i = 0; i < amd::CallFeatures::kCount; ++i)
      if (std::string(n[i]) == name) return x[i];
    ADD_FAILURE() << name;
    return 0.0f;
  };
  EXPECT_EQ(at("phrases"), 2.0f);
  EXPECT_NEAR(at("longest_pause_ms"), 800, 60);
  // The quiet syllables are no word of their own: the second phrase ends with its last loud one.
  EXPECT_NEAR(f.span_ms(), 600 + 800 + 3 * 160 + 60, 60);
}

TEST(GreetingDecision, AtTheCapWaitsWhileQuietVoiceIsUnderWay) {
  amd::Params p = amd::Params::hark_defaults();
  p.learned_decision = true;
  p.human_latency_cap_ms = 400;
  // A 500 ms word ending at 800 ms, then silence, or (from 300 ms into the pause) quiet voice
  // 20 dB under it: a next phrase starting with quiet syllables, not yet a word.
  auto make = [](bool quiet_voice) {
    std::vector<int16_t> s;
    test::add_silence(s, 300);
    add_voice(s, 500, kLoudDb);
    test::add_silence(s, 300);
    if (quiet_voice) add_voice(s, 500, kQuietDb);
    else test::add_silence(s, 500);
    test::add_silence(s, 1000);
    test::add_noise(s, -65);
    return s;
  };
  amd::VoiceFrontEnd fe_silent(6.0f), fe_quiet(6.0f);
  amd::GreetingDecision d_silent(p), d_quiet(p);
  const auto silent = run(make(false), fe_silent, &d_silent);
  const auto quiet = run(make(true), fe_quiet, &d_quiet);
  ASSERT_TRUE(silent && quiet);
  EXPECT_EQ(*silent, 1200u);  // the first decision point with a 400 ms pause
  // Held up to 200 ms past the cap while the VAD hears voice that is no word.
  EXPECT_GT(*quiet, *silent);
  EXPECT_LE(*quiet, 1400u);
}
