// The load test's per-call rows, its failure rule, its CSV and its ramp (no network).
#include <gtest/gtest.h>
#include <algorithm>

#include "cli/loadtest_calls.h"
#include "cli/loadtest_html.h"

namespace hark::control {
namespace {

signaling::CallEvent answered_event() {
  signaling::CallEvent e;
  e.number = "5551000";
  e.sip_code = 200;
  e.sip_reason = "OK";
  e.answered = true;
  e.answered_ms = 1500;
  e.setup_ms = 120;
  e.has_verdict = true;
  e.verdict = amd::Verdict::machine;
  e.amd_ms = 2300;
  e.beep_ms = 4100;
  e.rtp_received = 200;
  e.rtp_lost = 0;
  e.jitter_ms = 1;
  e.talk_ms = 5000;
  return e;
}

TEST(LoadtestCalls, RowsCarryEveryFigureAndTheFailureRule) {
  auto r = call_row(answered_event(), 7, 1.5, 1764590000.25, 8);
  EXPECT_EQ(r.call_id, 7u);
  EXPECT_EQ(r.verdict, "machine");
  EXPECT_EQ(r.verdict_ms, 2300);
  EXPECT_EQ(r.beep_ms, 4100);
  EXPECT_GT(r.mos, 4.0);
  EXPECT_FALSE(r.one_way);
  EXPECT_FALSE(call_failed(r));
  auto one_way = answered_event();
  one_way.rtp_received = 0;
  one_way.rtp_lost = 0;
  EXPECT_TRUE(call_failed(call_row(one_way, 1, 0, 0, 1)));  // held 5 s, nothing heard
  auto lossy = answered_event();
  lossy.rtp_lost = 200;  // half the packets lost: MOS well under 3
  EXPECT_TRUE(call_failed(call_row(lossy, 1, 0, 0, 1)));
  signaling::CallEvent busy;
  busy.sip_code = 486;
  busy.sip_reason = "=HYPERLINK(\"x\")";  // a hostile reason phrase stays inert in the CSV
  const auto b = call_row(busy, 2, 0, 0, 1);
  EXPECT_TRUE(call_failed(b));
  EXPECT_EQ(b.answer_ms, -1);
  const auto csv = calls_csv({r, b});
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"x\"\")\""), std::string::npos) << csv;
  EXPECT_NE(csv.find("2025-12-01T11:53:20.250Z"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",machine,2300,4100,200,OK,200,0,1.00,"), std::string::npos) << csv;
}

TEST(LoadtestCalls, RampStepsIntegrate) {
  std::vector<RampStep> ramp;
  ASSERT_EQ(parse_ramp("0:10,60:100,120:300", ramp), "");
  ASSERT_EQ(ramp.size(), 3u);
  EXPECT_DOUBLE_EQ(ramp_calls_by(ramp, 0), 0);
  EXPECT_DOUBLE_EQ(ramp_calls_by(ramp, 30), 300);
  EXPECT_DOUBLE_EQ(ramp_calls_by(ramp, 60), 600);
  EXPECT_DOUBLE_EQ(ramp_calls_by(ramp, 90), 600 + 3000);
  EXPECT_DOUBLE_EQ(ramp_calls_by(ramp, 130), 600 + 6000 + 3000);
  EXPECT_DOUBLE_EQ(ramp_peak(ramp), 300);
  for (auto bad : {"", "10:5", "0:10,0:20", "0:10,30:0", "0:x", "0-10", "0:10,20:6000"})
    EXPECT_NE(parse_ramp(bad, ramp), "") << bad;
}

TEST(LoadtestCalls, HtmlHasItsChartsAndEscapesText) {
  auto r = call_row(answered_event(), 1, 0.2, 0, 6);
  signaling::CallEvent busy;
  busy.sip_code = 486;
  const auto page = loadtest_html({r, call_row(busy, 2, 0.4, 0, 0.9)}, 6.5, "target <sip:1@x>");
  EXPECT_NE(page.find("target &lt;sip:1@x&gt;"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  size_t svgs = 0;
  for (size_t at = 0; (at = page.find("<svg", at)) != std::string::npos; ++at) ++svgs;
  EXPECT_EQ(svgs, 7u);  // four over time, three histograms
  EXPECT_NE(page.find("<td>486</td>"), std::string::npos);
  EXPECT_NE(page.find("<td>beeps detected</td><td>1</td>"), std::string::npos);
}

}  // namespace
}  // namespace hark::control
