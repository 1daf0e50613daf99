#include "control/campaign/agent_board.h"

#include <algorithm>

namespace hark::control {

void AgentBoard::update(const std::vector<AgentRow>& agents, int free_agents, std::string pilot, double now_s) {
  std::lock_guard lk(mu_);
  now_s_ = now_s;
  free_agents_ = free_agents;
  pilot_ = std::move(pilot);
  std::map<std::string, Agent> next;
  for (const auto& row : agents) {
    Agent a{row, std::nullopt, true};
    if (auto it = agents_.find(row.id); it != agents_.end() && !it->second.drained) {
      // Taken on the SIP thread after this tick's writes: the store has not seen it yet.
      a.local_hold = it->second.local_hold;
      a.drained = false;
    }
    // An agent hark gave a call that the contact center reports ready again: one handling time.
    if (auto h = held_since_.find(row.id); h != held_since_.end() && !a.local_hold && !row.held_attempt &&
                                           row.state == "ready") {
      handled_.push_back(std::max(0.0, now_s - h->second));
      held_since_.erase(h);
    }
    next.emplace(row.id, std::move(a));
  }
  agents_ = std::move(next);
}

std::string AgentBoard::take(uint64_t tag) {
  std::lock_guard lk(mu_);
  if (held_by_call_.count(tag)) return {};  // one agent per call
  if (agents_.empty()) {
    if (free_agents_ - handing_over_ <= 0) return {};
    ++handing_over_;
    held_by_call_[tag] = "";
    return pilot_;
  }
  for (auto& [id, a] : agents_) {
    if (a.local_hold || a.row.held_attempt || a.row.state != "ready") continue;
    const std::string target = a.row.extension.empty() ? pilot_ : a.row.extension;
    if (target.empty()) continue;
    a.local_hold = static_cast<long long>(tag);
    a.drained = false;
    held_by_call_[tag] = id;
    held_since_[id] = now_s_;
    writes_.push_back({id, static_cast<long long>(tag), true});
    return target;
  }
  return {};
}

void AgentBoard::on_call_end(uint64_t tag, bool reached_agent) {
  std::lock_guard lk(mu_);
  auto it = held_by_call_.find(tag);
  if (it == held_by_call_.end()) return;
  const std::string id = it->second;
  held_by_call_.erase(it);
  if (id.empty()) {
    handing_over_ = std::max(0, handing_over_ - 1);
    return;
  }
  if (reached_agent) return;  // held until the contact center reports the agent again
  if (auto a = agents_.find(id); a != agents_.end()) {
    if (a->second.local_hold == static_cast<long long>(tag)) a->second.local_hold.reset();
    if (a->second.row.held_attempt == static_cast<long long>(tag)) a->second.row.held_attempt.reset(), a->second.row.state = "ready";
  }
  held_since_.erase(id);
  writes_.push_back({id, static_cast<long long>(tag), false});
}

int AgentBoard::ready() const {
  std::lock_guard lk(mu_);
  if (agents_.empty()) return std::max(0, free_agents_ - handing_over_);
  int n = 0;
  for (const auto& [id, a] : agents_) n += !a.local_hold && !a.row.held_attempt && a.row.state == "ready";
  return n;
}

int AgentBoard::busy() const {
  std::lock_guard lk(mu_);
  int n = 0;
  for (const auto& [id, a] : agents_)
    n += a.local_hold || a.row.held_attempt || a.row.state == "talking" || a.row.state == "wrapup";
  return n;
}

std::string AgentBoard::target_of(const std::string& agent) const {
  std::lock_guard lk(mu_);
  auto it = agents_.find(agent);
  return it == agents_.end() || it->second.row.extension.empty() ? pilot_ : it->second.row.extension;
}

bool AgentBoard::per_agent() const {
  std::lock_guard lk(mu_);
  return !agents_.empty();
}

std::vector<AgentHoldWrite> AgentBoard::drain_writes() {
  std::lock_guard lk(mu_);
  for (auto& [id, a] : agents_) a.drained = true;
  return std::exchange(writes_, {});
}

std::vector<double> AgentBoard::drain_handled() {
  std::lock_guard lk(mu_);
  return std::exchange(handled_, {});
}

}  // namespace hark::control
