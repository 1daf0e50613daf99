#include "media/dtmf.h"

#include <gtest/gtest.h>

using namespace hark::media;

TEST(Dtmf, ParsesEventPayload) {
  const uint8_t p[4] = {11, 0x80 | 10, 0x03, 0x20};
  auto e = parse_telephone_event(p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->digit(), '#');
  EXPECT_TRUE(e->end);
  EXPECT_EQ(e->volume, 10);
  EXPECT_EQ(e->duration, 800);
  const uint8_t short_p[3] = {1, 0, 0};
  EXPECT_FALSE(parse_telephone_event(short_p));
}

TEST(Dtmf, EachDigitReportedOnceDespiteRepeatedEndPackets) {
  DtmfReceiver r;
  const uint8_t start[4] = {5, 10, 0, 160}, end[4] = {5, 0x80 | 10, 0x03, 0x20};
  EXPECT_FALSE(r.rx(1000, start));
  EXPECT_EQ(r.rx(1000, end), '5');
  EXPECT_FALSE(r.rx(1000, end));
  EXPECT_FALSE(r.rx(1000, end));
  const uint8_t star[4] = {10, 0x80, 0, 160};
  EXPECT_EQ(r.rx(5000, star), '*');
}
