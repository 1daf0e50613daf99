#include "control/campaign/call_command_listener.h"

#include <boost/json.hpp>
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
      : pqxx::notification_receiver(c, sql::scoped_channel(c, sql::kCommandChannel)), instance_(std::move(instance)), woken_(woken) {}
  void operator()(const std::string& payload, int) override {
    if (payload == instance_) woken_ = true;
  }

 private:
  std::string instance_;
  bool& woken_;
};

/// A click-to-dial request (sql::kDialChannel) handed to the runner; it answers on its own thread.
class DialReceiver : public pqxx::notification_receiver {
 public:
  DialReceiver(pqxx::connection_base& c, std::function<void(const std::string&)> got)
      : pqxx::notification_receiver(c, sql::scoped_channel(c, sql::kDialChannel)), got_(std::move(got)) {}
  void operator()(const std::string& payload, int) override { got_(payload); }

 private:
  std::function<void(const std::string&)> got_;
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
      std::unique_ptr<DialReceiver> dial_rx;
      if (place_) dial_rx = std::make_unique<DialReceiver>(*c, [this](const std::string& p) { take_dial(p); });
      drain(*c);
      listening_ = true;
      if (down_logged) spdlog::info("call control: listening for commands again");
      down_logged = false;
      while (!stop_) {
        // Wakes on a NOTIFY; the timeout only bounds how long stop() waits.
        c->await_notification(0, 300000);
        if (woken) woken = false, drain(*c);
        send_dial_replies(*c);
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

void CallCommandListener::take_dial(const std::string& payload) {
  ClickToDial req;
  std::string request;
  try {
    const auto j = boost::json::parse(payload).as_object();
    request = std::to_string(j.at("request").as_int64());
    req.campaign_id = j.at("campaignId").as_int64();
    req.lead_id = j.at("leadId").as_int64();
    req.number = std::string(j.at("number").as_string());
    req.agent = std::string(j.at("agent").as_string());
    req.placed_by = j.at("placedBy").as_int64();
    req.new_lead = j.at("newLead").as_bool();
  } catch (const std::exception& e) {
    spdlog::warn("call control: a click-to-dial request that does not parse ({}): {}", e.what(), payload);
    return;
  }
  // Every dialing process hears the request; the first to take the lead places the call and
  // answers. The others are refused the lead and stay silent, as does a process that could not
  // place it (the asking process then answers 503 at its deadline).
  place_(std::move(req), [this, request](long long call_id, const std::string& error) {
    if (call_id <= 0) {
      spdlog::info("call control: click-to-dial request {} not placed here: {}", request, error);
      return;
    }
    std::lock_guard lk(replies_mu_);
    dial_replies_.push_back("dial " + request + " " + std::to_string(call_id));
  });
}

void CallCommandListener::send_dial_replies(pqxx::connection& c) {
  std::vector<std::string> out;
  {
    std::lock_guard lk(replies_mu_);
    out.swap(dial_replies_);
  }
  if (out.empty()) return;
  pqxx::nontransaction tx(c);
  for (const auto& r : out) tx.exec_params(sql::kNotifyScopedSql, sql::kReplyChannel, r);
}

}  // namespace hark::control
