// Linked into every test program: when one test runs longer than HARK_TEST_HANG_S seconds
// (default 280, below ctest's time limits), prints every thread's stack (gdb, when installed)
// and aborts. A hang in CI then leaves the place it hung in the log, not only "Timeout".
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "test_thread_stacks.h"

namespace {

long now_s() {
  return long(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

/// What the watching thread reads. Never freed: the detached thread may outlive main().
struct Watch {
  int limit_s = 280;
  std::mutex mu;
  std::string name;
  std::atomic<long> started{0};

  void run() {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      const long t0 = started;
      if (t0 == 0 || now_s() - t0 < limit_s) continue;
      {
        std::lock_guard lk(mu);
        std::fprintf(stderr, "\n*** %s has run %d s: the threads' stacks follow, then abort\n", name.c_str(), limit_s);
      }
      std::fflush(stderr);
      hark::test::print_thread_stacks();
      std::abort();
    }
  }
};

Watch* const watch = new Watch;

class HangGuard : public testing::EmptyTestEventListener {
  void OnTestStart(const testing::TestInfo& t) override {
    std::lock_guard lk(watch->mu);
    watch->name = std::string(t.test_suite_name()) + "." + t.name();
    watch->started = now_s();
  }
  void OnTestEnd(const testing::TestInfo&) override { watch->started = 0; }
};

// gtest_main has not run yet; listeners may be appended before RUN_ALL_TESTS.
[[maybe_unused]] const bool installed = [] {
  const char* s = std::getenv("HARK_TEST_HANG_S");
  watch->limit_s = s ? std::atoi(s) : 280;
  if (watch->limit_s > 0) {
    testing::UnitTest::GetInstance()->listeners().Append(new HangGuard);
    std::thread([] { watch->run(); }).detach();
  }
  return true;
}();

}  // namespace
