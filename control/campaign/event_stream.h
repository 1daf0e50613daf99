// A stream of server-sent events: the campaign runner pushes a campaign's call events, and the
// HTTP connection that serves GET .../events pops them. It lives here, not in the HTTP layer,
// because the runner (which must not know HTTP) is its producer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>

namespace hark::control {

/// A stream of server-sent events: producers push, the connection's writer pops.
class EventStream {
 public:
  /// Queues one event (dropped, and counted, when the reader is too far behind).
  void push(std::string event_name, std::string data);
  /// Waits up to `wait` for the next formatted event; false on timeout or when closed.
  bool pop(std::string& out, std::chrono::milliseconds wait);
  void close();
  bool closed() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> q_;
  bool closed_ = false;
  size_t dropped_ = 0;
};

}  // namespace hark::control
