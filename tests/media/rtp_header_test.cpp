#include "media/rtp_header.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace hark::media;

namespace {
std::vector<uint8_t> packet(uint8_t b0, uint8_t pt, size_t payload, std::vector<uint8_t> extra = {}) {
  std::vector<uint8_t> p = {b0, pt, 0x12, 0x34, 0, 0, 0x01, 0x40, 0xde, 0xad, 0xbe, 0xef};
  for (uint8_t b : extra) p.push_back(b);  // (insert() trips a GCC 12 -Warray-bounds false positive)
  p.resize(p.size() + payload, 0xff);
  return p;
}
}  // namespace

TEST(RtpHeader, ParsesAPlainPacket) {
  auto p = packet(0x80, 0x88, 160);  // marker, PT 8
  RtpHeader h;
  ASSERT_EQ(parse_rtp(p, h), RtpError::ok);
  EXPECT_EQ(h.payload_type, 8);
  EXPECT_TRUE(h.marker);
  EXPECT_EQ(h.seq, 0x1234);
  EXPECT_EQ(h.timestamp, 320u);
  EXPECT_EQ(h.ssrc, 0xdeadbeefu);
  EXPECT_EQ(h.payload_offset, 12u);
  EXPECT_EQ(h.payload_size, 160u);
}

TEST(RtpHeader, CsrcExtensionAndPadding) {
  // 2 CSRCs, an extension of 1 word, 4 bytes of padding.
  std::vector<uint8_t> extra = {0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0, 1, 1, 2, 3, 4};
  auto p = packet(0x80 | 0x20 | 0x10 | 2, 0, 20, extra);
  p.back() = 4;
  RtpHeader h;
  ASSERT_EQ(parse_rtp(p, h), RtpError::ok);
  EXPECT_EQ(h.csrc_count, 2);
  EXPECT_EQ(h.payload_offset, 12u + 8 + 8);
  EXPECT_EQ(h.payload_size, 16u);
}

TEST(RtpHeader, RejectsMalformedPackets) {
  RtpHeader h;
  std::vector<uint8_t> short_pkt(11, 0x80);
  EXPECT_EQ(parse_rtp(short_pkt, h), RtpError::too_short);
  EXPECT_EQ(parse_rtp(packet(0x40, 0, 10), h), RtpError::bad_version);
  EXPECT_EQ(parse_rtp(packet(0x8f, 0, 10), h), RtpError::csrc_past_end);  // 15 CSRCs, 10 bytes
  auto ext = packet(0x90, 0, 0, {0xbe, 0xde, 0x00, 0x10});                 // 16 words promised
  EXPECT_EQ(parse_rtp(ext, h), RtpError::extension_past_end);
  auto ext_hdr_cut = packet(0x90, 0, 0, {0xbe, 0xde});
  EXPECT_EQ(parse_rtp(ext_hdr_cut, h), RtpError::extension_past_end);
  auto pad = packet(0xa0, 0, 10);
  pad.back() = 200;
  EXPECT_EQ(parse_rtp(pad, h), RtpError::bad_padding);
  pad.back() = 0;
  EXPECT_EQ(parse_rtp(pad, h), RtpError::bad_padding);
}

TEST(RtpHeader, RandomBytesNeverReadOutOfBounds) {
  // Under AddressSanitizer any read past the buffer fails this test.
  std::mt19937 g(42);
  int ok = 0;
  for (int i = 0; i < 200000; ++i) {
    std::vector<uint8_t> p(g() % 64);
    for (auto& b : p) b = uint8_t(g());
    if (!p.empty()) p[0] = uint8_t(0x80 | (p[0] & 0x3f));
    RtpHeader h;
    if (parse_rtp(p, h) == RtpError::ok) {
      ++ok;
      ASSERT_LE(h.payload_offset + h.payload_size, p.size());
    }
  }
  EXPECT_GT(ok, 0);
}
