#include "cli/loadtest_report.h"

#include <gtest/gtest.h>

using namespace hark;
using namespace hark::control;

TEST(LoadtestReport, MosFromLossAndDelay) {
  EXPECT_NEAR(r_factor(0, 0), 93.2, 1e-9);
  EXPECT_NEAR(mos_from_r(93.2), 4.41, 0.01);       // perfect G.711
  EXPECT_LT(r_factor(5, 40), r_factor(1, 40));     // loss hurts
  EXPECT_LT(r_factor(1, 300), r_factor(1, 100));   // and so does delay, more past 177 ms
  // 10 % loss, 60 ms: Ie_eff = 95 * 10 / 35.1 = 27.07, Id = 0.024 * 60 = 1.44, R = 64.69,
  // MOS = 1 + 0.035 R + 7e-6 R (R - 60)(100 - R) = 3.34.
  EXPECT_NEAR(r_factor(10, 60), 64.69, 0.01);
  EXPECT_NEAR(mos_from_r(r_factor(10, 60)), 3.34, 0.01);
  EXPECT_DOUBLE_EQ(mos_from_r(0), 1.0);
}

TEST(LoadtestReport, CountsCodesVerdictsAndOneWayAudio) {
  LoadtestReport r;
  signaling::CallEvent answered;
  answered.answered = true;
  answered.sip_code = 200;
  answered.setup_ms = 10;
  answered.has_verdict = true;
  answered.verdict = amd::Verdict::human;
  answered.amd_ms = 1500;
  answered.rtp_received = 95;
  answered.rtp_lost = 5;
  answered.jitter_ms = 2;
  answered.talk_ms = 3000;
  r.add(answered);
  signaling::CallEvent silent = answered;
  silent.rtp_received = 0;
  silent.rtp_lost = 0;
  silent.has_verdict = false;
  r.add(silent);  // answered, held 3 s, no RTP: one-way audio
  signaling::CallEvent busy;
  busy.sip_code = 486;
  busy.setup_ms = 20;
  r.add(busy);
  EXPECT_EQ(r.calls(), 3u);
  EXPECT_EQ(r.answered(), 2u);
  EXPECT_EQ(r.failed(), 1u);
  EXPECT_NEAR(r.asr(), 2.0 / 3, 1e-9);
  EXPECT_EQ(r.one_way_audio(), 1u);
  EXPECT_EQ(r.final_codes().at(486), 1u);
  EXPECT_EQ(r.verdicts().at("human"), 1u);
  EXPECT_EQ(r.verdicts().at("none"), 1u);
  const auto j = r.json(10, 1);
  EXPECT_NE(j.find("\"sip_final_codes\":{\"200\":2,\"486\":1}"), std::string::npos) << j;
  EXPECT_NE(r.table(10, 1).find("one-way audio calls     1"), std::string::npos);
  EXPECT_DOUBLE_EQ(percentile({5, 1, 3}, 50), 3);
}
