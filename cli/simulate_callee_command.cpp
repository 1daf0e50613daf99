// `hark simulate-callee`: the callee simulator as a program (the demo's and QA's carrier).
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "cli/agent_pool_cli.h"
#include "cli/commands.h"
#include "cli/option_values.h"
#include "cli/stop_signal.h"
#include "media/media_engine.h"
#include "signaling/callee_simulator.h"

namespace hark::cli {

int simulate_callee_command(int argc, char** argv) {
  std::string listen = "sip:127.0.0.1:5070", map = HARK_SOURCE_DIR "/fixtures/callee-map.txt", media_ip = "127.0.0.1";
  int port_min = 10000, port_max = 14999;  // below the ephemeral ports (32768+ on Linux)
  double duration = -1;
  AgentPoolCli agents;  // --agents N ...: the simulated contact center (cli/agent_pool.h)
  signaling::RtpStack stack = signaling::default_rtp_stack();
  // HARK_LOG_LEVEL=debug shows sofia-sip's own lines too (with TPORT_LOG=1: every SIP message,
  // which tests read to see what reached the callee).
  if (const char* level = std::getenv("HARK_LOG_LEVEL")) spdlog::set_level(spdlog::level::from_str(level));
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (const int taken = take_agent_pool_option(argc, argv, i, agents)) {
      if (taken < 0) return 2;
      continue;
    }
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) { spdlog::error("{} needs a value", a); std::exit(2); }
      return argv[++i];
    };
    if (a == "--listen") listen = value();
    else if (a == "--map") map = value();
    else if (a == "--media-ip") media_ip = value();
    else if (a == "--rtp-stack") {
      if (!signaling::parse_rtp_stack(value(), stack)) {
        spdlog::error("hark simulate-callee: --rtp-stack must be ortp or hark");
        return 2;
      }
    }
    else if (a == "--rtp-ports") {
      if (!parse_port_range(value(), port_min, port_max)) {
        spdlog::error("hark simulate-callee: --rtp-ports must look like 40000-49999 (1024..65535)");
        return 2;
      }
    } else if (a == "--duration") {
      const auto v = value();
      if (!parse_decimal(v, duration) || duration < 0 || duration > 31'536'000) {
        spdlog::error("hark simulate-callee: --duration needs seconds from 0 to 31536000, got '{}'", v);
        return 2;
      }
    }
    else if (a == "--help" || a == "-h") {
      std::puts(("usage: hark simulate-callee [--listen sip:127.0.0.1:5070] [--map FILE]\n"
                "                            [--media-ip IP] [--rtp-ports MIN-MAX (10000-14999)] [--duration S]\n"
                "                            [--rtp-stack ortp|hark (default: " + std::string(to_string(signaling::default_rtp_stack())) + ")]\n"
                "Answers calls by the number dialed, as the mapping file says (default:\n"
                "fixtures/callee-map.txt): answer with audio, busy, reject, no-answer,\n"
                "unavailable, not-found; accepts REFER. The simulated agent pool:").c_str());
      std::fputs(kAgentPoolUsage, stdout);
      return 0;
    } else {
      spdlog::error("hark simulate-callee: unknown option '{}'", a);
      return 2;
    }
  }
  std::vector<signaling::CalleeRule> rules;
  const auto errors = signaling::read_callee_rules(map, rules);
  for (const auto& e : errors) spdlog::error("{}", e);
  if (rules.empty()) {
    spdlog::error("no usable rule in {}", map);
    return 2;
  }
  media::raise_fd_limit();
  media::MediaEngineOptions mo;
  mo.bind_ip = media_ip;
  mo.port_min = uint16_t(port_min);
  mo.port_max = uint16_t(port_max);
  signaling::CalleeSimulator sim(listen, media_ip, rules, signaling::make_callee_media(stack, mo));
  std::string pool_error;
  auto pool = make_agent_pool(agents, sim, &pool_error);
  if (!pool_error.empty()) {
    spdlog::error("hark simulate-callee: {}", pool_error);
    return 2;
  }
  if (auto err = sim.start(); !err.empty()) {
    spdlog::error("{}", err);
    return 1;
  }
  if (pool) {
    pool->start();
    spdlog::info("agent pool: {} agents at extensions {}.., talk {} s (sigma {}), wrap-up {} s, reporting to {} campaign {}",
                 agents.pool.agents, agents.pool.first_extension, agents.pool.talk_mean_s, agents.pool.talk_sigma,
                 agents.pool.wrapup_s, agents.api, agents.campaign);
  }
  spdlog::info("callee simulator on {} with {} rule(s) from {}, RTP on {}", listen, rules.size(), map, sim.rtp_stack());
  wait_for_stop(duration);
  sim.stop();
  if (pool) {
    pool->stop();
    const auto n = pool->counts();
    spdlog::info("agent pool stopped: {} transfers taken, {} missed, {} states reported ({} failed)", n.transfers,
                 n.missed, n.reports, n.report_errors);
  }
  const auto& c = sim.counters();
  spdlog::info("callee simulator stopped: {} INVITEs, {} answered, {} refused, {} REFERs, {} unmatched",
               c.invites.load(), c.answered.load(), c.refused.load(), c.refers.load(), c.unmatched.load());
  return 0;
}

}  // namespace hark::cli
