#include "cli/stop_signal.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

namespace hark::cli {

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }
}  // namespace

void install_stop_signals() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool stop_requested() { return g_stop; }

void wait_for_stop(double seconds) {
  install_stop_signals();
  const auto start = std::chrono::steady_clock::now();
  while (!g_stop && (seconds < 0 || std::chrono::steady_clock::now() - start < std::chrono::duration<double>(seconds)))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace hark::cli
