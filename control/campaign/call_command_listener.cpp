#include "control/campaign/call_command_listener.h"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "sql/db_pool.h"
#include "sql/live_call_store.h"

namespace hark::control {

namespace {

/// Notes that a NOTIFY for this instance came; the loop drains after await_notification returns.
class Receiver : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, std::string instance, bool& woken)
      : pqxx::notification_receiver(c, sql::kCommandChannel), instance_(std::move(instance)), woken_(woken) {}
  void operator()(const std::string& payload, int) override {
    if (payload == instance_) woken_ = true;
  }

 private:
  std::string instance_;
  bool& woken_;
};

}  // namespace

CallCommandListener::CallCommandListener(std::string database_url, std::string instance_id, Lookup lookup,
                                         CallControl& control, int expire_s)
    : url_(std::move(database_url)), instance_(std::move(instance_id)), lookup_(std::move(lookup)),
      control_(control), expire_s_(expire_s) {}

CallCommandListener::~CallCommandListener() { stop(); }

void CallCommandListener::start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { loop(); });
}

void CallCommandListener::stop() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CallCommandListener::loop() {
  bool down_logged = false;
  while (!stop_) {
    try {
      auto c = sql::open_prepared(url_);
      bool woken = false;
      Receiver rx(*c, instance_, woken);  // LISTEN before the catch-up: nothing falls between
      drain(*c);
      listening_ = true;
      if (down_logged) spdlog::info("call control: listening for commands again");
      down_logged = false;
      while (!stop_) {
        // Wakes on a NOTIFY; the timeout only bounds how long stop() waits.
        c->await_notification(0, 300000);
        if (woken) woken = false, drain(*c);
      }
    } catch (const std::exception& e) {
      listening_ = false;
      if (!down_logged) spdlog::warn("call control: command bus lost ({}); reconnecting", e.what());
      down_logged = true;
      std::unique_lock lk(mu_);
      cv_.wait_for(lk, std::chrono::seconds(1), [&] { return stop_.load(); });
    }
  }
  listening_ = false;
}

void CallCommandListener::drain(pqxx::connection& c) {
  pqxx::work tx(c);
  const auto commands = sql::pending_commands(tx, instance_, expire_s_);
  for (const auto& cmd : commands) {
    ControlOutcome out;
    const auto kind = call_command_from_string(cmd.kind);
    const auto call = lookup_(cmd.call_id);
    if (cmd.expired) out = {504, "the command waited too long and was not run"};
    else if (!kind) out = {409, "unknown command " + cmd.kind};
    else if (!call) out = {409, "the call has ended"};
    else if (auto why = command_refusal(*kind, *call); !why.empty()) out = {409, std::move(why)};
    else out = run_call_command(control_, *kind, call->sip_call_id, cmd.target);
    sql::answer_command(tx, cmd.id, out.status, out.message);
    spdlog::info("call control: call {} {}{}: {} {}", cmd.call_id, cmd.kind, cmd.target.empty() ? "" : " " + cmd.target,
                 out.status, out.message);
  }
  tx.commit();  // the replies' NOTIFYs go out here
  answered_ += commands.size();
}

}  // namespace hark::control
