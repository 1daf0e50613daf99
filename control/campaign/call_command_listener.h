// The owner's end of the call-command bus: a dedicated PostgreSQL connection and thread that
// LISTENs on hark_call_commands, takes this process's unanswered commands (FOR UPDATE SKIP
// LOCKED), checks each against the call's state, runs it through CallControl and writes the
// outcome (NOTIFY hark_call_replies). After any (re)connect it catches up on the rows sent
// while it was away; rows older than `expire_s` are answered 504 without being run (the caller
// gave up on them long ago).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <pqxx/pqxx>

#include "control/campaign/call_commands.h"
#include "control/campaign/runner_view.h"

namespace hark::control {

class CallCommandListener {
 public:
  /// This process's call by its public id (the attempt id); nullopt when not ours or over.
  using Lookup = std::function<std::optional<OwnedCall>(long long call_id)>;

  CallCommandListener(std::string database_url, std::string instance_id, Lookup lookup, CallControl& control,
                      int expire_s = 30);
  ~CallCommandListener();
  void start();
  void stop();
  /// Click-to-dial requests of processes that do not dial (sql::kDialChannel) go to `place`
  /// (the runner's place_call); set before start. Unset: they are not listened to.
  void on_dial(std::function<void(ClickToDial, ClickPlaced)> place) { place_ = std::move(place); }
  /// Commands answered so far (any outcome).
  uint64_t answered() const { return answered_.load(); }
  /// True once LISTEN is in place (the first catch-up done).
  bool listening() const { return listening_.load(); }

 private:
  void loop();
  /// Takes and answers every unanswered command of this process; one transaction.
  void drain(pqxx::connection& c);

  /// Hands one click-to-dial request to `place_` (the listener's thread, inside a notification).
  void take_dial(const std::string& payload);
  /// Sends the dial replies queued by the runner's thread (NOTIFY on this connection).
  void send_dial_replies(pqxx::connection& c);

  std::string url_, instance_;
  std::function<void(ClickToDial, ClickPlaced)> place_;
  std::mutex replies_mu_;
  std::vector<std::string> dial_replies_;  ///< "dial <request> <call id>", to NOTIFY
  Lookup lookup_;
  CallControl& control_;
  int expire_s_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, listening_{false};
  std::atomic<uint64_t> answered_{0};
  std::mutex mu_;
  std::condition_variable cv_;  // the wait between reconnects, cut short by stop()
};

}  // namespace hark::control
