// The agent pool's options of `hark simulate-callee` (--agents N ... --api URL --campaign ID
// --token T) and its wiring to the simulator: kept here so the simulator's command only asks.
#pragma once

#include <memory>
#include <string>

#include "cli/agent_pool.h"
#include "cli/agent_reporter.h"
#include "signaling/callee_simulator.h"

namespace hark::cli {

struct AgentPoolCli {
  static AgentPoolOptions no_agents() {
    AgentPoolOptions o;
    o.agents = 0;
    return o;
  }
  AgentPoolOptions pool = no_agents();  ///< agents 0: no pool
  std::string api;                     ///< hark's REST API, http://host:port
  long long campaign = 0;
  std::string token;                   ///< a campaign administrator's bearer token (or HARK_API_TOKEN)
};

/// The usage lines of the options below.
extern const char* const kAgentPoolUsage;

/// Takes argv[i] (and its value, moving i) when it is one of the pool's options. Returns 1 when
/// taken, 0 when not the pool's, -1 on a bad value (logged).
int take_agent_pool_option(int argc, char** argv, int& i, AgentPoolCli& out);

/// With --agents: checks the options, makes the pool and gives it the simulator's REFERs (call
/// before sim.start, then start the pool). nullptr without --agents, or on an error (`error` set).
std::unique_ptr<AgentPool> make_agent_pool(AgentPoolCli& o, signaling::CalleeSimulator& sim, std::string* error);

}  // namespace hark::cli
