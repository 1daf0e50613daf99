// Raw loopback sockets for tests that need more than one request per connection: idle
// connections, half-sent headers, server-sent-event streams. Deadlines are generous.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

namespace hark::test {

using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(30);

/// A blocking loopback client socket; -1 when it could not connect.
inline int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline void send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const auto n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += size_t(n);
  }
}

struct ReadResult {
  std::string data;
  bool eof = false;  ///< the server closed (or reset) the connection
};

/// Reads until `needle` arrives, the peer closes, or the deadline passes.
inline ReadResult read_until(int fd, const std::string& needle, Clock::duration within = kDeadline) {
  ReadResult r;
  const auto until = Clock::now() + within;
  while (Clock::now() < until) {
    if (!needle.empty() && r.data.find(needle) != std::string::npos) return r;
    pollfd p{fd, POLLIN, 0};
    const int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count());
    if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
    char buf[4096];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      r.eof = true;
      return r;
    }
    r.data.append(buf, size_t(n));
  }
  return r;
}

/// Waits for `pred` with a generous deadline.
template <class Pred>
bool eventually(Pred pred, Clock::duration within = kDeadline) {
  const auto until = Clock::now() + within;
  while (Clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace hark::test
