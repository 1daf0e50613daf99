#include "tests/support/load_generator.h"

#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace hark::media {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

void LoadGenerator::set_streams(std::vector<LoadStream> streams) {
  streams_ = std::move(streams);
  per_stream_sent_.assign(streams_.size(), 0);
}

namespace {
int make_socket(sockaddr_in& addr) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
  const int buf = 4 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  // What comes back is drained once a tick: at 10,000 streams that is 10,000 datagrams, more
  // than rmem_max allows. Root may go past it; others keep the 4 MB above.
  const int big = 64 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("load generator: bind failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return fd;
}

double thread_cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}
}  // namespace

LoadGenerator::LoadGenerator(LoadOptions o) : o_(o) {
  int n = o_.threads > 0 ? o_.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  local_ = loopback(0);
  // The first socket picks the port, the others join it (SO_REUSEPORT, same user).
  for (int t = 0; t < n; ++t) fds_.push_back(make_socket(local_));
}

LoadGenerator::~LoadGenerator() {
  for (int fd : fds_) ::close(fd);
}

void LoadGenerator::run() {
  const size_t n = streams_.size(), k = fds_.size();
  std::vector<double> cpu(k, 0);
  std::vector<std::thread> others;
  auto share = [&](size_t t) {
    const double c0 = thread_cpu_now();
    run_share(t, n * t / k, n * (t + 1) / k);
    cpu[t] = thread_cpu_now() - c0;
  };
  for (size_t t = 1; t < k; ++t) others.emplace_back(share, t);
  share(0);
  for (auto& th : others) th.join();
  cpu_seconds_ = 0;
  for (double c : cpu) cpu_seconds_ += c;
}

void LoadGenerator::run_share(size_t t, size_t from, size_t to) {
  const int fd = fds_[t];
  if (o_.nice_increment > 0) {  // this thread only (Linux: a thread's nice is its own)
    const id_t tid = id_t(::gettid());
    errno = 0;
    const int now = ::getpriority(PRIO_PROCESS, tid);
    if (errno == 0) ::setpriority(PRIO_PROCESS, tid, std::min(19, now + o_.nice_increment));
  }
  constexpr size_t kBatch = 256;
  constexpr size_t kPayload = 160;
  const size_t n = to;  // the per-stream vectors are indexed by stream: [from, to) used
  std::vector<uint16_t> seq(n);
  std::vector<uint32_t> ts(n), ssrc(n);
  std::vector<size_t> pos(n, 0);
  for (size_t i = from; i < n; ++i) { seq[i] = uint16_t(i * 7919); ts[i] = uint32_t(i * 104729); ssrc[i] = uint32_t(0x10000 + i); }
  std::vector<uint8_t> pkts(kBatch * (12 + kPayload));
  std::vector<mmsghdr> msgs(kBatch);
  std::vector<iovec> iov(kBatch);
  std::vector<uint8_t> rx(kBatch * 256);
  std::vector<mmsghdr> rmsgs(kBatch);
  std::vector<iovec> riov(kBatch);

  const int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  itimerspec its{};
  its.it_interval.tv_sec = o_.interval_us / 1000000;
  its.it_interval.tv_nsec = long(o_.interval_us % 1000000) * 1000;
  its.it_value = its.it_interval;
  ::timerfd_settime(tfd, 0, &its, nullptr);
  const auto start = std::chrono::steady_clock::now();

  auto drain = [&] {
    for (;;) {
      for (size_t i = 0; i < kBatch; ++i) {
        riov[i] = {rx.data() + i * 256, 256};
        rmsgs[i].msg_hdr = {};
        rmsgs[i].msg_hdr.msg_iov = &riov[i];
        rmsgs[i].msg_hdr.msg_iovlen = 1;
      }
      const int r = ::recvmmsg(fd, rmsgs.data(), kBatch, MSG_DONTWAIT, nullptr);
      if (r <= 0) return;
      received_ += uint64_t(r);
      if (size_t(r) < kBatch) return;
    }
  };

  while (!stop_) {
    uint64_t expirations = 0;
    // Only the timer wakes the generator: what comes back is drained once a tick, so the
    // receiving end's sends do not each pay for waking this thread (a far end's wake-ups are
    // not the engine's cost).
    pollfd pfd[1] = {{tfd, POLLIN, 0}};
    if (::poll(pfd, 1, 100) <= 0) continue;
    if (::read(tfd, &expirations, sizeof expirations) != sizeof expirations) continue;
    if (o_.duration_s > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= o_.duration_s)
      break;
    bool any = false;
    size_t batch = 0;
    auto flush = [&] {
      size_t off = 0;
      while (off < batch) {
        const int s = ::sendmmsg(fd, msgs.data() + off, unsigned(batch - off), 0);
        if (s <= 0) break;
        off += size_t(s);
      }
      sent_ += uint64_t(off);
      batch = 0;
    };
    // A generator starved of CPU (a loaded machine) catches up, up to 5 frames a stream, so
    // the traffic offered stays 50 packets/s per stream on average.
    const uint64_t frames = std::min<uint64_t>(expirations, 5);
    if (expirations > frames) frames_skipped_ += expirations - frames;
    for (uint64_t f = 0; f < frames; ++f) {
      for (size_t i = from; i < n; ++i) {
        const auto& a = *streams_[i].audio;
        if (pos[i] + kPayload > a.size()) {
          if (!o_.loop || a.size() < kPayload) continue;
          pos[i] = 0;
        }
        any = true;
        uint8_t* p = pkts.data() + batch * (12 + kPayload);
        p[0] = 0x80;
        p[1] = streams_[i].payload_type;
        p[2] = uint8_t(seq[i] >> 8); p[3] = uint8_t(seq[i]);
        for (int k = 0; k < 4; ++k) p[4 + k] = uint8_t(ts[i] >> (24 - 8 * k));
        for (int k = 0; k < 4; ++k) p[8 + k] = uint8_t(ssrc[i] >> (24 - 8 * k));
        std::memcpy(p + 12, a.data() + pos[i], kPayload);
        ++seq[i];
        ts[i] += kPayload;
        pos[i] += kPayload;
        ++per_stream_sent_[i];
        iov[batch] = {p, 12 + kPayload};
        msgs[batch].msg_hdr = {};
        msgs[batch].msg_hdr.msg_name = &streams_[i].dest;
        msgs[batch].msg_hdr.msg_namelen = sizeof streams_[i].dest;
        msgs[batch].msg_hdr.msg_iov = &iov[batch];
        msgs[batch].msg_hdr.msg_iovlen = 1;
        if (++batch == kBatch) flush();
      }
    }
    flush();
    drain();
    if (!any && o_.duration_s <= 0) break;
  }
  drain();  // what came back since the last tick (another thread may still be sending)
  ::close(tfd);
}

}  // namespace hark::media
