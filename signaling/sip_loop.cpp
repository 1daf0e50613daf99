#include "signaling/sip_loop.h"

#include <sofia-sip/su_log.h>
#include <sofia-sip/su_wait.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <future>
#include <mutex>

namespace hark::signaling {

namespace {
int on_readable(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg) {
  (*reinterpret_cast<std::function<void()>*>(arg))();
  return 0;
}
void on_timer(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
  (*reinterpret_cast<std::function<void()>*>(arg))();
}

// sofia-sip writes its own diagnostics to stderr, a line in several calls and without a
// level (e.g. one "handle with session" line per live call at shutdown). They go to our log at
// debug level instead, a whole line at a time, so HARK_LOG_LEVEL=debug shows them and the
// default output stays ours.
void sofia_to_spdlog(void*, const char* fmt, va_list ap) {
  thread_local std::string line;
  char buf[512];
  const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  if (n <= 0) return;
  line.append(buf, std::min<size_t>(size_t(n), sizeof buf - 1));
  for (size_t nl; (nl = line.find('\n')) != std::string::npos; line.erase(0, nl + 1))
    if (nl) spdlog::debug("sofia: {}", line.substr(0, nl));
}
}  // namespace

extern "C" {
extern su_log_t nua_log[], nta_log[], tport_log[], soa_log[], nea_log[];
}

SipLoop::SipLoop() {
  static std::once_flag redirected;
  std::call_once(redirected, [] {
    for (su_log_t* log : {su_log_default, nua_log, nta_log, tport_log, soa_log, nea_log}) su_log_redirect(log, sofia_to_spdlog, nullptr);
  });
  su_init();
  root_ = su_root_create(nullptr);
  su_root_threading(root_, 0);  // one thread, ours: no locking inside sofia
}

SipLoop::~SipLoop() {
  if (timer_) su_timer_destroy(timer_);
  for (int w : waits_) su_root_deregister(root_, w);
  su_root_destroy(root_);
  su_deinit();
}

void SipLoop::watch(int fd, std::function<void()> f) {
  callbacks_.push_back(std::move(f));
  su_wait_t w;
  su_wait_create(&w, fd, SU_WAIT_IN);
  waits_.push_back(su_root_register(root_, &w, on_readable, reinterpret_cast<su_wakeup_arg_t*>(&callbacks_.back()), 0));
}

void SipLoop::every(int ms, std::function<void()> f) {
  callbacks_.push_back(std::move(f));
  timer_ = su_timer_create(su_root_task(root_), ms);
  su_timer_run(timer_, on_timer, reinterpret_cast<su_timer_arg_t*>(&callbacks_.back()));
}

void SipLoop::run_until(const std::function<bool()>& done) {
  while (!done()) su_root_step(root_, 50);
}

std::string start_sip_thread(std::thread& thread, std::function<std::string(SipLoop&)> setup,
                             std::function<bool()> done, std::function<void()> teardown) {
  std::promise<std::string> ready;
  auto result = ready.get_future();
  thread = std::thread([&ready, setup = std::move(setup), done = std::move(done), teardown = std::move(teardown)] {
    SipLoop loop;
    const std::string err = setup(loop);
    ready.set_value(err);  // `ready` lives until start_sip_thread returns, i.e. past this line
    if (!err.empty()) return;
    loop.run_until(done);
    teardown();
  });
  std::string err = result.get();
  if (!err.empty()) thread.join();
  return err;
}

}  // namespace hark::signaling
