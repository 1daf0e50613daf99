// After a `human` verdict the classifier keeps listening: a beep or a monologue emits one
// late_machine event (a suspected miss); the verdict itself never changes.
#include <gtest/gtest.h>

#include <vector>

#include "amd/classifier.h"
#include "test_audio.h"

using namespace hark;

namespace {
// The rule-based decision: "hello" then 500 ms of silence is a person, whatever the model.
amd::Params rules() {
  amd::Params p = amd::Params::hark_defaults();
  p.learned_decision = false;
  p.detect_fax = p.detect_sit = false;
  return p;
}

std::vector<amd::Event> run(const std::vector<int16_t>& s, const amd::Params& p) {
  amd::Classifier c(p);
  std::vector<amd::Event> events;
  amd::Event ev[amd::Classifier::kMaxEvents];
  for (size_t off = 0; off < s.size() && !c.done(); off += 160)
    events.insert(events.end(), ev, ev + c.rx({s.data() + off, std::min<size_t>(160, s.size() - off)}, ev));
  return events;
}

std::vector<int16_t> hello_then_silence() {
  std::vector<int16_t> s;
  test::add_silence(s, 300);
  test::add_babble(s, 600, -20);  // "Hello?"
  test::add_silence(s, 1000);     // ... called human here
  return s;
}

const amd::Event* find(const std::vector<amd::Event>& ev, amd::EventKind k) {
  for (const auto& e : ev)
    if (e.kind == k) return &e;
  return nullptr;
}
}  // namespace

TEST(LateMachine, ABeepAfterHumanIsASuspectedMiss) {
  auto s = hello_then_silence();
  test::add_babble(s, 2500, -20, 5);  // the machine's greeting goes on
  test::add_silence(s, 400);
  test::add_tone(s, {1000}, 500, -22);
  test::add_silence(s, 1500);
  test::add_noise(s, -60);
  const auto ev = run(s, rules());
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev[0].kind, amd::EventKind::verdict);
  EXPECT_EQ(ev[0].verdict, amd::Verdict::human);
  const auto* late = find(ev, amd::EventKind::late_machine);
  ASSERT_NE(late, nullptr);
  EXPECT_STREQ(late->cause, "late-beep-1000Hz-500ms");
  const auto* beep = find(ev, amd::EventKind::beep);
  ASSERT_NE(beep, nullptr);
  EXPECT_NEAR(int(beep->beep_onset_ms), 300 + 600 + 1000 + 2500 + 400, 20);
}

TEST(LateMachine, TalkPastTheLongestHumanGreetingIsASuspectedMiss) {
  auto s = hello_then_silence();
  test::add_babble(s, 7000, -20, 5);
  test::add_silence(s, 500);
  test::add_noise(s, -60);
  const auto ev = run(s, rules());
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev[0].verdict, amd::Verdict::human);
  const auto* late = find(ev, amd::EventKind::late_machine);
  ASSERT_NE(late, nullptr);
  EXPECT_EQ(std::string(late->cause).rfind("late-monologue-", 0), 0u) << late->cause;
  EXPECT_EQ(late->verdict, amd::Verdict::machine);
}

// The monologue is flagged first; the beep that ends it still comes out (the voicemail drop
// and `hark amd` wait for it), as a beep and not as a second suspected miss.
TEST(LateMachine, TheBeepAfterAMonologueIsStillReported) {
  auto s = hello_then_silence();
  test::add_babble(s, 7000, -20, 5);
  test::add_silence(s, 400);
  const size_t beep_at_ms = s.size() / 8;
  test::add_tone(s, {1000}, 500, -22);
  test::add_silence(s, 1500);
  test::add_noise(s, -60);
  const auto ev = run(s, rules());
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev[0].verdict, amd::Verdict::human);
  int late = 0;
  for (const auto& e : ev) late += e.kind == amd::EventKind::late_machine;
  EXPECT_EQ(late, 1);
  const auto* monologue = find(ev, amd::EventKind::late_machine);
  ASSERT_NE(monologue, nullptr);
  EXPECT_EQ(std::string(monologue->cause).rfind("late-monologue-", 0), 0u) << monologue->cause;
  const auto* beep = find(ev, amd::EventKind::beep);
  ASSERT_NE(beep, nullptr);
  EXPECT_NEAR(int(beep->beep_onset_ms), int(beep_at_ms), 20);
}

// Greetings run up to 30 s: the beep after the longest, past 30 s of audio, is still heard.
TEST(LateMachine, TheBeepAfterAThirtySecondGreetingIsHeard) {
  auto s = hello_then_silence();
  while (s.size() / 8 < 30500) {  // the greeting goes on in phrases ...
    test::add_babble(s, 2500, -20, int(s.size() % 97));
    test::add_silence(s, 600);
  }
  const size_t beep_at_ms = s.size() / 8;
  test::add_tone(s, {1000}, 500, -22);  // ... and its beep starts past 30 s
  test::add_silence(s, 1500);
  test::add_noise(s, -60);
  const auto ev = run(s, rules());
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev[0].verdict, amd::Verdict::human);
  const auto* beep = find(ev, amd::EventKind::beep);
  ASSERT_NE(beep, nullptr);
  EXPECT_NEAR(int(beep->beep_onset_ms), int(beep_at_ms), 20);
}

TEST(LateMachine, APersonTalkingWithAnAgentIsNotFlagged) {
  auto s = hello_then_silence();
  for (int turn = 0; turn < 4; ++turn) {
    test::add_babble(s, 3500, -20, 10 + turn);  // the person talks ...
    test::add_silence(s, 2000);                 // ... and listens to the agent
  }
  test::add_noise(s, -60);
  const auto ev = run(s, rules());
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev[0].verdict, amd::Verdict::human);
  EXPECT_EQ(find(ev, amd::EventKind::late_machine), nullptr);
}

TEST(LateMachine, NoListeningPastTheVerdictWhenTurnedOff) {
  amd::Params p = rules();
  p.late_listen_ms = 0;
  auto s = hello_then_silence();
  test::add_babble(s, 7000, -20, 5);
  amd::Classifier c(p);
  amd::Event ev[amd::Classifier::kMaxEvents];
  size_t off = 0;
  for (; off < s.size() && !c.done(); off += 160) c.rx({s.data() + off, 160}, ev);
  EXPECT_TRUE(c.done());
  EXPECT_LT(off / 8, 2500u);
}
