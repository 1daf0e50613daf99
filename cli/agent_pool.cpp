#include "cli/agent_pool.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace hark::cli {

std::string sip_user(const std::string& uri) {
  size_t start = 0;
  if (uri.rfind("sip:", 0) == 0) start = 4;
  else if (uri.rfind("sips:", 0) == 0) start = 5;
  const auto end = uri.find_first_of("@;?>", start);
  return uri.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TalkTimes::TalkTimes(const AgentPoolOptions& o)
    : mean_(o.talk_mean_s),
      sigma_(o.talk_sigma),
      rng_(o.seed),
      // A lognormal whose mean is talk_mean_s: mu = ln(mean) - σ²/2.
      d_(std::log(std::max(1e-3, o.talk_mean_s)) - o.talk_sigma * o.talk_sigma / 2, std::max(1e-9, o.talk_sigma)) {}

double TalkTimes::next() { return sigma_ <= 0 ? mean_ : d_(rng_); }

AgentPool::AgentPool(AgentPoolOptions o, Report report) : o_(std::move(o)), report_(std::move(report)), talk_(o_) {
  const int width = std::max(2, int(std::to_string(std::max(1, o_.agents)).size()));
  for (int i = 0; i < o_.agents; ++i) {
    std::string n = std::to_string(i + 1);
    n.insert(0, size_t(width) - std::min(size_t(width), n.size()), '0');
    Agent a;
    a.a = {"agent" + n, std::to_string(o_.first_extension + i), "ready", 0};
    agents_.push_back(a);
  }
}

AgentPool::~AgentPool() { stop(); }

void AgentPool::start() {
  {
    std::lock_guard lk(mu_);
    const auto now = Clock::now();
    for (auto& a : agents_) {
      a.ready_since = now;
      queue_.push_back(a.a);
    }
  }
  thread_ = std::thread([this] { run(); });
}

void AgentPool::stop() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AgentPool::change(size_t i, const char* state) {
  auto& a = agents_[i];
  a.a.state = state;
  queue_.push_back(a.a);
}

std::string AgentPool::on_refer(const std::string& refer_to) {
  const std::string user = sip_user(refer_to);
  std::string id;
  std::optional<size_t> pick;
  {
    std::lock_guard lk(mu_);
    if (!o_.pilot.empty() && user == o_.pilot) {
      // The pilot number: the agent ready longest, as an ACD queue would pick.
      for (size_t i = 0; i < agents_.size(); ++i)
        if (agents_[i].a.state == "ready" && (!pick || agents_[i].ready_since < agents_[*pick].ready_since)) pick = i;
    } else {
      for (size_t i = 0; i < agents_.size(); ++i)
        if (agents_[i].a.extension == user && agents_[i].a.state == "ready") pick = i;
    }
    if (!pick) {
      ++counts_.missed;
    } else {
      auto& a = agents_[*pick];
      ++counts_.transfers;
      ++a.a.calls;
      const auto talk = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(talk_.next()));
      a.next = Clock::now() + talk;
      change(*pick, "talking");
      id = a.a.id;
    }
  }
  if (id.empty()) {
    spdlog::warn("agent pool: a transfer to {} found no ready agent there", refer_to);
    return "";
  }
  cv_.notify_all();
  return id;
}

void AgentPool::run() {
  std::unique_lock lk(mu_);
  while (!stop_) {
    const auto now = Clock::now();
    auto wake = Clock::time_point::max();
    for (size_t i = 0; i < agents_.size(); ++i) {
      auto& a = agents_[i];
      if (a.next <= now) {
        if (a.a.state == "talking") {
          a.next = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.wrapup_s));
          change(i, "wrapup");
        } else {
          a.next = Clock::time_point::max();
          a.ready_since = now;
          change(i, "ready");
        }
      }
      wake = std::min(wake, a.next);
    }
    if (!queue_.empty()) {
      // Sent outside the lock: REFERs keep coming in meanwhile, and queue behind it in order.
      const PoolAgent r = queue_.front();
      queue_.pop_front();
      sending_ = true;
      lk.unlock();
      const std::string err = report_ ? report_(r) : std::string();
      if (!err.empty()) spdlog::warn("agent pool: reporting {} {}: {}", r.id, r.state, err);
      lk.lock();
      sending_ = false;
      ++counts_.reports;
      counts_.report_errors += err.empty() ? 0 : 1;
      cv_.notify_all();
      continue;
    }
    if (wake == Clock::time_point::max()) cv_.wait(lk);
    else cv_.wait_until(lk, wake);
  }
}

AgentPoolCounts AgentPool::counts() const {
  std::lock_guard lk(mu_);
  return counts_;
}

std::vector<PoolAgent> AgentPool::agents() const {
  std::lock_guard lk(mu_);
  std::vector<PoolAgent> out;
  for (const auto& a : agents_) out.push_back(a.a);
  return out;
}

bool AgentPool::wait_reported(std::chrono::milliseconds limit) const {
  std::unique_lock lk(mu_);
  return cv_.wait_for(lk, limit, [&] { return queue_.empty() && !sending_; });
}

}  // namespace hark::cli
