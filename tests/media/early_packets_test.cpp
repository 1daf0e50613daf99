#include "media/early_packets.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using hark::media::EarlyPackets;

namespace {
sockaddr_storage addr(uint16_t port) {
  sockaddr_storage s{};
  auto& a = reinterpret_cast<sockaddr_in&>(s);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return s;
}

struct Seen {
  std::string data;
  uint16_t port;
  uint64_t at;
};

std::vector<Seen> replay(EarlyPackets& e, uint32_t slot) {
  std::vector<Seen> out;
  e.replay(slot, [&](uint8_t* buf, size_t len, const sockaddr_storage& from, uint64_t at) {
    out.push_back({std::string(reinterpret_cast<char*>(buf), len), ntohs(reinterpret_cast<const sockaddr_in&>(from).sin_port), at});
  });
  return out;
}

bool hold(EarlyPackets& e, uint32_t slot, const std::string& data, uint16_t port, uint64_t at) {
  return e.hold(slot, reinterpret_cast<const uint8_t*>(data.data()), data.size(), addr(port), at);
}
}  // namespace

TEST(EarlyPackets, EachSlotGetsItsOwnPacketsBackInArrivalOrderOnce) {
  EarlyPackets e(4, 16, 8);
  EXPECT_TRUE(hold(e, 1, "a1", 5000, 10));
  EXPECT_TRUE(hold(e, 2, "b1", 6000, 11));
  EXPECT_TRUE(hold(e, 1, "a2", 5002, 12));
  EXPECT_TRUE(hold(e, 1, "a3", 5000, 13));
  EXPECT_EQ(e.held(), 4u);
  const auto one = replay(e, 1);
  ASSERT_EQ(one.size(), 3u);
  EXPECT_EQ(one[0].data, "a1");
  EXPECT_EQ(one[1].data, "a2");
  EXPECT_EQ(one[1].port, 5002);  // the sender is kept with each packet: the stream filters
  EXPECT_EQ(one[2].data, "a3");
  EXPECT_EQ(one[2].at, 13u);
  EXPECT_TRUE(replay(e, 1).empty()) << "replayed twice";
  EXPECT_EQ(e.held(), 1u);
  const auto two = replay(e, 2);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].data, "b1");
  EXPECT_EQ(e.held(), 0u);
}

TEST(EarlyPackets, ASlotKeepsItsFirstPacketsAndThePoolIsBounded) {
  EarlyPackets e(3, 5, 3);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(hold(e, 0, std::string(1, char('a' + i)), 5000, uint64_t(i)), i < 3) << i;
  EXPECT_TRUE(hold(e, 1, "q0", 5000, 0));
  EXPECT_TRUE(hold(e, 1, "q1", 5000, 1));
  EXPECT_FALSE(hold(e, 2, "r0", 5000, 0)) << "pool of 5 is full";
  EXPECT_FALSE(hold(e, 0, std::string(EarlyPackets::kMaxPayload + 1, 'x'), 5000, 0)) << "too large";
  EXPECT_EQ(e.refused(), 4u);
  const auto zero = replay(e, 0);
  ASSERT_EQ(zero.size(), 3u);
  EXPECT_EQ(zero.front().data, "a");  // the start of the answer, not its latest packets
  EXPECT_EQ(zero.back().data, "c");
  // Entries come back to the pool, by replay or by drop.
  EXPECT_TRUE(hold(e, 2, "r0", 5000, 0));
  e.drop(1);
  e.drop(2);
  EXPECT_EQ(e.held(), 0u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(hold(e, 2, "s", 5000, 0));
  EXPECT_TRUE(hold(e, 1, "t", 5000, 0));
  EXPECT_TRUE(hold(e, 1, "t", 5000, 0));
  EXPECT_EQ(e.held(), 5u);
  EXPECT_TRUE(replay(e, 9).empty()) << "a slot out of range holds nothing";
}
