// One sofia-sip event loop on the thread that creates it: su_root with threading off, driven
// by su_root_step, with file descriptors watched for readability and one periodic timer.
// The SIP agent and the callee simulator each run one. Create, run and destroy it on the same
// thread, and destroy the NUA objects made on it before it.
#pragma once

#include <functional>
#include <list>
#include <vector>

struct su_root_s;
struct su_timer_s;

namespace hark::signaling {

class SipLoop {
 public:
  SipLoop();
  ~SipLoop();
  SipLoop(const SipLoop&) = delete;
  SipLoop& operator=(const SipLoop&) = delete;

  su_root_s* root() const { return root_; }
  /// Calls `f` on this thread whenever `fd` is readable (f must consume what woke it).
  void watch(int fd, std::function<void()> f);
  /// Calls `f` on this thread every `ms` milliseconds.
  void every(int ms, std::function<void()> f);
  /// Steps the loop until `done()` holds.
  void run_until(const std::function<bool()>& done);

 private:
  su_root_s* root_ = nullptr;
  su_timer_s* timer_ = nullptr;
  std::list<std::function<void()>> callbacks_;  // stable addresses for sofia's C callbacks
  std::vector<int> waits_;
};

}  // namespace hark::signaling
