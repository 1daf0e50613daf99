// Media engine benchmark: N concurrent G.711 streams at 50 packets/s from the load generator
// into the engine, AMD on every stream, silence sent back on every stream. Reports the
// engine's CPU (its worker threads' user+system time) per stream, packets lost, AMD event
// latency, and, on the same traffic, the CPU of a bare epoll + recvmmsg loop (the floor).
//
//   media_record_bench [--streams 300,1000,3000] [--seconds 10] [--corpus DIR] [--record DIR]
//   (the media engine with and without call recording; media_bench measures the I/O paths)
//
// --record DIR: each size runs twice, alternately without and with every stream recorded
// (mixed WAVs into DIR, deleted after), and prints the extra engine CPU, the frames the
// recorder dropped and the packets lost in each.
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "media/audio_file.h"
#include "media/g711.h"
#include "tests/support/load_generator.h"
#include "media/media_engine.h"
#include "bench/media_bench_util.h"

using namespace hark;
using namespace hark::media;
using Clock = std::chrono::steady_clock;
using bench::load_audio;
using bench::pct;
using bench::thread_cpu;

namespace {

struct Result {
  double engine_core = 0, floor_core = 0;  // share of one core
  uint64_t sent = 0, received = 0, floor_received = 0;
  std::vector<double> latency_us;
  size_t verdicts = 0;
  uint64_t record_dropped = 0, recorded = 0;  // --record: frames the recorder dropped, files written
};

// The floor: one thread, epoll over N sockets, recvmmsg, nothing else.
void bare_loop(int n, int seconds, Result& r) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  for (int i = 0; i < n; ++i) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in a = loopback(0);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    fds.push_back(fd);
    ports.push_back(ntohs(a.sin_port));
  }
  static std::vector<std::vector<uint8_t>> silence(1, std::vector<uint8_t>(160 * 50, 0xff));
  LoadOptions lo;
  lo.loop = true;
  lo.duration_s = seconds + 1;
  LoadGenerator gen(lo);
  std::vector<LoadStream> t;
  for (uint16_t p : ports) t.push_back({loopback(p), &silence[0], 0});
  gen.set_streams(t);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> got{0};
  std::atomic<double> cpu{0};
  std::thread loop([&] {
    const int ep = ::epoll_create1(0);
    for (size_t i = 0; i < fds.size(); ++i) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = uint32_t(i);
      ::epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    uint8_t bufs[16][1500];
    mmsghdr msgs[16];
    iovec iov[16];
    epoll_event ready[256];
    const auto warm = Clock::now() + std::chrono::seconds(1);
    double cpu0 = -1;
    uint64_t count = 0;
    while (!stop) {
      if (cpu0 < 0 && Clock::now() >= warm) cpu0 = thread_cpu(pthread_self()), count = 0;
      const int k = ::epoll_wait(ep, ready, 256, 50);
      for (int i = 0; i < k; ++i) {
        for (int b = 0; b < 16; ++b) {
          iov[b] = {bufs[b], 1500};
          msgs[b].msg_hdr = {};
          msgs[b].msg_hdr.msg_iov = &iov[b];
          msgs[b].msg_hdr.msg_iovlen = 1;
        }
        const int got_n = ::recvmmsg(fds[ready[i].data.u32], msgs, 16, MSG_DONTWAIT, nullptr);
        if (got_n > 0) count += uint64_t(got_n);
      }
    }
    cpu = thread_cpu(pthread_self()) - cpu0;
    got = count;
    ::close(ep);
  });
  std::thread sender([&] { gen.run(); });
  std::this_thread::sleep_for(std::chrono::seconds(seconds + 1));
  stop = true;
  loop.join();
  gen.stop();
  sender.join();
  r.floor_core = cpu / seconds;
  r.floor_received = got;
  for (int fd : fds) ::close(fd);
}

bool g_amd = true;
bool g_send = true;
std::string g_record_dir;  // set: this run records every stream there

Result run(int n, int seconds, const std::vector<std::vector<uint8_t>>& audio) {
  Result r;
  MediaEngineOptions o;
  o.workers = 2;
  o.port_min = 20000;
  o.port_max = uint16_t(20000 + 2 * n + 100);
  o.max_streams = size_t(n) + 16;
  o.record_dir = g_record_dir;
  MediaEngine engine(o);
  LoadOptions lo;
  lo.loop = true;  // every stream keeps sending for the whole run
  lo.duration_s = seconds + 1;
  LoadGenerator gen(lo);
  std::vector<LoadStream> t;
  std::vector<StreamId> ids;
  for (int i = 0; i < n; ++i) {
    StreamParams p;
    const auto local = gen.local();
    std::memcpy(&p.remote, &local, sizeof local);
    p.remote_len = sizeof local;
    p.amd = g_amd;
    p.send = g_send;
    p.record = !g_record_dir.empty();
    auto s = engine.open(p);
    if (!s.ok()) {
      std::fprintf(stderr, "open %d: %s\n", i, s.error.c_str());
      std::exit(1);
    }
    ids.push_back(s.id);
    t.push_back({loopback(s.port), &audio[size_t(i) % audio.size()], 0});
  }
  gen.set_streams(t);
  std::thread sender([&] { gen.run(); });

  std::vector<pollfd> pfd;
  for (int fd : engine.event_fds()) pfd.push_back({fd, POLLIN, 0});
  const auto start = Clock::now();
  std::vector<double> cpu0;
  uint64_t received_at_end = 0;
  auto handle = [&](const MediaEvent& e) {
    if (e.kind == MediaEventKind::amd) {
      r.latency_us.push_back(double(wall_ns() - e.packet_ns) / 1000.0);
      if (e.amd.kind == amd::EventKind::verdict) ++r.verdicts;
    }
    if (e.kind == MediaEventKind::ended) received_at_end += e.stats.received;
  };
  while (Clock::now() - start < std::chrono::seconds(seconds + 1)) {
    if (cpu0.empty() && Clock::now() - start >= std::chrono::seconds(1)) cpu0 = engine.worker_cpu_seconds();
    ::poll(pfd.data(), pfd.size(), 20);
    engine.drain_events(handle);
  }
  const auto cpu1 = engine.worker_cpu_seconds();
  for (size_t w = 0; w < cpu1.size(); ++w) r.engine_core += (cpu1[w] - cpu0[w]) / seconds;
  sender.join();
  for (auto id : ids) engine.close(id);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (engine.open_streams() > 0 && Clock::now() < deadline) {
    ::poll(pfd.data(), pfd.size(), 20);
    engine.drain_events(handle);
  }
  r.sent = gen.sent();
  r.received = received_at_end;
  if (engine.recorder()) {
    engine.recorder()->wait_idle(60000);
    r.record_dropped = engine.recorder()->dropped();
    r.recorded = engine.recorder()->written();
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> counts = {300, 1000, 3000};
  int seconds = 10;
  std::string corpus = "build/corpus";
  std::string record_dir;
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
    else if (a == "--record") record_dir = argv[i + 1];
  }
  std::printf("open-files limit: %ld\n", raise_fd_limit());
  const auto audio = load_audio(corpus);
  if (audio.empty()) {
    std::fprintf(stderr, "media_bench: no audio in %s (run fixtures/make_corpus.sh)\n", corpus.c_str());
    return 1;
  }
  std::printf("%d s per run after 1 s warm-up; audio: the %zu corpus calls, looped; AMD on every stream\n",
              seconds, audio.size());
  if (!record_dir.empty()) {
    std::printf("recording every stream (mixed WAV) into %s, against the same run without\n", record_dir.c_str());
    std::printf("%8s %6s %12s %12s %10s %10s %12s %10s\n", "streams", "pass", "plain_core", "record_core", "extra",
                "lost", "rec_dropped", "files");
    for (int n : counts)
      for (int pass = 1; pass <= 2; ++pass) {
        g_record_dir.clear();
        Result plain = run(n, seconds, audio);
        g_record_dir = record_dir;
        Result rec = run(n, seconds, audio);
        g_record_dir.clear();
        const uint64_t lost_plain = plain.sent > plain.received ? plain.sent - plain.received : 0;
        const uint64_t lost_rec = rec.sent > rec.received ? rec.sent - rec.received : 0;
        std::printf("%8d %6d %11.1f%% %11.1f%% %9.1f%% %4llu/%-5llu %12llu %10llu\n", n, pass, 100 * plain.engine_core,
                    100 * rec.engine_core, 100 * (rec.engine_core / std::max(1e-9, plain.engine_core) - 1),
                    (unsigned long long)lost_plain, (unsigned long long)lost_rec,
                    (unsigned long long)rec.record_dropped, (unsigned long long)rec.recorded);
        std::fflush(stdout);
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(record_dir, ec))
          if (e.path().extension() == ".wav") std::filesystem::remove(e.path(), ec);
      }
    return 0;
  }
  std::printf("%8s %12s %14s %12s %14s %10s %10s %12s %12s\n", "streams", "engine_core", "engine_us/pkt",
              "floor_core", "floor_us/pkt", "ratio", "lost", "amd_p50_us", "amd_p99_us");
  for (int n : counts) {
    Result r = run(n, seconds, audio);
    bare_loop(n, seconds, r);
    const double pps = 50.0 * n;
    const uint64_t lost = r.sent > r.received ? r.sent - r.received : 0;
    std::printf("%8d %11.1f%% %14.2f %11.1f%% %14.2f %9.2fx %10llu %12.0f %12.0f\n", n, 100 * r.engine_core,
                r.engine_core * 1e6 / pps, 100 * r.floor_core, r.floor_core * 1e6 / pps,
                r.engine_core / std::max(1e-9, r.floor_core), (unsigned long long)lost, pct(r.latency_us, 50),
                pct(r.latency_us, 99));
    std::fflush(stdout);
  }
  return 0;
}
