// UringIo's send side on its own: a stream's frames after a stall go through the ring in spare
// buffers, leave in the order they were queued (the slot's own frame first), and every spare
// comes back once the kernel has sent it. Loopback, ephemeral ports (no fixed port of its own).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <vector>

#include "media/uring_io.h"

using namespace hark::media;

namespace {

struct NoSink : UringIo::Sink {
  int datagrams = 0;
  void on_datagram(uint32_t, bool, uint8_t*, size_t, const sockaddr_storage&, uint64_t) override { ++datagrams; }
};

int udp_socket(sockaddr_in& a) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return fd;
}

}  // namespace

TEST(MediaIoUring, CatchUpFramesGoInSparesInOrderAndTheSparesComeBack) {
  std::string error;
  auto u = UringIo::create(4, error);
  if (!u) GTEST_SKIP() << "no io_uring here: " << error;
  sockaddr_in from{}, to{};
  const int tx = udp_socket(from), rx = udp_socket(to);
  const int big = 4 << 20;
  ::setsockopt(rx, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  ASSERT_TRUE(u->add(0, tx, -1));
  const auto* dest = reinterpret_cast<const sockaddr*>(&to);

  // The tick's own frame, then catch-up frames until the pool runs dry; more than the SQ
  // holds, so the ring is also submitted part-way.
  uint8_t* own = u->send_buffer(0, 0);
  ASSERT_NE(own, nullptr);
  own[0] = 0;
  own[1] = 0;
  u->queue_send(0, 0, false, 2, dest, sizeof to);
  EXPECT_EQ(u->send_buffer(0, 0), nullptr);  // in flight until its completion is reaped
  uint16_t n = 1;
  while (uint8_t* b = u->spare_buffer()) {
    b[0] = uint8_t(n >> 8);
    b[1] = uint8_t(n);
    u->queue_spare_send(0, 2, dest, sizeof to);
    ++n;
  }
  ASSERT_GE(n, 200);
  EXPECT_EQ(u->spares_in_flight(), size_t(n - 1));
  u->submit();

  NoSink sink;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((u->spares_in_flight() > 0 || !u->send_buffer(0, 0)) && std::chrono::steady_clock::now() < deadline) {
    pollfd p{rx, POLLIN, 0};
    ::poll(&p, 1, 10);
    u->reap(sink);
  }
  EXPECT_EQ(u->spares_in_flight(), 0u);
  EXPECT_NE(u->spare_buffer(), nullptr);
  EXPECT_NE(u->send_buffer(0, 0), nullptr);
  EXPECT_EQ(u->send_errors(), 0u);

  std::vector<uint16_t> got;
  while (got.size() < n && std::chrono::steady_clock::now() < deadline) {
    uint8_t b[16];
    const ssize_t r = ::recv(rx, b, sizeof b, 0);
    if (r == 2) got.push_back(uint16_t(b[0] << 8 | b[1]));
    else if (r < 0) {
      pollfd p{rx, POLLIN, 0};
      ::poll(&p, 1, 100);
    }
  }
  ASSERT_EQ(got.size(), size_t(n));
  for (uint16_t i = 0; i < n; ++i) ASSERT_EQ(got[i], i) << "sent out of order";
  u->remove(0, sink);
  ::close(tx);
  ::close(rx);
}
