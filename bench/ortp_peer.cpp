#include "bench/ortp_peer.h"

#include <arpa/inet.h>
#include <ortp/ortp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace hark::bench {

namespace {
double thread_cpu() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}
RtpSession* session(void* p) { return static_cast<RtpSession*>(p); }
}  // namespace

OrtpPeer::OrtpPeer(int n, const std::string& ip, uint16_t port_min, const sockaddr_in& remote) {
  static bool initialised = [] {
    ortp_init();
    ortp_set_log_level_mask(NULL, ORTP_ERROR | ORTP_FATAL);
    return true;
  }();
  (void)initialised;
  char remote_ip[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &remote.sin_addr, remote_ip, sizeof remote_ip);
  const int remote_port = ntohs(remote.sin_port);
  for (int i = 0; i < n; ++i) {
    RtpSession* s = rtp_session_new(RTP_SESSION_SENDRECV);
    rtp_session_set_scheduling_mode(s, 0);  // we tick; oRTP's scheduler thread is not used
    rtp_session_set_blocking_mode(s, 0);
    rtp_session_set_profile(s, &av_profile);
    rtp_session_set_payload_type(s, 0);
    rtp_session_set_symmetric_rtp(s, 0);
    const int port = port_min + 2 * i;
    if (rtp_session_set_local_addr(s, ip.c_str(), port, port + 1) != 0) {
      error_ = "oRTP could not bind " + ip + ":" + std::to_string(port);
      rtp_session_destroy(s);
      return;
    }
    rtp_session_set_remote_addr(s, remote_ip, remote_port);
    sessions_.push_back(s);
    ports_.push_back(uint16_t(port));
  }
}

OrtpPeer::~OrtpPeer() {
  for (void* s : sessions_) rtp_session_destroy(session(s));
}

double OrtpPeer::run(int threads, double warmup, double seconds) {
  std::atomic<double> cpu{0};
  std::vector<std::thread> pool;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const size_t from = sessions_.size() * size_t(t) / size_t(threads);
      const size_t to = sessions_.size() * size_t(t + 1) / size_t(threads);
      const int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
      itimerspec its{};
      its.it_interval.tv_nsec = 20'000'000;
      its.it_value.tv_nsec = 20'000'000;
      ::timerfd_settime(tfd, 0, &its, nullptr);
      uint8_t silence[160];
      std::fill(std::begin(silence), std::end(silence), 0xff);
      uint32_t ts = 0;
      double cpu0 = -1;
      for (;;) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (cpu0 < 0 && elapsed >= warmup) cpu0 = thread_cpu();
        if (elapsed >= warmup + seconds) break;
        pollfd p{tfd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        uint64_t exp;
        if (::read(tfd, &exp, sizeof exp) != sizeof exp) continue;
        // Each tick, as a oRTP application does: take what arrived for this timestamp (oRTP
        // reads the socket dry into its jitter buffer), send the next packet.
        for (size_t i = from; i < to; ++i) {
          RtpSession* s = session(sessions_[i]);
          while (mblk_t* m = rtp_session_recvm_with_ts(s, ts)) freemsg(m);
          rtp_session_send_with_ts(s, silence, sizeof silence, ts);
        }
        ts += 160;
      }
      double c = thread_cpu() - (cpu0 < 0 ? thread_cpu() : cpu0);
      double cur = cpu.load();
      while (!cpu.compare_exchange_weak(cur, cur + c)) {
      }
      ::close(tfd);
    });
  }
  for (auto& t : pool) t.join();
  return cpu.load();
}

uint64_t OrtpPeer::received() const {
  uint64_t n = 0;
  for (void* s : sessions_) n += rtp_session_get_stats(session(s))->packet_recv;
  return n;
}

}  // namespace hark::bench
