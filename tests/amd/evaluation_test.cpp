#include "amd/evaluation.h"

#include <gtest/gtest.h>

using namespace hark::amd;

TEST(Evaluation, CountsConfusionBeepsAndLatency) {
  Scores s;
  score(s, {Verdict::human, std::nullopt, 1000}, {Verdict::human, 1500, std::nullopt});
  score(s, {Verdict::human, std::nullopt, 800}, {Verdict::machine, 2000, std::nullopt});
  score(s, {Verdict::machine, 5000, std::nullopt}, {Verdict::machine, 3000, 5060});
  score(s, {Verdict::machine, 7000, std::nullopt}, {Verdict::machine, 3000, 7200});  // 200 ms off
  score(s, {Verdict::fax, std::nullopt, std::nullopt}, {Verdict::fax, 900, 100});     // false beep
  EXPECT_EQ(s.files, 5);
  EXPECT_EQ(s.confusion[int(Verdict::human)][int(Verdict::machine)], 1);
  EXPECT_DOUBLE_EQ(s.accuracy(), 4.0 / 5);
  EXPECT_DOUBLE_EQ(s.human_machine_accuracy(), 3.0 / 4);
  EXPECT_DOUBLE_EQ(s.humans_as_machine_share(), 0.5);
  EXPECT_EQ(s.beeps, 2);
  EXPECT_EQ(s.beep_hits, 1);
  EXPECT_EQ(s.false_beeps, 1);
  EXPECT_DOUBLE_EQ(s.recall(Verdict::fax), 1.0);
  ASSERT_TRUE(s.latency_percentile(50));
  EXPECT_EQ(*s.latency_percentile(50), 500);
  EXPECT_NE(format_report(s, "t").find("humans classified as machine"), std::string::npos);
}

TEST(Evaluation, PercentilesOfSeveral) {
  Scores s;
  for (int i = 1; i <= 10; ++i) score(s, {Verdict::human, std::nullopt, 0}, {Verdict::human, i * 100, std::nullopt});
  EXPECT_EQ(*s.latency_percentile(50), 500);
  EXPECT_EQ(*s.latency_percentile(90), 900);
  EXPECT_EQ(*s.latency_percentile(100), 1000);
}
