#include "media/rtcp.h"

#include <gtest/gtest.h>

using namespace hark::media;

TEST(Rtcp, SenderReportRoundTrip) {
  uint8_t buf[256];
  SenderInfo si{ntp_now(), 12345, 50, 8000};
  ReceptionReport rr;
  rr.ssrc = 0xabcdef01;
  rr.fraction_lost = 64;
  rr.cumulative_lost = 7;
  rr.extended_max_seq = 70000;
  rr.jitter = 33;
  const size_t len = build_rtcp_report(buf, 0x11223344, &si, &rr, "hark");
  ASSERT_GT(len, 0u);
  EXPECT_EQ(len % 4, 0u);
  // Parsed by the peer whose SSRC the report block is about.
  auto p = parse_rtcp({buf, len}, 0xabcdef01);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->has_sr);
  EXPECT_EQ(p->sr_ssrc, 0x11223344u);
  EXPECT_EQ(p->sr_ntp_middle, uint32_t(si.ntp >> 16));
  ASSERT_TRUE(p->about_us);
  EXPECT_EQ(p->about_us->fraction_lost, 64);
  EXPECT_EQ(p->about_us->cumulative_lost, 7u);
  EXPECT_EQ(p->about_us->extended_max_seq, 70000u);
  EXPECT_EQ(p->about_us->jitter, 33u);
}

TEST(Rtcp, ReceiverReportWithoutBlocks) {
  uint8_t buf[64];
  const size_t len = build_rtcp_report(buf, 1, nullptr, nullptr, "x");
  auto p = parse_rtcp({buf, len}, 2);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->has_sr);
  EXPECT_FALSE(p->about_us);
  EXPECT_EQ(build_rtcp_report({buf, 8}, 1, nullptr, nullptr, "x"), 0u);  // too small
}

TEST(Rtcp, MalformedPacketsAreRejected) {
  uint8_t buf[256];
  const size_t len = build_rtcp_report(buf, 1, nullptr, nullptr, "hark");
  EXPECT_FALSE(parse_rtcp({buf, 3}, 1));
  buf[0] = 0x40;  // version 1
  EXPECT_FALSE(parse_rtcp({buf, len}, 1));
  buf[0] = 0x80;
  buf[3] = 200;   // length past the end
  EXPECT_FALSE(parse_rtcp({buf, len}, 1));
  buf[3] = 1;
  buf[0] = 0x85;  // 5 report blocks promised in an 8-byte RR
  EXPECT_FALSE(parse_rtcp({buf, len}, 1));
}

TEST(Rtcp, RoundTripTime) {
  ReceptionReport r;
  r.lsr = 0x10000;             // 1 s in 16.16
  r.dlsr = 0x8000;             // 0.5 s held by the peer
  EXPECT_NEAR(*rtt_ms(r, 0x1CCCC), 300.0, 0.1);  // now = 1.8 s
  r.lsr = 0;
  EXPECT_FALSE(rtt_ms(r, 5));
}
