// One campaign's agents as the runner sees them (issue 18): who is ready, who is busy, and
// which of hark's calls holds which agent. It is the signaling layer's AgentGate: a person the
// AMD found takes a ready agent here, on the SIP thread, without I/O; the runner writes the
// holds to PostgreSQL on its next tick and reloads the reported states each tick.
//
// How the two reports combine: once any agent of the campaign has reported its state
// (PUT .../agents/{agentId}), the per-agent states rule and the aggregate freeAgents is not
// used. A call hark hands to an agent holds it (counted talking) until the contact center
// reports that agent again. Without per-agent reports, freeAgents is the contact center's own
// count of free agents (it includes hark's transfers once it reports again); a person takes one
// of them only while fewer people are being handed over than that count.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "signaling/call_plan.h"

namespace hark::control {

/// One agent's row (campaign_agents).
struct AgentRow {
  std::string id, state;        ///< state: ready | talking | wrapup | paused | offline
  std::string extension;        ///< the transfer target for this agent ("" : the pilot number)
  std::optional<long long> held_attempt;  ///< hark's call holding it since its last report
};

/// A hold or its release to write to the store.
struct AgentHoldWrite {
  std::string agent_id;
  long long attempt_id = 0;
  bool hold = true;  ///< false: the call never reached the agent; release it
};

class AgentBoard : public signaling::AgentGate {
 public:
  /// The runner's view after reading the store: the agents (empty: none reported), the
  /// aggregate freeAgents and the pilot number. `now_s`: seconds on the runner's clock.
  void update(const std::vector<AgentRow>& agents, int free_agents, std::string pilot, double now_s);

  /// A free agent for call `tag` (an attempt id): its extension or the pilot; "" when none.
  std::string take(uint64_t tag) override;
  /// Call `tag` ended: a call that never reached its agent gives the agent back.
  void on_call_end(uint64_t tag, bool reached_agent);

  /// Agents ready and not held by a call.
  int ready() const;
  /// Agents talking or in wrap-up (held ones included).
  int busy() const;
  /// Where to transfer a call for `agent`: its extension, else the pilot number.
  std::string target_of(const std::string& agent) const;
  /// Whether any agent reported its own state.
  bool per_agent() const;
  /// Holds and releases taken since the last call, to write to the store.
  std::vector<AgentHoldWrite> drain_writes();
  /// Handling times (talk + wrap-up, seconds) of agents hark held that reported ready again,
  /// since the last call: PacingEstimate's handle time.
  std::vector<double> drain_handled();

 private:
  struct Agent {
    AgentRow row;
    std::optional<long long> local_hold;  ///< taken here, not yet seen in the store
    bool drained = true;                  ///< the hold was handed to the store's writer
  };
  mutable std::mutex mu_;
  std::map<std::string, Agent> agents_;
  std::map<uint64_t, std::string> held_by_call_;  ///< call tag -> agent id ("": an aggregate agent)
  std::map<std::string, double> held_since_;      ///< agent -> when hark gave it a call
  int free_agents_ = 0;
  int handing_over_ = 0;  ///< aggregate: people given an agent and not yet ended
  std::string pilot_;
  double now_s_ = 0;
  std::vector<AgentHoldWrite> writes_;
  std::vector<double> handled_;
};

}  // namespace hark::control
