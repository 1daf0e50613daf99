// One sofia-sip event loop on the thread that creates it: su_root with threading off, driven
// by su_root_step, with file descriptors watched for readability and one periodic timer.
// The SIP agent and the callee simulator each run one. Create, run and destroy it on the same
// thread, and destroy the NUA objects made on it before it.
#pragma once

#include <functional>
#include <list>
#include <string>
#include <thread>
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

/// Starts `thread` on a SipLoop of its own: `setup` runs there first (it creates the NUA and
/// registers what the loop watches) and returns an error or ""; then the loop runs until
/// `done()`, then `teardown()` (destroy the NUA). Returns setup's error; on an error the thread
/// has already ended.
std::string start_sip_thread(std::thread& thread, std::function<std::string(SipLoop&)> setup,
                             std::function<bool()> done, std::function<void()> teardown);

}  // namespace hark::signaling
