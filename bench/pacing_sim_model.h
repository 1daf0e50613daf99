// The contact center bench/pacing_sim drives: a discrete-event simulation of agents, calls,
// AMD and people, with the pacing algorithm under test deciding each second how many calls to
// place. hark's modes go through the same pace() the runner calls (control/campaign/dial_pacer.h).
#pragma once

#include <cstdint>
#include <string>

namespace hark::bench {

enum class Algorithm { progressive, power, vicidial, predictive };
const char* to_string(Algorithm a);

struct Scenario {
  int agents = 25;
  double talk_mean_s = 120;   ///< lognormal talk time, this mean
  double talk_sigma = 0.8;    ///< of the underlying normal
  int days = 30;
  double shift_h = 8;         ///< agents log in this long each day; the answer rate changes halfway
  double cap = 0.03;
  double power_lines = 2.0;
  uint64_t seed = 1;
};

struct Result {
  double talk_min_per_agent_h = 0;
  double occupancy = 0;          ///< agents' busy time (talk, wrap-up, machines put through) / logged-in time
  double agent_wait_s = 0;       ///< mean ready time before each call an agent takes
  double abandon_30d = 0;        ///< abandoned / people answered, the whole run (TSR)
  double abandon_30d_fp = 0;     ///< the same with AMD's false positives counted (Ofcom)
  double worst_24h = 0;          ///< worst rolling 24 h (Ofcom window)
  double worst_hour = 0;         ///< worst rolling hour
  double recovery_min = 0;       ///< worst, over the days, of the minutes after the mid-shift change
                                 ///< until the recent rate (15 min, at least 100 people) is back under the cap
  long long calls = 0, people = 0, abandoned = 0;
};

/// Runs one algorithm over the scenario; the same seed gives every algorithm the same leads
/// (each call's fate is drawn from the lead, whoever dials it) and the same answer rates.
Result simulate(const Scenario& s, Algorithm a);

}  // namespace hark::bench
