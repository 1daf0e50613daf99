// Media engine benchmark: N concurrent G.711 streams at 50 packets/s from the load generator,
// one packet sent back per stream per 20 ms, 2 threads, loopback (127.0.0.100). In one run,
// on the same traffic:
//   - the I/O floor: a bare epoll + recvmmsg + sendto loop, no RTP processing, no AMD;
//   - the receive-only floor: epoll + recvmmsg, nothing sent;
//   - the engine (AMD on every stream) on io_uring and on epoll;
//   - the oRTP peer: libortp sessions receiving and sending the same traffic.
// CPU is the threads' user+system time as a share of one core. Also: packets lost, verdict
// latency (the deciding packet's arrival to the event) and resident memory per stream.
//
//   media_bench [--streams 300,1000,3000,10000] [--seconds 10] [--corpus DIR] [--ortp on|off]
//               [--only io|rx|uring|epoll|ortp] [--gen-threads N (default: one per core)]
//               [--gen-nice N (default 3: the generator runs that much nicer than the engine)]
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "media/audio_file.h"
#include "media/g711.h"
#include "tests/support/load_generator.h"
#include "media/media_engine.h"
#include "bench/media_bench_util.h"
#include "bench/ortp_peer.h"

using namespace hark;
using namespace hark::media;
using Clock = std::chrono::steady_clock;
using bench::load_audio;
using bench::pct;
using bench::thread_cpu;

namespace {

constexpr const char* kIp = "127.0.0.100";  // the engine's and the floors' address
constexpr uint16_t kPortMin = 10000;           // 10,000 streams: even ports up to 30,000

sockaddr_in bench_addr(uint16_t port) {
  sockaddr_in a = loopback(port);
  inet_pton(AF_INET, kIp, &a.sin_addr);
  return a;
}

// User and system CPU seconds of this process's threads whose name starts with `prefix`
// (/proc/self/task/*/stat, in clock ticks): how much of a configuration's CPU is its own code
// and how much the kernel's socket work.
struct UserSys {
  double user = 0, sys = 0;
};
UserSys threads_user_sys(const std::string& prefix) {
  UserSys r;
  const double tick = double(sysconf(_SC_CLK_TCK));
  DIR* d = ::opendir("/proc/self/task");
  if (!d) return r;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string dir = std::string("/proc/self/task/") + e->d_name;
    std::string comm;
    std::ifstream c(dir + "/comm");
    std::getline(c, comm);
    if (comm.rfind(prefix, 0) != 0) continue;
    std::ifstream f(dir + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string x;
    for (int i = 3; i <= 13; ++i) fields >> x;  // state .. cmajflt
    double ut = 0, st = 0;
    fields >> ut >> st;                          // fields 14 and 15
    r.user += ut / tick;
    r.sys += st / tick;
  }
  ::closedir(d);
  return r;
}

long rss_bytes() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, rss = 0;
  f >> pages >> rss;
  return rss * sysconf(_SC_PAGESIZE);
}

int g_gen_threads = 0;  // load generator threads: 0 = one per core
// The generator's threads run this much nicer than what they measure: where the machine cannot
// carry both the full traffic and the engine, the engine gets the CPU first (its losses are
// then its own) and the generator offers what it can (reported).
int g_gen_nice = 3;

LoadOptions gen_options(int seconds) {
  LoadOptions lo;
  lo.loop = true;  // every stream keeps sending for the whole run
  lo.duration_s = seconds + 1;
  lo.threads = g_gen_threads;
  lo.nice_increment = g_gen_nice;
  return lo;
}

// What the load generator managed: the share of 50 packets/s per stream it offered over its
// run, and its own CPU (one core = 100 %). A starved generator makes a configuration look
// cheaper and a loss-free run prove nothing, so every row reports it.
struct Offer {
  uint64_t sent = 0;
  double share = 0, core = 0;
  uint64_t skipped = 0;
  double seconds = 1;  // the generator's run
};
Offer offer_of(const LoadGenerator& g, int n, int seconds) {
  return {g.sent(), double(g.sent()) / (50.0 * n * (seconds + 1)), g.cpu_seconds() / (seconds + 1),
          g.frames_skipped(), double(seconds + 1)};
}

struct FloorResult {
  double core = 0;          // the floor's threads, share of one core
  uint64_t received = 0;    // in the measured part (after the warm-up)
  uint64_t lost = 0;        // generator packets never read, over the whole run
  Offer offer;
};

struct EngineResult {
  Offer offer;
  double core = 0;  // share of one core, both workers
  uint64_t sent = 0, received = 0, returned = 0;
  std::vector<double> verdict_us;
  double rss_per_stream = 0;
  std::string path;
  double user = 0, sys = 0;  // the workers' user and system time, share of one core
};

// N sockets on kIp (ephemeral ports) fed by a load generator sending silence.
struct FloorSockets {
  std::vector<int> fds;
  std::vector<LoadStream> targets;
  static inline std::vector<uint8_t> silence = std::vector<uint8_t>(160 * 50, 0xff);
  explicit FloorSockets(int n) {
    for (int i = 0; i < n; ++i) {
      const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
      sockaddr_in a = bench_addr(0);
      ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
      socklen_t len = sizeof a;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
      fds.push_back(fd);
      targets.push_back({a, &silence, 0});
    }
  }
  ~FloorSockets() {
    for (int fd : fds) ::close(fd);
  }
};

int drain(int fd, mmsghdr* msgs, iovec* iov, uint8_t (*bufs)[1500]) {
  int total = 0;
  for (;;) {
    for (int b = 0; b < 16; ++b) {
      iov[b] = {bufs[b], 1500};
      msgs[b].msg_hdr = {};
      msgs[b].msg_hdr.msg_iov = &iov[b];
      msgs[b].msg_hdr.msg_iovlen = 1;
    }
    const int got = ::recvmmsg(fd, msgs, 16, MSG_DONTWAIT, nullptr);
    if (got > 0) total += got;
    if (got < 16) return total;
  }
}

// The receive-only floor (as before): one thread, epoll over N sockets, recvmmsg, nothing else.
FloorResult receive_floor(int n, int seconds) {
  FloorSockets fs(n);
  LoadGenerator gen(gen_options(seconds));
  gen.set_streams(fs.targets);
  std::atomic<bool> stop{false};
  FloorResult r;
  uint64_t all = 0;
  std::thread loop([&] {
    const int ep = ::epoll_create1(0);
    for (size_t i = 0; i < fs.fds.size(); ++i) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = uint32_t(i);
      ::epoll_ctl(ep, EPOLL_CTL_ADD, fs.fds[i], &ev);
    }
    uint8_t bufs[16][1500];
    mmsghdr msgs[16];
    iovec iov[16];
    epoll_event ready[256];
    const auto warm = Clock::now() + std::chrono::seconds(1);
    double cpu0 = -1;
    Clock::time_point t0;
    uint64_t count = 0;
    while (!stop) {
      if (cpu0 < 0 && Clock::now() >= warm) cpu0 = thread_cpu(pthread_self()), t0 = Clock::now(), all += count, count = 0;
      const int k = ::epoll_wait(ep, ready, 256, 50);
      for (int i = 0; i < k; ++i) count += uint64_t(drain(fs.fds[ready[i].data.u32], msgs, iov, bufs));
    }
    r.core = (thread_cpu(pthread_self()) - cpu0) / std::chrono::duration<double>(Clock::now() - t0).count();
    r.received = count;
    for (int fd : fs.fds) count += uint64_t(drain(fd, msgs, iov, bufs));  // what is left
    all += count;
    ::close(ep);
  });
  std::thread sender([&] { gen.run(); });
  sender.join();  // the generator stops by itself after seconds + 1
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop = true;
  loop.join();
  r.offer = offer_of(gen, n, seconds);
  r.lost = gen.sent() > all ? gen.sent() - all : 0;
  return r;
}

// The I/O floor: the engine's I/O and nothing else, in plain system calls, on 2 threads like
// the engine's 2 workers. Each thread ticks every 20 ms (timerfd), asks epoll without waiting
// which of its sockets are readable, drains them with recvmmsg, then sends one 172-byte
// packet per socket back to the generator with sendto. No RTP processing, no AMD.
FloorResult io_floor(int n, int seconds) {
  FloorSockets fs(n);
  LoadGenerator gen(gen_options(seconds));
  gen.set_streams(fs.targets);
  const sockaddr_in back = gen.local();
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> got{0}, all{0};
  std::vector<double> core(2, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      const size_t from = fs.fds.size() * size_t(t) / 2, to = fs.fds.size() * size_t(t + 1) / 2;
      const int ep = ::epoll_create1(0);
      for (size_t i = from; i < to; ++i) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = uint32_t(i);
        ::epoll_ctl(ep, EPOLL_CTL_ADD, fs.fds[i], &ev);
      }
      const int tfd = ::timerfd_create(CLOCK_MONOTONIC, 0);
      itimerspec its{};
      its.it_interval.tv_nsec = its.it_value.tv_nsec = 20'000'000;
      ::timerfd_settime(tfd, 0, &its, nullptr);
      uint8_t bufs[16][1500];
      mmsghdr msgs[16];
      iovec iov[16];
      epoll_event ready[256];
      uint8_t pkt[172] = {0x80};
      const auto warm = Clock::now() + std::chrono::seconds(1);
      double cpu0 = -1;
      Clock::time_point t0;
      uint64_t count = 0;
      while (!stop) {
        if (cpu0 < 0 && Clock::now() >= warm) cpu0 = thread_cpu(pthread_self()), t0 = Clock::now(), all += count, count = 0;
        pollfd p{tfd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        uint64_t exp;
        if (::read(tfd, &exp, sizeof exp) != sizeof exp) continue;
        for (;;) {
          const int k = ::epoll_wait(ep, ready, 256, 0);
          for (int i = 0; i < k; ++i) count += uint64_t(drain(fs.fds[ready[i].data.u32], msgs, iov, bufs));
          if (k < 256) break;
        }
        for (size_t i = from; i < to; ++i)
          ::sendto(fs.fds[i], pkt, sizeof pkt, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&back), sizeof back);
      }
      core[size_t(t)] = (thread_cpu(pthread_self()) - cpu0) / std::chrono::duration<double>(Clock::now() - t0).count();
      got += count;
      for (size_t i = from; i < to; ++i) count += uint64_t(drain(fs.fds[i], msgs, iov, bufs));  // what is left
      all += count;
      ::close(ep);
      ::close(tfd);
    });
  }
  std::thread sender([&] { gen.run(); });
  sender.join();  // the generator stops by itself after seconds + 1
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop = true;
  for (auto& t : threads) t.join();
  FloorResult r;
  r.core = core[0] + core[1];
  r.received = got;
  r.offer = offer_of(gen, n, seconds);
  r.lost = gen.sent() > all ? gen.sent() - all : 0;
  return r;
}

// The oRTP peer on the same traffic; -1 when it cannot run (error printed).
double ortp_floor(int n, int seconds, uint64_t& received) {
  LoadGenerator gen(gen_options(seconds));
  bench::OrtpPeer peer(n, kIp, kPortMin, gen.local());
  if (!peer.error().empty()) {
    std::fprintf(stderr, "oRTP peer at %d streams: %s\n", n, peer.error().c_str());
    return -1;
  }
  std::vector<LoadStream> t;
  for (uint16_t port : peer.ports()) t.push_back({bench_addr(port), &FloorSockets::silence, 0});
  gen.set_streams(t);
  std::thread sender([&] { gen.run(); });
  const double cpu = peer.run(2, 1, seconds);
  gen.stop();
  sender.join();
  received = peer.received();
  return cpu / seconds;
}

bool g_amd = true;
bool g_send = true;

EngineResult run(int n, int seconds, const std::vector<std::vector<uint8_t>>& audio, IoMode io) {
  EngineResult r;
  const long rss0 = rss_bytes();
  MediaEngineOptions o;
  o.workers = 2;
  o.bind_ip = kIp;
  o.port_min = kPortMin;
  o.port_max = uint16_t(kPortMin + 2 * n + 100);
  o.max_streams = size_t(n) + 16;
  o.io = io;
  MediaEngine engine(o);
  r.path = engine.io_path();
  LoadGenerator gen(gen_options(seconds));
  std::vector<LoadStream> t;
  std::vector<StreamId> ids;
  for (int i = 0; i < n; ++i) {
    StreamParams p;
    const auto local = gen.local();
    std::memcpy(&p.remote, &local, sizeof local);
    p.remote_len = sizeof local;
    p.amd = g_amd;
    p.send = g_send;
    p.rtcp_mux = true;  // one socket per stream: 10,000 streams within a 20,000 fd limit
    auto s = engine.open(p);
    // 10,000 opens outrun a worker on a busy machine (4096 commands queue per worker): wait
    // for it to catch up.
    for (int tries = 0; !s.ok() && s.error.find("queue is full") != std::string::npos && tries < 30000; ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      s = engine.open(p);
    }
    if (!s.ok()) {
      std::fprintf(stderr, "open %d: %s\n", i, s.error.c_str());
      std::exit(1);
    }
    ids.push_back(s.id);
    t.push_back({bench_addr(s.port), &audio[size_t(i) % audio.size()], 0});
  }
  gen.set_streams(t);
  std::thread sender([&] { gen.run(); });

  std::vector<pollfd> pfd;
  for (int fd : engine.event_fds()) pfd.push_back({fd, POLLIN, 0});
  const auto start = Clock::now();
  std::vector<double> cpu0;
  UserSys us0;
  uint64_t received_at_end = 0;
  bool closing = false;
  auto handle = [&](const MediaEvent& e) {
    // Verdict latency: the deciding packet's kernel arrival stamp to the event in our hands
    // (verdicts forced by the close at the end are not decided by a packet: left out).
    if (e.kind == MediaEventKind::amd && e.amd.kind == amd::EventKind::verdict && !closing)
      r.verdict_us.push_back(double(wall_ns() - e.packet_ns) / 1000.0);
    if (e.kind == MediaEventKind::ended) received_at_end += e.stats.received;
  };
  while (Clock::now() - start < std::chrono::seconds(seconds + 1)) {
    if (cpu0.empty() && Clock::now() - start >= std::chrono::seconds(1)) {
      cpu0 = engine.worker_cpu_seconds();
      us0 = threads_user_sys("hark-media-");
      r.rss_per_stream = double(rss_bytes() - rss0) / n;
    }
    ::poll(pfd.data(), pfd.size(), 20);
    engine.drain_events(handle);
  }
  const auto cpu1 = engine.worker_cpu_seconds();
  const UserSys us1 = threads_user_sys("hark-media-");
  r.user = (us1.user - us0.user) / seconds;
  r.sys = (us1.sys - us0.sys) / seconds;
  for (size_t w = 0; w < cpu1.size(); ++w) r.core += (cpu1[w] - cpu0[w]) / seconds;
  sender.join();
  closing = true;
  for (auto id : ids) engine.close(id);
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (engine.open_streams() > 0 && Clock::now() < deadline) {
    ::poll(pfd.data(), pfd.size(), 20);
    engine.drain_events(handle);
  }
  r.sent = gen.sent();
  r.offer = offer_of(gen, n, seconds);
  r.received = received_at_end;
  r.returned = gen.received();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> counts = {300, 1000, 3000, 10000};
  int seconds = 10;
  bool with_ortp = true;
  std::string only;  // e.g. "uring": run that configuration alone (for profiling)
  std::string corpus = "build/corpus";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--streams") {
      counts.clear();
      std::stringstream ss(argv[i + 1]);
      for (std::string x; std::getline(ss, x, ',');) counts.push_back(std::stoi(x));
    } else if (a == "--seconds") seconds = std::stoi(argv[i + 1]);
    else if (a == "--corpus") corpus = argv[i + 1];
    else if (a == "--amd") g_amd = std::string(argv[i + 1]) != "off";
    else if (a == "--send") g_send = std::string(argv[i + 1]) != "off";
    else if (a == "--ortp") with_ortp = std::string(argv[i + 1]) != "off";
    else if (a == "--only") only = argv[i + 1];
    else if (a == "--gen-threads") g_gen_threads = std::stoi(argv[i + 1]);
    else if (a == "--gen-nice") g_gen_nice = std::stoi(argv[i + 1]);
  }
  const long fd_limit = raise_fd_limit();
  std::printf("open-files limit: %ld\n", fd_limit);
  const auto audio = load_audio(corpus);
  if (audio.empty()) {
    std::fprintf(stderr, "media_bench: no audio in %s (run fixtures/make_corpus.sh)\n", corpus.c_str());
    return 1;
  }
  std::printf("%d s per run after 1 s warm-up; audio: the %zu corpus calls, looped; AMD on every stream;\n"
              "2 threads everywhere; CPU as share of one core; lost = generator packets the engine did not count\n",
              seconds, audio.size());
  std::printf("%7s %8s %8s %8s %8s %8s %7s %7s %7s %7s %9s %9s %8s\n", "streams", "io_floor", "rx_floor", "uring",
              "epoll", "ortp", "u/io", "e/io", "u_lost", "e_lost", "verd_p50", "verd_p99", "KB/strm");
  for (int n : counts) {
    uint64_t ortp_rx = 0;
    auto want = [&](const char* c) { return only.empty() || only == c; };
    const FloorResult iof = want("io") ? io_floor(n, seconds) : FloorResult{};
    const FloorResult rxf = want("rx") ? receive_floor(n, seconds) : FloorResult{};
    const double io = iof.core, rx = rxf.core;
    const uint64_t io_rx = iof.received, rx_rx = rxf.received;
    const EngineResult u = want("uring") ? run(n, seconds, audio, IoMode::uring) : EngineResult{};
    const EngineResult e = want("epoll") ? run(n, seconds, audio, IoMode::epoll) : EngineResult{};
    // oRTP binds RTP and RTCP sockets: two descriptors a stream.
    const double ortp = want("ortp") && with_ortp && 2 * n + 64 < fd_limit ? ortp_floor(n, seconds, ortp_rx) : -1;
    auto lost = [](const EngineResult& r) { return r.sent > r.received ? r.sent - r.received : 0; };
    char ortp_s[16] = "n/a";
    if (ortp >= 0) std::snprintf(ortp_s, sizeof ortp_s, "%.1f%%", 100 * ortp);
    std::printf("%7d %7.1f%% %7.1f%% %7.1f%% %7.1f%% %8s %6.2fx %6.2fx %7llu %7llu %7.0fus %7.0fus %8.1f%s\n", n,
                100 * io, 100 * rx, 100 * u.core, 100 * e.core, ortp_s, u.core / std::max(1e-9, io),
                e.core / std::max(1e-9, io), (unsigned long long)lost(u), (unsigned long long)lost(e),
                pct(u.verdict_us, 50), pct(u.verdict_us, 99), u.rss_per_stream / 1024,
                u.path == "io_uring" || !want("uring") ? "" : "  (uring run fell back to epoll!)");
    std::printf("        detail: offered %.0f%%/%.0f%% of 50 pkt/s/stream (uring/epoll runs), generator sent %llu/%llu, engine sent back %llu/%llu, "
                "floors received io %llu rx %llu, oRTP received %llu; epoll verdict p50/p99 %.0f/%.0f us, "
                "epoll KB/stream %.1f\n",
                100.0 * double(u.sent) / (50.0 * n * (seconds + 1)), 100.0 * double(e.sent) / (50.0 * n * (seconds + 1)),
                (unsigned long long)u.sent, (unsigned long long)e.sent, (unsigned long long)u.returned,
                (unsigned long long)e.returned, (unsigned long long)io_rx, (unsigned long long)rx_rx,
                (unsigned long long)ortp_rx, pct(e.verdict_us, 50), pct(e.verdict_us, 99), e.rss_per_stream / 1024);
    auto offered = [](const char* name, const Offer& o, uint64_t lost) {
      std::printf(" %s %.0f%% (gen %.0f%% = %.2f us/pkt, %llu lost)", name, 100 * o.share, 100 * o.core,
                  o.sent ? o.core * 1e6 / (double(o.sent) / o.seconds) : 0.0, (unsigned long long)lost);
    };
    std::printf("        offered (share of 50 pkt/s/stream; generator CPU; packets lost):");
    if (want("io")) offered("io_floor", iof.offer, iof.lost);
    if (want("rx")) offered("rx_floor", rxf.offer, rxf.lost);
    if (want("uring")) offered("uring", u.offer, lost(u));
    if (want("epoll")) offered("epoll", e.offer, lost(e));
    if (want("uring")) std::printf("; uring user/sys %.1f%%/%.1f%%", 100 * u.user, 100 * u.sys);
    if (want("epoll")) std::printf("; epoll user/sys %.1f%%/%.1f%%", 100 * e.user, 100 * e.sys);
    std::printf("; generator late beyond catch-up: %llu frames\n",
                (unsigned long long)(iof.offer.skipped + rxf.offer.skipped + u.offer.skipped + e.offer.skipped));
    // Per received packet (each one also pays for one packet sent back, except in rx_floor):
    // comparable when a starved generator offered each configuration a different share. The
    // engine and oRTP count from the start, so their packets are scaled to the measured part.
    const double measured = double(seconds) / (seconds + 1);
    auto us = [&](double core, double pkts) { return pkts > 0 ? core * seconds * 1e6 / pkts : 0.0; };
    const double us_io = us(io, double(io_rx)), us_u = us(u.core, double(u.received) * measured);
    const double us_e = us(e.core, double(e.received) * measured);
    std::printf("        us/packet: io_floor %.2f, rx_floor %.2f, uring %.2f, epoll %.2f, ortp %.2f; "
                "uring/io_floor %.2fx, epoll/io_floor %.2fx\n",
                us_io, us(rx, double(rx_rx)), us_u, us_e, ortp >= 0 ? us(ortp, double(ortp_rx) * measured) : 0.0,
                us_u / std::max(1e-9, us_io), us_e / std::max(1e-9, us_io));
    std::fflush(stdout);
  }
  return 0;
}
