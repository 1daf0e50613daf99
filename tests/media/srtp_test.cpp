#include "media/srtp_session.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace hark::media;

namespace {
size_t make_rtp(uint8_t* b, uint16_t seq) {
  const uint8_t h[12] = {0x80, 0, uint8_t(seq >> 8), uint8_t(seq), 0, 0, 0, 160, 1, 2, 3, 4};
  std::memcpy(b, h, 12);
  for (int i = 0; i < 160; ++i) b[12 + i] = uint8_t(i);
  return 172;
}
}  // namespace

TEST(Srtp, KeysRoundTripThroughBase64) {
  const SrtpKey k = srtp_random_key();
  const auto b64 = srtp_key_to_base64(k);
  EXPECT_EQ(b64.size(), 40u);
  SrtpKey back;
  ASSERT_TRUE(srtp_key_from_base64(b64, back));
  EXPECT_EQ(std::memcmp(k.bytes, back.bytes, 30), 0);
  EXPECT_FALSE(srtp_key_from_base64("bm90IGEga2V5", back));
  EXPECT_FALSE(srtp_key_from_base64("!!!", back));
}

TEST(Srtp, ProtectUnprotectRoundTrip) {
  const SrtpKey k = srtp_random_key();
  SrtpSession tx, rx;
  ASSERT_EQ(tx.init(k, true), "");
  ASSERT_EQ(rx.init(k, false), "");
  uint8_t buf[256], orig[256];
  size_t len = make_rtp(buf, 1);
  std::memcpy(orig, buf, len);
  ASSERT_TRUE(tx.protect_rtp(buf, len, sizeof buf));
  EXPECT_EQ(len, 172u + 10);  // HMAC-SHA1-80 tag
  EXPECT_NE(std::memcmp(buf + 12, orig + 12, 160), 0);  // encrypted
  ASSERT_TRUE(rx.unprotect_rtp(buf, len));
  EXPECT_EQ(len, 172u);
  EXPECT_EQ(std::memcmp(buf, orig, len), 0);
}

TEST(Srtp, TamperedAndReplayedPacketsFail) {
  const SrtpKey k = srtp_random_key();
  SrtpSession tx, rx;
  tx.init(k, true);
  rx.init(k, false);
  uint8_t a[256], copy[256];
  size_t len = make_rtp(a, 7);
  tx.protect_rtp(a, len, sizeof a);
  std::memcpy(copy, a, len);
  size_t l1 = len;
  ASSERT_TRUE(rx.unprotect_rtp(a, l1));
  size_t l2 = len;
  EXPECT_FALSE(rx.unprotect_rtp(copy, l2));  // replay
  uint8_t b[256];
  size_t lb = make_rtp(b, 8);
  tx.protect_rtp(b, lb, sizeof b);
  b[20] ^= 1;  // one flipped bit
  EXPECT_FALSE(rx.unprotect_rtp(b, lb));
  SrtpSession wrong;
  wrong.init(srtp_random_key(), false);
  uint8_t c[256];
  size_t lc = make_rtp(c, 9);
  tx.protect_rtp(c, lc, sizeof c);
  EXPECT_FALSE(wrong.unprotect_rtp(c, lc));
}
