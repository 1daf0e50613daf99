// The asking end of the call-command bus: one dedicated PostgreSQL connection and thread per
// process that LISTENs on hark_call_replies. A handler that sent a command registers its id
// here (before its transaction commits, so no reply can come first) and returns a
// LaterResponse; the reply, or the deadline, finishes it. The HTTP I/O thread never waits.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

namespace hark::control {

class CallReplies {
 public:
  /// status: the owner's outcome (202, 409, 501, 504 expired), or 0 when the deadline passed.
  using Done = std::function<void(int status, const std::string& message)>;

  explicit CallReplies(std::string database_url);
  ~CallReplies();
  void start();
  /// Stops the thread; waiters still registered are answered 0 (no reply).
  void stop();
  /// Calls `done` once, from the listening thread: with the command's outcome once the owner
  /// wrote it, or with 0 after `timeout`. A click-to-dial request waits as -(its request id),
  /// and is answered 201 with the call id as the message ("dial <request> <call id>").
  void expect(long long command_id, std::chrono::milliseconds timeout, Done done);

 private:
  struct Waiter {
    std::chrono::steady_clock::time_point deadline;
    Done done;
  };
  void loop();
  /// Finishes the waiters among `ids` whose command has an outcome (a catch-up when `ids` is
  /// every waiter).
  void collect(pqxx::connection& c, const std::vector<long long>& ids);
  void finish(long long id, int status, const std::string& message);

  std::string url_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::map<long long, Waiter> waiters_;
};

}  // namespace hark::control
