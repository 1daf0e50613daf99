#include "cli/agent_pool_cli.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "cli/option_values.h"

namespace hark::cli {

const char* const kAgentPoolUsage =
    "  --agents N            a pool of N agents takes the REFERs and reports their states (0: none)\n"
    "  --talk-mean S         mean talk time [20]   --talk-sigma X  lognormal sigma, 0: fixed [0.8]\n"
    "  --wrapup S            wrap-up time [5]      --seed N        talk times' seed [1]\n"
    "  --first-extension N   agents' extensions count up from it [7001]\n"
    "  --pilot NUMBER        REFERs to it go to the agent ready longest\n"
    "  --api URL --campaign ID --token T   where states are reported (token: or HARK_API_TOKEN)\n";

int take_agent_pool_option(int argc, char** argv, int& i, AgentPoolCli& out) {
  const std::string a = argv[i];
  static const char* const ours[] = {"--agents", "--talk-mean", "--talk-sigma", "--wrapup", "--seed",
                                     "--first-extension", "--pilot", "--api", "--campaign", "--token"};
  if (std::find(std::begin(ours), std::end(ours), a) == std::end(ours)) return 0;
  if (i + 1 >= argc) {
    spdlog::error("hark simulate-callee: {} needs a value", a);
    return -1;
  }
  const std::string v = argv[++i];
  auto bad = [&](const char* what) {
    spdlog::error("hark simulate-callee: {} needs {}, got '{}'", a, what, v);
    return -1;
  };
  auto& p = out.pool;
  if (a == "--agents") return parse_whole(v, p.agents) && p.agents >= 0 && p.agents <= 1000 ? 1 : bad("0 to 1000");
  if (a == "--talk-mean") return parse_decimal(v, p.talk_mean_s) && p.talk_mean_s > 0 && p.talk_mean_s <= 86400 ? 1 : bad("seconds over 0");
  if (a == "--talk-sigma") return parse_decimal(v, p.talk_sigma) && p.talk_sigma >= 0 && p.talk_sigma <= 3 ? 1 : bad("0 to 3");
  if (a == "--wrapup") return parse_decimal(v, p.wrapup_s) && p.wrapup_s >= 0 && p.wrapup_s <= 86400 ? 1 : bad("seconds, 0 or more");
  if (a == "--seed") return parse_whole(v, p.seed) ? 1 : bad("a whole number");
  if (a == "--first-extension")
    return parse_whole(v, p.first_extension) && p.first_extension >= 0 && p.first_extension <= 999'999'000 ? 1 : bad("a number");
  if (a == "--pilot") return p.pilot = v, 1;
  if (a == "--api") return out.api = v, 1;
  if (a == "--campaign") return parse_whole(v, out.campaign) && out.campaign > 0 ? 1 : bad("a campaign id");
  out.token = v;  // --token
  return 1;
}

std::unique_ptr<AgentPool> make_agent_pool(AgentPoolCli& o, signaling::CalleeSimulator& sim, std::string* error) {
  if (o.pool.agents == 0) return nullptr;
  if (o.token.empty())
    if (const char* t = std::getenv("HARK_API_TOKEN")) o.token = t;
  if (o.api.empty() || o.campaign == 0 || o.token.empty()) {
    *error = "--agents needs --api, --campaign and --token (or HARK_API_TOKEN)";
    return nullptr;
  }
  std::string why;
  auto reporter = AgentReporter::make(o.api, o.campaign, o.token, &why);
  if (!reporter) {
    *error = "--api: " + why;
    return nullptr;
  }
  auto pool = std::make_unique<AgentPool>(o.pool, [r = *reporter](const PoolAgent& a) { return r.put(a); });
  sim.on_refer([p = pool.get()](const signaling::ReferSeen& s) { p->on_refer(s.target); });
  return pool;
}

}  // namespace hark::cli
