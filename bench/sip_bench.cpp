// SIP benchmark: calls set up and torn down per second, and the dialer's CPU and memory per
// call, at a given concurrency, against `hark simulate-callee` running as its own process (so
// this process's CPU is the dialer's alone).
//
//   sip_bench --hark build/cli/hark [--concurrent 300,3000] [--cps 300] [--amd off|on]
//
// Each call: INVITE -> 180 -> (ring, which holds the call up) -> 200 OK with audio -> the dialer
// hangs up (AMD off: at once; AMD on: after the verdict) -> BYE.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "media/media_engine.h"
#include "signaling/sip_agent.h"

using namespace hark;
using namespace hark::signaling;
using Clock = std::chrono::steady_clock;

extern char** environ;

namespace {
double cpu_seconds() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long peak_rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}
}  // namespace

int main(int argc, char** argv) {
  std::string hark_bin = "build/cli/hark";
  std::vector<int> levels = {300, 3000};
  double cps = 300;
  bool amd = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--hark") hark_bin = argv[i + 1];
    else if (a == "--cps") cps = std::atof(argv[i + 1]);
    else if (a == "--amd") amd = std::string(argv[i + 1]) == "on";
    else if (a == "--concurrent") {
      levels.clear();
      std::stringstream ss(argv[i + 1]);
      for (std::string x; std::getline(ss, x, ',');) levels.push_back(std::stoi(x));
    }
  }
  media::raise_fd_limit();
  std::printf("dialer CPU is this process's (SIP thread + media workers); the callee runs apart\n");
  std::printf("%10s %8s %10s %10s %12s %14s %12s %12s %10s %12s\n", "concurrent", "calls", "ring_ms", "dial/s", "calls/s_e2e", "cpu_ms/call",
              "peak_up", "pdd_p50_ms", "failed", "rss_MiB");
  for (int n : levels) {
    // Ring long enough that n calls are up at once at this rate.
    const int ring_ms = int(1000.0 * n / cps) + 1000;
    const std::string map = "/tmp/hark-sip-bench-" + std::to_string(::getpid()) + ".map";
    {
      std::ofstream f(map);
      f << "* answer " << HARK_SOURCE_DIR << "/fixtures/samples/human-short-001.ul ring=" << ring_ms << "\n";
    }
    const pid_t sim = spawn({hark_bin, "simulate-callee", "--listen", "sip:127.0.0.1:25070", "--map", map,
                             "--rtp-ports", "2000-14999"});
    std::this_thread::sleep_for(std::chrono::milliseconds(800));

    media::MediaEngineOptions mo;
    mo.port_min = 20000;
    mo.port_max = 29999;
    mo.max_streams = size_t(n) + 64;
    media::MediaEngine engine(mo);
    TrunkSettings t;
    t.bind_url = "sip:127.0.0.1:25060";
    t.domain = "127.0.0.1:25070";
    t.calls_per_second = cps;
    t.max_concurrent = n;
    std::mutex mu;
    std::condition_variable cv;
    size_t ended = 0, failed = 0;
    std::vector<double> pdd;
    SipAgent agent(t, engine, [&](const CallEvent& e) {
      if (e.state != CallState::ended) return;
      std::lock_guard<std::mutex> g(mu);
      ++ended;
      if (e.sip_code != 200) ++failed;
      if (e.setup_ms > 0) pdd.push_back(e.setup_ms);
      cv.notify_all();
    });
    if (auto err = agent.start(); !err.empty()) {
      std::fprintf(stderr, "%s\n", err.c_str());
      return 1;
    }
    const double cpu0 = cpu_seconds();
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
      CallRequest r;
      r.number = std::to_string(5550000 + i);
      r.amd = amd;
      agent.originate(r);
    }
    size_t peak = 0;
    double all_up_s = 0;  // when every call had its INVITE out: the achieved dialing rate
    for (;;) {
      std::unique_lock<std::mutex> g(mu);
      if (cv.wait_for(g, std::chrono::milliseconds(50), [&] { return ended >= size_t(n); })) break;
      g.unlock();
      peak = std::max(peak, agent.calls_up());
      if (all_up_s == 0 && peak >= size_t(n)) all_up_s = std::chrono::duration<double>(Clock::now() - t0).count();
      if (Clock::now() - t0 > std::chrono::seconds(120)) break;
    }
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    agent.stop();
    kill(sim, SIGTERM);
    waitpid(sim, nullptr, 0);
    std::remove(map.c_str());
    std::sort(pdd.begin(), pdd.end());
    std::printf("%10d %8zu %10d %10.0f %12.0f %14.3f %12zu %12.1f %10zu %12.1f\n", n, ended, ring_ms,
                all_up_s > 0 ? double(n) / all_up_s : 0.0, double(ended) / wall,
                1000.0 * cpu / double(std::max<size_t>(1, ended)), peak, pdd.empty() ? 0.0 : pdd[pdd.size() / 2], failed,
                double(peak_rss_kib()) / 1024.0);
    std::fflush(stdout);
  }
  return 0;
}
