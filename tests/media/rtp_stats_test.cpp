#include "media/rtp_stats.h"

#include <gtest/gtest.h>

#include <cmath>

using hark::media::RtpStats;

namespace {
// Packets every 20 ms (160 timestamp units), arriving with a fixed transit time.
void feed(RtpStats& s, std::initializer_list<int> seqs) {
  for (int q : seqs) s.update(uint16_t(q), uint32_t(q * 160), uint32_t(q * 160 + 1000));
}
}  // namespace

TEST(RtpStats, InOrderHasNoLoss) {
  RtpStats s;
  feed(s, {100, 101, 102, 103, 104});
  EXPECT_EQ(s.received(), 5u);
  EXPECT_EQ(s.expected(), 5u);
  EXPECT_EQ(s.lost(), 0u);
  EXPECT_DOUBLE_EQ(s.jitter(), 0.0);
}

TEST(RtpStats, GapsAreLost) {
  RtpStats s;
  feed(s, {1, 2, 5, 6, 9});  // 3, 4, 7, 8 missing
  EXPECT_EQ(s.expected(), 9u);
  EXPECT_EQ(s.lost(), 4u);
  EXPECT_EQ(s.take_fraction_lost(), uint8_t(4 * 256 / 9));
  feed(s, {10, 11, 12});
  EXPECT_EQ(s.take_fraction_lost(), 0);  // no loss in this interval
}

TEST(RtpStats, ReorderedPacketsAreNotLostAndDuplicatesAreDropped) {
  RtpStats s;
  feed(s, {1, 2, 4, 3, 5});
  EXPECT_EQ(s.lost(), 0u);
  EXPECT_EQ(s.reordered(), 1u);
  EXPECT_FALSE(s.update(4, 4 * 160, 4 * 160 + 1000));
  EXPECT_EQ(s.duplicates(), 1u);
  EXPECT_EQ(s.received(), 5u);
}

TEST(RtpStats, SequenceWrapsAround) {
  RtpStats s;
  feed(s, {65534, 65535});
  s.update(0, 65536u * 160, 65536u * 160 + 1000);
  s.update(1, 65537u * 160, 65537u * 160 + 1000);
  EXPECT_EQ(s.extended_max(), 65536u + 1);
  EXPECT_EQ(s.lost(), 0u);
  EXPECT_EQ(s.received(), 4u);
}

TEST(RtpStats, JitterFollowsRfc3550) {
  // Transit alternates +0 / +80 units: |D| = 80 for every packet after the first, so
  // J_n = J_(n-1) + (80 - J_(n-1)) / 16, converging to 80.
  RtpStats s;
  double j = 0;
  for (int i = 0; i < 200; ++i) {
    s.update(uint16_t(i), uint32_t(i * 160), uint32_t(i * 160 + (i % 2) * 80));
    if (i > 0) j += (80 - j) / 16;
    if (i == 1) {
      EXPECT_NEAR(s.jitter(), 5.0, 1e-9);
    }
  }
  EXPECT_NEAR(s.jitter(), j, 1e-9);
  EXPECT_NEAR(s.jitter(), 80.0, 0.1);
}

TEST(RtpStats, SenderRestartIsConfirmedByTwoPackets) {
  RtpStats s;
  feed(s, {10, 11, 12});
  EXPECT_FALSE(s.update(40000, 0, 1000));  // one wild packet: ignored
  EXPECT_TRUE(s.update(40001, 160, 1160)); // the next in sequence: a restart
  EXPECT_EQ(s.received(), 1u);
}
