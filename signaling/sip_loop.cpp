#include "signaling/sip_loop.h"

#include <sofia-sip/su_wait.h>

#include <future>

namespace hark::signaling {

namespace {
int on_readable(su_root_magic_t*, su_wait_t*, su_wakeup_arg_t* arg) {
  (*reinterpret_cast<std::function<void()>*>(arg))();
  return 0;
}
void on_timer(su_root_magic_t*, su_timer_t*, su_timer_arg_t* arg) {
  (*reinterpret_cast<std::function<void()>*>(arg))();
}
}  // namespace

SipLoop::SipLoop() {
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
