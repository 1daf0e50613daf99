// The pacer (dial_pacer.h) and its estimator (pacing_estimate.h): pure units, no clock.
#include "control/campaign/dial_pacer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <vector>

#include "control/campaign/pacing_estimate.h"

using namespace hark::control;

namespace {

PacingConfig config(DialMode m) {
  PacingConfig c;
  c.mode = m;
  return c;
}

/// A campaign where one call in ten reaches a person; agents handle a call in 2.5 minutes.
PacingFigures low_answer(int ready, int busy) {
  PacingFigures f;
  f.ready = ready;
  f.busy = busy;
  f.answer_rate = 0.4;
  f.person_rate = 0.25;
  f.connect_s = 15;
  f.handle_s = 150;
  return f;
}

}  // namespace

TEST(DialMode, ParsesItsOwnSpellingsOnly) {
  for (auto m : {DialMode::progressive, DialMode::power, DialMode::predictive, DialMode::preview})
    EXPECT_EQ(parse_dial_mode(to_string(m)), m);
  EXPECT_FALSE(parse_dial_mode("Predictive"));
  EXPECT_FALSE(parse_dial_mode(""));
}

TEST(DialPacer, ProgressivePlacesOneCallPerReadyAgentNotAlreadyAwaited) {
  auto f = low_answer(5, 3);
  f.ringing = 2;
  EXPECT_EQ(pace(config(DialMode::progressive), f).place, 3);
  f.waiting = 1, f.screening = 2;
  EXPECT_EQ(pace(config(DialMode::progressive), f).place, 0);
  f.ringing = 9;  // more calls than agents (a mode switch): never negative
  EXPECT_EQ(pace(config(DialMode::progressive), f).place, 0);
}

TEST(DialPacer, PowerPlacesLinesPerReadyAgentAndFallsBackAtTheCap) {
  auto c = config(DialMode::power);
  c.power_lines = 2.5;
  auto f = low_answer(4, 0);
  f.ringing = 3;
  EXPECT_EQ(pace(c, f).place, 7);  // 10 lines for 4 agents, 3 already ringing
  f.abandon_rate = 0.031;
  EXPECT_EQ(pace(c, f).place, 1);  // progressive: 4 agents, 3 calls awaited
}

TEST(DialPacer, PreviewPlacesNothingByItself) {
  EXPECT_EQ(pace(config(DialMode::preview), low_answer(10, 0)).place, 0);
}

TEST(DialPacer, PredictiveDialsAheadWhenFewCallsReachAPerson) {
  const auto f = low_answer(10, 40);
  const int prog = pace(config(DialMode::progressive), f).place;
  const auto d = pace(config(DialMode::predictive), f);
  EXPECT_EQ(prog, 10);
  EXPECT_GT(d.place, 3 * prog);  // one in ten calls reaches a person
  EXPECT_GT(d.expected, 0);
}

TEST(DialPacer, PredictiveNeverPlacesFewerThanProgressive) {
  for (int ready = 0; ready <= 30; ready += 3)
    for (int ringing = 0; ringing <= 40; ringing += 5)
      for (double rate : {0.0, 0.01, 0.029, 0.05}) {
        auto f = low_answer(ready, 20);
        f.ringing = ringing;
        f.abandon_rate = rate;
        EXPECT_GE(pace(config(DialMode::predictive), f).place, pace(config(DialMode::progressive), f).place)
            << ready << " ready, " << ringing << " ringing, rate " << rate;
      }
}

TEST(DialPacer, PredictiveTightensAsTheMeasuredRateNearsTheCap) {
  auto f = low_answer(5, 45);
  int last = 1 << 30;
  for (double rate : {0.0, 0.015, 0.02, 0.025, 0.029}) {
    f.abandon_rate = rate;
    const auto d = pace(config(DialMode::predictive), f);
    EXPECT_LE(d.place, last) << rate;
    last = d.place;
  }
  f.abandon_rate = 0.0;
  const int relaxed = pace(config(DialMode::predictive), f).place;
  f.abandon_rate = 0.029;
  EXPECT_LT(pace(config(DialMode::predictive), f).place, relaxed);
}

TEST(DialPacer, PredictiveTightensOnARecentBurstOfAbandons) {
  auto f = low_answer(5, 45);
  const auto calm = pace(config(DialMode::predictive), f);
  f.recent_abandon_rate = 0.05;  // the law's windows are fine, the last 15 minutes are not
  const auto d = pace(config(DialMode::predictive), f);
  EXPECT_LT(d.target, calm.target);
  EXPECT_GT(d.target, 0);  // still dialing ahead: the burst leaves that window by itself
  EXPECT_LT(d.place, calm.place);
  EXPECT_GT(d.place, 5);
}

TEST(DialPacer, PredictiveAtOrOverTheCapIsProgressive) {
  auto f = low_answer(6, 30);
  f.ringing = 2;
  for (double rate : {0.03, 0.04, 0.2}) {
    f.abandon_rate = rate;
    const auto d = pace(config(DialMode::predictive), f);
    EXPECT_EQ(d.target, 0);
    EXPECT_EQ(d.place, 4) << rate;
  }
}

TEST(DialPacer, PredictiveCountsBusyAgentsAboutToComeBack) {
  auto f = low_answer(0, 50);
  f.handle_s = 60;  // short calls: several of the 50 are back within the next 17 s
  EXPECT_GT(pace(config(DialMode::predictive), f).place, 0);
  f.busy = 0;
  EXPECT_EQ(pace(config(DialMode::predictive), f).place, 0);
}

TEST(DialPacer, PredictivePlacesFewerWhenMoreCallsReachAPerson) {
  auto f = low_answer(10, 40);
  int last = 1 << 30;
  for (double person : {0.2, 0.4, 0.6, 0.9}) {
    f.person_rate = person;
    const int n = pace(config(DialMode::predictive), f).place;
    EXPECT_LT(n, last) << person;
    last = n;
  }
}

TEST(DialPacer, PredictiveIsCautiousWhenTheRateIsUncertain) {
  auto f = low_answer(10, 40);
  const int sure = pace(config(DialMode::predictive), f).place;
  f.uncertainty = 0.05;
  EXPECT_LT(pace(config(DialMode::predictive), f).place, sure);
}

TEST(DialPacer, PredictiveCountsCallsThatRangLongAsUnlikelyAnswers) {
  auto f = low_answer(10, 40);
  f.ringing = 40;
  const int unknown_ages = pace(config(DialMode::predictive), f).place;
  for (int k = 0; k < kRingAgeBuckets; ++k) f.reach_by_age[k] = k < 5 ? 0.12 : 0.001;
  f.ringing_by_age[0] = 40;  // all fresh: about as likely as any call
  const int fresh = pace(config(DialMode::predictive), f).place;
  f.ringing_by_age = {};
  f.ringing_by_age[6] = 40;  // all rang 30 s: nearly all will be no answer
  const int old = pace(config(DialMode::predictive), f).place;
  EXPECT_GT(old, fresh + 3);
  EXPECT_LE(fresh, unknown_ages + 1);
}

TEST(DialPacer, NoModeExceedsTheLinesAllowed) {
  for (auto m : {DialMode::progressive, DialMode::power, DialMode::predictive}) {
    auto c = config(m);
    c.max_lines = 12;
    auto f = low_answer(20, 0);
    f.ringing = 5;
    EXPECT_LE(pace(c, f).place, 7) << to_string(m);
  }
}

TEST(AbandonTarget, MarginTightensTowardTheCap) {
  EXPECT_DOUBLE_EQ(abandon_target(0, 0.03), 0.045);
  EXPECT_DOUBLE_EQ(abandon_target(0.021, 0.03), 0.045);
  EXPECT_NEAR(abandon_target(0.0255, 0.03), 0.03, 1e-12);  // halfway from 70 % of the cap to it
  EXPECT_NEAR(abandon_target(0.02999, 0.03), 0.015, 1e-4);
  EXPECT_EQ(abandon_target(0.03, 0.03), 0);
  EXPECT_EQ(abandon_target(0.0, 0.0), 0);
}

TEST(AbandonTarget, RecentRateTightensTowardTheCapButNeverStopsDialingAhead) {
  EXPECT_DOUBLE_EQ(recent_abandon_target(0, 0.03), 0.045);
  EXPECT_DOUBLE_EQ(recent_abandon_target(0.018, 0.03), 0.045);
  EXPECT_NEAR(recent_abandon_target(0.024, 0.03), 0.02625, 1e-12);  // halfway from 60 % of the cap to it
  EXPECT_NEAR(recent_abandon_target(0.03, 0.03), 0.0075, 1e-12);
  EXPECT_NEAR(recent_abandon_target(0.5, 0.03), 0.0075, 1e-12);
  EXPECT_EQ(recent_abandon_target(0.01, 0.0), 0);
}

namespace {
/// low_answer() with the ring-age figures a running campaign has: people answer 5-25 s in,
/// the rest ring out at 30 s, and `ringing` calls placed `age_bucket` buckets ago.
PacingFigures timed(int ready, int busy, int ringing, int age_bucket) {
  auto f = low_answer(ready, busy);
  f.reach_ring_share = {0.25, 0.25, 0.25, 0.25, 0, 0, 0, 0};
  for (int k = 0; k < kRingAgeBuckets; ++k) f.reach_by_age[k] = k < 4 ? 0.1 * (4 - k) / 4 : 0;
  f.reach_by_age[0] = 0.1;
  f.ringing = ringing;
  f.ringing_by_age[age_bucket] = ringing;
  f.connect_s = 15 + 2.5;
  return f;
}
}  // namespace

TEST(DialPacer, TimedRoundMatchesLatePeopleWithAgentsComingBackLate) {
  // Three agents ready, 40 busy on 60-s calls: several are back within half a minute. Calls
  // placed now bring their people 5-25 s from now, so the timed round places more than the one
  // round (all the people against the agents free by the mean connect time).
  auto f = timed(3, 40, 0, 0);
  f.handle_s = 60;
  const int timed_calls = pace(config(DialMode::predictive), f).place;
  f.reach_ring_share = {};
  const int one_round = pace(config(DialMode::predictive), f).place;
  EXPECT_GT(timed_calls, one_round);
  EXPECT_GT(one_round, 0);
}

TEST(DialPacer, TimedRoundSeesPeopleAboutToArrive) {
  // The same calls ringing: fresh ones bring their people over the next 25 s, ones that rang
  // 12 s bring fewer (some rang out) but sooner, against agents that come back over time.
  auto fresh = timed(2, 30, 20, 0), ripe = timed(2, 30, 20, 2);
  fresh.handle_s = ripe.handle_s = 90;
  const auto d_fresh = pace(config(DialMode::predictive), fresh), d_ripe = pace(config(DialMode::predictive), ripe);
  EXPECT_LT(d_ripe.expected - 0.1 * d_ripe.place, d_fresh.expected - 0.1 * d_fresh.place);  // fewer people left in them
  // Two ready agents and 20 people about to arrive: only progressive's calls.
  auto clump = timed(2, 30, 20, 2);
  clump.reach_by_age = {1, 1, 1, 1, 0, 0, 0, 0};  // every ringing call is a person answering now
  EXPECT_EQ(pace(config(DialMode::predictive), clump).place, 0);
}

TEST(PacingEstimate, LearnsTheRatesAndFollowsAChangeWithinAFewFadeTimes) {
  PacingEstimate e(120, 30);
  double t = 0;
  // One call a second, each ending 10 s after it was placed: 40 % answered, half of those people.
  for (int i = 0; i < 1200; ++i, t += 1) e.on_call_outcome(t, t - 10, 10, i % 5 < 2, i % 5 == 0);
  PacingFigures f;
  e.advance(t + 30);
  e.fill(f);
  EXPECT_NEAR(f.answer_rate, 0.4, 0.02);
  EXPECT_NEAR(f.person_rate, 0.5, 0.03);
  EXPECT_GT(f.uncertainty, 0);
  // Now 80 % answered, all people: after 4 fade times the old rate weighs under 2 %.
  for (int i = 0; i < 480; ++i, t += 1) e.on_call_outcome(t, t - 10, 10, i % 5 < 4, true);
  e.advance(t + 30);
  e.fill(f);
  EXPECT_NEAR(f.answer_rate, 0.8, 0.03);
  EXPECT_NEAR(f.person_rate, 1.0, 0.05);
}

TEST(PacingEstimate, CountsAnOutcomeOnlyOnceItsWholeCohortHasSettled) {
  PacingEstimate e(1e9, 30);
  PacingFigures before, f;
  e.fill(before);
  // Ten calls placed at t=100: the busy ones end first. Until t=130 none of them counts.
  for (int i = 0; i < 7; ++i) e.on_call_outcome(103, 100, 3, false, false);
  e.advance(129);
  e.fill(f);
  EXPECT_DOUBLE_EQ(f.answer_rate, before.answer_rate);
  for (int i = 0; i < 3; ++i) e.on_call_outcome(120, 100, 15, true, true);
  e.advance(130);
  e.fill(f);
  // The first guesses (10 calls, 5 answered) plus these 10 (3 answered).
  EXPECT_NEAR(f.answer_rate, 8.0 / 20, 1e-6);  // fading over 1e9 s: almost none
}

TEST(PacingEstimate, FollowsARiseFasterThanAFall) {
  const auto share_after_change = [](double before, double after) {
    PacingEstimate e(400, 30);
    double t = 0;
    // Ten calls a second (a large campaign), so the fast counts' rise is beyond their noise.
    for (int i = 0; i < 30000; ++i, t += 0.1) e.on_call_outcome(t, t - 10, 10, true, (i % 5) < before * 5);
    for (int i = 0; i < 1000; ++i, t += 0.1) e.on_call_outcome(t, t - 10, 10, true, (i % 5) < after * 5);
    e.advance(t + 30);  // 100 s of the new rate: a quarter of the slow fade time
    PacingFigures f;
    e.fill(f);
    return f.answer_rate * f.person_rate;
  };
  const double rise = share_after_change(0.2, 0.4), fall = share_after_change(0.4, 0.2);
  EXPECT_GT(rise - 0.2, 0.4 - fall + 0.05);  // the rise is mostly seen, the fall only partly
  EXPECT_GT(fall, 0.3);
}

TEST(PacingEstimate, LearnsWhichRingAgesStillReachAnAgent) {
  PacingEstimate e(1e9, 30);
  // People answer after 10 s (one call in five), the rest ring out at 30 s.
  for (int i = 0; i < 1000; ++i) e.on_call_outcome(i + 40, i, i % 5 ? 30 : 10, i % 5 == 0, i % 5 == 0);
  e.advance(2000);
  PacingFigures f;
  e.fill(f);
  EXPECT_NEAR(f.reach_by_age[0], 0.2, 0.02);  // fresh: the whole rate
  EXPECT_NEAR(f.reach_by_age[2], 0.2, 0.02);  // 10-15 s: still ahead of the answers
  EXPECT_NEAR(f.reach_by_age[3], 0.0, 1e-9);  // 15 s and more: only the ring-outs are left
  EXPECT_NEAR(f.reach_by_age[7], f.answer_rate * f.person_rate, 1e-9);  // no call rang 35 s: the whole rate
}

TEST(PacingEstimate, LearnsWhenTheCallsThatReachAnAgentStopRinging) {
  PacingEstimate e(1e9, 30);
  PacingFigures f;
  e.fill(f);
  EXPECT_EQ(f.reach_ring_share[0] + f.reach_ring_share[1] + f.reach_ring_share[2], 0);  // none yet: unknown
  // One call in five reaches an agent, after 7 s (one in four) or 17 s; the rest ring out.
  for (int i = 0; i < 1000; ++i) {
    const bool reach = i % 5 == 0;
    e.on_call_outcome(i + 40, i, reach ? (i % 20 == 0 ? 7 : 17) : 30, reach, reach);
  }
  e.advance(2000);
  e.fill(f);
  EXPECT_NEAR(f.reach_ring_share[1], 0.25, 1e-6);
  EXPECT_NEAR(f.reach_ring_share[3], 0.75, 1e-6);
  EXPECT_EQ(f.reach_ring_share[6], 0);  // the ring-outs reach nobody
}

namespace {
/// A campaign of `per_s` calls a second, one in five reaching an agent 12 s after placing
/// (ring 10 s) until `change_s`, then `after` of them; the rest ring out. Returns the estimate
/// at `until_s` and, by `seen`, the surge found each second after the change.
PacingEstimate surge_run(double per_s, double after, double change_s, double until_s, std::vector<double>* seen) {
  PacingEstimate e(180, 40);
  struct Pending { double placed, end; bool reach; };
  std::deque<Pending> flying;
  double owed = 0;
  long n = 0;
  for (double t = 0; t < until_s; t += 0.5) {
    // Ends first, then the new calls of this half second.
    while (!flying.empty() && flying.front().end <= t) {
      const auto c = flying.front();
      flying.pop_front();
      if (c.reach) e.on_connect_time(c.end, c.end - c.placed);
      e.on_call_outcome(c.end, c.placed, c.reach ? 10 : 30, c.reach, c.reach);
    }
    for (owed += per_s / 2; owed >= 1; owed -= 1, ++n) {
      e.on_placed(t);
      const double share = t < change_s ? 0.2 : after;
      const bool reach = std::floor((n + 1) * share) > std::floor(n * share);  // evenly spread, no noise
      flying.push_back({t, t + (reach ? 12 : 30), reach});
      std::stable_sort(flying.begin(), flying.end(), [](auto& a, auto& b) { return a.end < b.end; });
    }
    e.advance(t);
    if (seen && t > change_s && t == std::floor(t)) seen->push_back(e.surge());
  }
  return e;
}
}  // namespace

TEST(PacingEstimate, SeesPeopleComingFasterThanTheRatesSayBeforeTheRatesDo) {
  // Ten calls a second; a fifth reach an agent, then two fifths. The settled counts see it 40 s
  // on; the people themselves arrive 12 s after the calls.
  std::vector<double> surge;
  const auto e = surge_run(10, 0.4, 600, 640, &surge);
  ASSERT_EQ(surge.size(), 39u);
  EXPECT_DOUBLE_EQ(surge[5], 1.0);  // nothing can be seen before the first new people arrive
  const auto first = std::find_if(surge.begin(), surge.end(), [](double s) { return s > 1.2; });
  ASSERT_NE(first, surge.end());
  EXPECT_LT(first - surge.begin(), 25);  // within about 10 s of the first of them
  PacingFigures f;
  e.fill(f);
  EXPECT_GT(f.answer_rate * f.person_rate, 0.25);  // the rates used are raised by the surge
}

TEST(PacingEstimate, NoSurgeWhileTheRateHolds) {
  std::vector<double> surge;
  surge_run(10, 0.2, 600, 900, &surge);
  for (double s : surge) EXPECT_DOUBLE_EQ(s, 1.0);
}

TEST(PacingEstimate, AveragesConnectAndHandlingTimes) {
  PacingEstimate e(600);
  for (int i = 0; i < 500; ++i) {
    e.on_connect_time(i, i % 2 ? 10 : 20);
    e.on_handled(i, 200);
  }
  PacingFigures f;
  e.fill(f);
  EXPECT_NEAR(f.connect_s, 15, 0.5);
  EXPECT_NEAR(f.handle_s, 200, 5);
}

TEST(PacingEstimate, APersonVerdictThatProvedAMachineIsNoPerson) {
  using hark::signaling::LeadStatus;
  EXPECT_TRUE(counts_as_person(true, LeadStatus::unknown));     // passed to an agent, REFER refused
  EXPECT_TRUE(counts_as_person(true, LeadStatus::abandoned));   // no agent in time
  EXPECT_TRUE(counts_as_person(false, LeadStatus::success));    // transferred
  EXPECT_FALSE(counts_as_person(true, LeadStatus::amd));        // a late beep while waiting
  EXPECT_FALSE(counts_as_person(false, LeadStatus::amd));
  EXPECT_FALSE(counts_as_person(false, LeadStatus::busy));
}
