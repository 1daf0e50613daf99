#include "control/api/call_replies.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "sql/db_pool.h"
#include "sql/live_call_store.h"

namespace hark::control {

namespace {
using Clock = std::chrono::steady_clock;

class Receiver : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, std::vector<long long>& ids, std::vector<std::pair<long long, long long>>& dials)
      : pqxx::notification_receiver(c, sql::scoped_channel(c, sql::kReplyChannel)), ids_(ids), dials_(dials) {}
  void operator()(const std::string& payload, int) override {
    try {
      if (payload.rfind("dial ", 0) == 0) {  // a click-to-dial placed: "dial <request> <call id>"
        const auto sp = payload.find(' ', 5);
        if (sp != std::string::npos) dials_.emplace_back(std::stoll(payload.substr(5, sp - 5)), std::stoll(payload.substr(sp + 1)));
        return;
      }
      ids_.push_back(std::stoll(payload));
    } catch (const std::exception&) {
    }
  }

 private:
  std::vector<long long>& ids_;
  std::vector<std::pair<long long, long long>>& dials_;
};
}  // namespace

CallReplies::CallReplies(std::string database_url) : url_(std::move(database_url)) {}

CallReplies::~CallReplies() { stop(); }

void CallReplies::start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { loop(); });
}

void CallReplies::stop() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::map<long long, Waiter> left;
  {
    std::lock_guard lk(mu_);
    left.swap(waiters_);
  }
  for (auto& [id, w] : left) w.done(0, "the server is stopping");
}

void CallReplies::expect(long long command_id, std::chrono::milliseconds timeout, Done done) {
  std::lock_guard lk(mu_);
  waiters_[command_id] = Waiter{Clock::now() + timeout, std::move(done)};
}

void CallReplies::finish(long long id, int status, const std::string& message) {
  Done done;
  {
    std::lock_guard lk(mu_);
    auto it = waiters_.find(id);
    if (it == waiters_.end()) return;  // another process's command, or already answered
    done = std::move(it->second.done);
    waiters_.erase(it);
  }
  done(status, message);
}

void CallReplies::collect(pqxx::connection& c, const std::vector<long long>& ids) {
  if (ids.empty()) return;
  std::string array = "{";  // a bigint[] literal
  for (auto id : ids) {
    if (array.size() > 1) array += ',';
    array += std::to_string(id);
  }
  array += "}";
  std::vector<std::tuple<long long, int, std::string>> done;
  {
    pqxx::read_transaction tx(c);
    for (const auto& r : tx.exec_prepared("call_commands_results", array))
      done.emplace_back(r["id"].as<long long>(), r["status"].as<int>(),
                        r["message"].is_null() ? std::string() : r["message"].as<std::string>());
  }
  for (auto& [id, status, message] : done) finish(id, status, message);
}

void CallReplies::loop() {
  bool down_logged = false;
  for (;;) {
    {
      std::lock_guard lk(mu_);
      if (stop_) return;
    }
    try {
      auto c = sql::open_prepared(url_);
      std::vector<long long> notified;
      std::vector<std::pair<long long, long long>> dials;
      Receiver rx(*c, notified, dials);
      // Catch up: replies written while this connection was away (or before its LISTEN).
      std::vector<long long> all;
      {
        std::lock_guard lk(mu_);
        for (const auto& [id, w] : waiters_) all.push_back(id);
      }
      collect(*c, all);
      down_logged = false;
      for (;;) {
        std::vector<std::pair<long long, Done>> expired;
        auto wait = std::chrono::milliseconds(300);  // bounds how long stop() and a new deadline wait
        {
          std::lock_guard lk(mu_);
          if (stop_) return;
          const auto now = Clock::now();
          for (auto it = waiters_.begin(); it != waiters_.end();) {
            if (it->second.deadline <= now) {
              expired.emplace_back(it->first, std::move(it->second.done));
              it = waiters_.erase(it);
            } else {
              wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(it->second.deadline - now) +
                                        std::chrono::milliseconds(1));
              ++it;
            }
          }
        }
        for (auto& [id, done] : expired) done(0, "the call's process did not answer in time");
        c->await_notification(0, long(wait.count()) * 1000);
        for (const auto& [request, call_id] : dials) finish(-request, 201, std::to_string(call_id));
        dials.clear();
        if (!notified.empty()) {
          std::vector<long long> ids;
          ids.swap(notified);
          std::vector<long long> ours;
          {
            std::lock_guard lk(mu_);
            for (auto id : ids)
              if (waiters_.count(id)) ours.push_back(id);
          }
          collect(*c, ours);
        }
      }
    } catch (const std::exception& e) {
      if (!down_logged) spdlog::warn("call control: reply channel lost ({}); reconnecting", e.what());
      down_logged = true;
      std::unique_lock lk(mu_);
      cv_.wait_for(lk, std::chrono::seconds(1), [&] { return stop_; });
    }
  }
}

}  // namespace hark::control
