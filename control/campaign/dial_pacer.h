// How many calls a campaign places now: progressive, power, predictive and preview pacing.
//
// A pure unit: figures in (agents, calls in flight, measured rates, the abandon rate so far),
// the number of calls to place now out. No clock, no I/O, no state: the campaign runner and
// the contact-center simulation (bench/pacing_sim) feed it the same figures, so the figures the
// simulation proves are those of the code that dials. The measured rates come from
// PacingEstimate (pacing_estimate.h).
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace hark::control {

/// Ringing calls are told apart by how long they have rung, in buckets of this many seconds
/// (the last bucket holds the rest): a call that has rung 25 s is far less likely to be
/// answered than a fresh one.
constexpr int kRingAgeBuckets = 8;
constexpr double kRingAgeBucketS = 5;
using RingAges = std::array<double, kRingAgeBuckets>;

/// The campaign's dialing mode (setting dialingMode).
enum class DialMode { progressive, power, predictive, preview };

/// "progressive", "power", "predictive" or "preview"; nullopt for anything else.
std::optional<DialMode> parse_dial_mode(std::string_view s);
/// The setting's spelling of `m`.
const char* to_string(DialMode m);

/// What the pacer knows at one moment. Calls are counted by phase; an agent is counted once.
struct PacingFigures {
  int ready = 0;      ///< agents ready and not held by a call
  int busy = 0;       ///< agents talking or in wrap-up (they come back)
  int ringing = 0;    ///< calls placed and not answered yet
  RingAges ringing_by_age{};  ///< those calls by how long they have rung (all zero: unknown)
  int screening = 0;  ///< calls answered whose AMD verdict is pending
  int waiting = 0;    ///< people answered and waiting for an agent
  // Measured (PacingEstimate); the defaults are cautious first guesses.
  double answer_rate = 0.5;  ///< answered calls / placed calls
  double person_rate = 0.6;  ///< calls passed to an agent / answered calls (AMD said person)
  double uncertainty = 0;    ///< standard error of answer_rate × person_rate (0: exact)
  RingAges reach_by_age{};   ///< share of calls still ringing at that age that reach an agent
                             ///< (all zero: answer_rate × person_rate for every ringing call)
  RingAges reach_ring_share{};  ///< of the calls that reach an agent, the share by how long they
                                ///< rang (sums to 1; all zero: unknown, one round at connect_s)
  double connect_s = 10;     ///< from placing a call to passing a person to an agent
  double handle_s = 120;     ///< an agent's talk plus wrap-up per call
  double abandon_rate = 0;   ///< the worst of the campaign's 30-day and 24-h abandon rates
  double recent_abandon_rate = 0;  ///< the last 15 minutes (at least the last 100 people)
};

/// A campaign's pacing settings.
struct PacingConfig {
  DialMode mode = DialMode::progressive;
  double power_lines = 2.0;  ///< power: lines per ready agent
  double abandon_cap = 0.03; ///< abandoned / people answered, at most (TSR and Ofcom: 3 %)
  double grace_s = 2.0;      ///< a person may wait this long after the greeting (TSR: 2 s)
  int max_lines = 300;       ///< calls in flight at most (placed, not yet with an agent)
};

/// The pacer's answer for one moment.
struct PacingDecision {
  int place = 0;           ///< calls to place now
  double target = 0;       ///< predictive: the abandon fraction aimed at this moment
  double expected = 0;     ///< predictive: people expected from the calls in flight and these
};

/// The abandon fraction predictive aims at, given the law's measured rate (the worst of 30 days
/// and 24 h): kTargetGain × the cap while under 70 % of the cap, falling to half the cap near
/// the cap, none at or over it (then only calls an agent is sure to take). It stays well above
/// zero until the cap: falling back to progressive costs far more agent time than it saves.
double abandon_target(double measured, double cap);
/// The abandon fraction predictive aims at given the last 15 minutes' rate: kTargetGain × the
/// cap while under 60 % of the cap, down to a quarter of the cap at the cap and over it, never
/// zero (a burst leaves that window in 15 minutes by itself; the law's windows, through
/// abandon_target, are what stop dialing ahead).
double recent_abandon_target(double recent, double cap);

/// The round's overflow is the worst running deficit of people over agents, a lower bound of
/// the people abandoned (measured: about half of them in bench/pacing_sim), so predictive aims
/// at this multiple of the cap while the measured rates leave room.
constexpr double kTargetGain = 1.5;

/// Calls to place now. Progressive: one call per ready agent not already awaited. Power:
/// `power_lines` per ready agent (progressive while the measured abandon rate is at the cap).
/// Predictive: the most calls such that the people expected within the next connect time
/// overflow the agents expected free by then by at most the target share of those people (the
/// tighter of abandon_target and recent_abandon_target), never fewer than progressive places;
/// with `reach_ring_share` known, the overflow is the worst running deficit over time. Preview: none (an agent asks for each lead).
PacingDecision pace(const PacingConfig& c, const PacingFigures& f);

}  // namespace hark::control
