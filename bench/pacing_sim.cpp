// bench/pacing_sim: the contact-center simulation that proves the pacer (issue 18 #5).
//
//   pacing_sim [--days N] [--seed S] [--agents 5,25,100] [--talk 60,120,300]
//
// For every agents × talk-time pair it runs progressive, power, the VICIdial reference and hark
// predictive with the same seed, and prints one Markdown table (the README's) and the targets'
// verdicts. Exit status 0 whatever the verdicts: the figures are the output.
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "bench/pacing_sim_model.h"

using namespace hark::bench;

namespace {

std::vector<double> list(const std::string& s) {
  std::vector<double> v;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) v.push_back(std::stod(item));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Scenario base;
  std::vector<double> agents{5, 25, 100}, talks{60, 120, 300};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--days") base.days = std::stoi(v);
    else if (k == "--seed") base.seed = std::stoull(v);
    else if (k == "--agents") agents = list(v);
    else if (k == "--talk") talks = list(v);
    else {
      std::fprintf(stderr, "usage: pacing_sim [--days N] [--seed S] [--agents 5,25,100] [--talk 60,120,300]\n");
      return 2;
    }
  }
  std::printf("%d days of %.0f-h shifts, seed %llu, abandon cap %.0f %% (people answer 10-35 %%, changing at mid-shift)\n\n",
              base.days, base.shift_h, (unsigned long long)base.seed, base.cap * 100);
  std::printf("| agents | talk s | algorithm | talk-min/agent-h | occupancy | agent wait s | abandon 30 d | "
              "with AMD FP | worst 24 h | worst hour | back under cap (min) | calls | people |\n");
  std::printf("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::vector<std::string> verdicts;
  for (double n : agents)
    for (double talk : talks) {
      Scenario s = base;
      s.agents = int(n);
      s.talk_mean_s = talk;
      Result by[4];
      for (int a = 0; a < 4; ++a) {
        by[a] = simulate(s, Algorithm(a));
        const Result& r = by[a];
        std::printf("| %d | %.0f | %s | %.1f | %.1f %% | %.1f | %.2f %% | %.2f %% | %.2f %% | %.2f %% | %.0f | %lld | %lld |\n",
                    s.agents, talk, to_string(Algorithm(a)), r.talk_min_per_agent_h, r.occupancy * 100, r.agent_wait_s,
                    r.abandon_30d * 100, r.abandon_30d_fp * 100, r.worst_24h * 100, r.worst_hour * 100, r.recovery_min,
                    r.calls, r.people);
        std::fflush(stdout);
      }
      const Result &prog = by[0], &vici = by[2], &pred = by[3];
      char line[400];
      if (s.agents >= 25) {
        const bool ok = pred.occupancy >= 0.90 && pred.abandon_30d <= s.cap && pred.worst_24h <= s.cap &&
                        pred.talk_min_per_agent_h >= 1.4 * prog.talk_min_per_agent_h &&
                        pred.talk_min_per_agent_h > vici.talk_min_per_agent_h && pred.abandon_30d <= vici.abandon_30d &&
                        pred.recovery_min <= 15;
        std::snprintf(line, sizeof line,
                      "%s %d agents, talk %.0f s: occupancy %.1f %%, +%.0f %% talk over progressive, %+.1f talk-min vs "
                      "VICIdial (abandon %.2f %% vs %.2f %%), worst 24 h %.2f %%, back under cap in %.0f min",
                      ok ? "PASS" : "FAIL", s.agents, talk, pred.occupancy * 100,
                      (pred.talk_min_per_agent_h / prog.talk_min_per_agent_h - 1) * 100,
                      pred.talk_min_per_agent_h - vici.talk_min_per_agent_h, pred.abandon_30d * 100,
                      vici.abandon_30d * 100, pred.worst_24h * 100, pred.recovery_min);
      } else {
        const bool ok = pred.worst_24h <= s.cap && pred.recovery_min <= 15;
        std::snprintf(line, sizeof line, "%s %d agents, talk %.0f s: worst 24 h %.2f %%, back under cap in %.0f min",
                      ok ? "PASS" : "FAIL", s.agents, talk, pred.worst_24h * 100, pred.recovery_min);
      }
      verdicts.push_back(line);
    }
  std::printf("\nTargets (hark predictive):\n");
  for (auto& v : verdicts) std::printf("- %s\n", v.c_str());
  return 0;
}
