#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "signaling/callee_simulator.h"

using namespace hark::signaling;

TEST(CalleeRules, ParsesRulesAndReportsBadLinesByNumber) {
  const std::string path = "/tmp/hark-rules-" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << "# comment\n"
                         "1000*  answer  a.wav ring=300 hold=5000\n"
                         "2000   busy\n"
                         "3000*  explode\n"
                         "4000*  answer\n"
                         "5000*\n"
                         "6000*  no-answer   # rings forever\n"
                         "7000*  answer a.wav dtmf=12#*  # the '#' in a word is a key\n";
  std::vector<CalleeRule> rules;
  const auto errors = read_callee_rules(path, rules);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].find(":4: unknown behaviour 'explode'"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find(":5: answer needs an audio file"), std::string::npos) << errors[1];
  EXPECT_NE(errors[2].find(":6: expected PATTERN BEHAVIOUR"), std::string::npos) << errors[2];
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[3].dtmf, "12#*");
  EXPECT_EQ(rules[0].ring_ms, 300);
  EXPECT_EQ(rules[0].hold_ms, 5000);
  EXPECT_EQ(rules[0].audio, "/tmp/a.wav");  // relative to the mapping file
  EXPECT_EQ(match_rule(rules, "1000555")->behaviour, CalleeRule::Behaviour::answer);
  EXPECT_EQ(match_rule(rules, "2000")->behaviour, CalleeRule::Behaviour::busy);
  EXPECT_EQ(match_rule(rules, "20001"), nullptr);  // exact pattern
  EXPECT_EQ(match_rule(rules, "6000")->behaviour, CalleeRule::Behaviour::no_answer);
  EXPECT_EQ(match_rule(rules, "999"), nullptr);
  std::remove(path.c_str());
}
