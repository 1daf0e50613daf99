#include "media/reorder_buffer.h"

#include <gtest/gtest.h>

#include <string>

using hark::media::ReorderBuffer;

namespace {
// Pushes `seq` with a one-byte payload equal to its low byte; returns what pops, as text:
// the payload byte for a packet, 'x' for a loss.
std::string push(ReorderBuffer& b, uint16_t seq) {
  const uint8_t p[1] = {uint8_t(seq)};
  b.push(seq, p);
  std::string out;
  ReorderBuffer::Out o;
  while (b.pop(o)) out += o.lost ? std::string("x") : std::to_string(o.payload[0]) + ",";
  return out;
}
}  // namespace

TEST(ReorderBuffer, InOrderPassesStraightThrough) {
  ReorderBuffer b(3);
  EXPECT_EQ(push(b, 1), "1,");
  EXPECT_EQ(push(b, 2), "2,");
}

TEST(ReorderBuffer, LatePacketIsPlayedInOrder) {
  ReorderBuffer b(3);
  EXPECT_EQ(push(b, 1), "1,");
  EXPECT_EQ(push(b, 3), "");
  EXPECT_EQ(push(b, 2), "2,3,");
}

TEST(ReorderBuffer, MissingPacketIsLostAfterDepthNewerOnes) {
  ReorderBuffer b(3);
  EXPECT_EQ(push(b, 1), "1,");
  EXPECT_EQ(push(b, 3), "");
  EXPECT_EQ(push(b, 4), "");
  EXPECT_EQ(push(b, 5), "x3,4,5,");
  EXPECT_EQ(push(b, 2), "");  // too late now
}

TEST(ReorderBuffer, LongGapIsHandedOutAsLossesThenSkipped) {
  ReorderBuffer b(3);
  push(b, 10);
  // 11..29 are missing: those outside the window behind 30 are lost at once, the rest as
  // newer packets confirm them.
  std::string all = push(b, 30);  // (one statement each: operands of + are unordered)
  all += push(b, 31);
  all += push(b, 32);
  all += push(b, 33);
  EXPECT_EQ(std::count(all.begin(), all.end(), 'x'), 19);
  EXPECT_NE(all.find("30,31,32,33,"), std::string::npos);
  ReorderBuffer c(3);
  push(c, 0);
  push(c, 1000);
  EXPECT_EQ(c.skipped(), 1000u - 1 - (ReorderBuffer::kSlots - 1) - ReorderBuffer::kMaxGap);
}
