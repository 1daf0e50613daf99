// The campaign runner's decisions without SIP or PostgreSQL (runner_harness.h): schedules,
// retries, capacity, the CallRequest, the store away. Do-not-call: runner_dnc_unit_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "control/campaign/campaign_runner.h"
#include "control/campaign/prompt_files.h"
#include "control/campaign/runner_rules.h"
#include "media/audio_file.h"
#include "runner_harness.h"
#include "test_audio.h"
#include "test_socket.h"

using namespace hark;
using test::FakeData;
using test::RunnerHarness;
using test::Numbers;
using test::at;
using test::kDay;
using test::kHour;
using test::kMin;

namespace {

// ---- schedules across midnight and time zones ----

TEST(RunnerRules, ScheduleStateAtItsBoundaries) {
  sql::OpenSchedule s{1, 1, kDay, at("09:00"), at("17:00"), "NOT_RUNNING", kDay, at("08:59")};
  EXPECT_EQ(control::next_schedule_state(s), "NOT_RUNNING");
  s.local_us = at("09:00");
  EXPECT_EQ(control::next_schedule_state(s), "RUNNING");       // the start time is inside
  s.local_us = at("17:00");
  EXPECT_EQ(control::next_schedule_state(s), "NOT_RUNNING");   // over without having run: never ran
  s.state = "RUNNING";
  EXPECT_EQ(control::next_schedule_state(s), "FINISHED");      // the end time is not inside
  s.local_us = at("10:00"), s.state = "DNC_OUT_OF_SERVICE";
  EXPECT_EQ(control::next_schedule_state(s), "DNC_OUT_OF_SERVICE");  // only the probe resumes it
  s.local_day = kDay + 1, s.local_us = at("00:00");
  EXPECT_EQ(control::next_schedule_state(s), "FINISHED");      // a past day, whatever its hours
  s.state = "NOT_RUNNING", s.day = kDay + 1, s.local_day = kDay;
  EXPECT_EQ(control::next_schedule_state(s), "NOT_RUNNING");   // tomorrow's entry waits
}

TEST(CampaignRunnerUnit, SchedulesFollowEachCampaignsOwnClockAcrossMidnight) {
  RunnerHarness h;
  const auto utc = h.campaign("UTC").id, tokyo = h.campaign("Asia/Tokyo").id, la = h.campaign("America/Los_Angeles").id;
  const auto utc_today = h.schedule(utc, kDay, "22:00", "23:45"), utc_tomorrow = h.schedule(utc, kDay + 1, "08:00", "17:00");
  const auto tokyo_tomorrow = h.schedule(tokyo, kDay + 1, "09:00", "17:00");
  const auto la_today = h.schedule(la, kDay, "18:00", "22:00");
  h.lead(utc, "100"), h.lead(tokyo, "200"), h.lead(la, "300");

  h.set_clock(kDay, "23:30");  // UTC 23:30 = Tokyo 08:30 tomorrow = Los Angeles 16:30 today
  h.tick();
  EXPECT_EQ(h.take_dialed(), Numbers{"100"});
  EXPECT_EQ(h.schedule_of(utc_today).state, "RUNNING");
  EXPECT_EQ(h.schedule_of(tokyo_tomorrow).state, "NOT_RUNNING");
  EXPECT_EQ(h.schedule_of(la_today).state, "NOT_RUNNING");

  h.set_clock(kDay + 1, "03:00");  // UTC past midnight; Tokyo 12:00; Los Angeles still today, 20:00
  h.tick();
  EXPECT_EQ(h.take_dialed(), (Numbers{"200", "300"}));
  EXPECT_EQ(h.schedule_of(utc_today).state, "FINISHED");
  EXPECT_EQ(h.schedule_of(utc_tomorrow).state, "NOT_RUNNING");
  EXPECT_EQ(h.d->campaigns[utc].state, "STARTED");  // tomorrow's entry is left
  EXPECT_EQ(h.schedule_of(tokyo_tomorrow).state, "RUNNING");
  EXPECT_EQ(h.schedule_of(la_today).state, "RUNNING");

  h.set_clock(kDay + 1, "17:00");  // UTC 17:00 (end); Tokyo 02:00 the day after; Los Angeles 10:00 tomorrow
  h.tick();
  // No tick fell inside its hours (03:00, then its end): it never ran, so it is not FINISHED.
  EXPECT_EQ(h.schedule_of(utc_tomorrow).state, "NOT_RUNNING");
  EXPECT_EQ(h.schedule_of(tokyo_tomorrow).state, "FINISHED");
  EXPECT_EQ(h.schedule_of(la_today).state, "FINISHED");
  for (auto id : {utc, tokyo, la}) EXPECT_EQ(h.d->campaigns[id].state, "FINISHED") << id;
  EXPECT_TRUE(h.take_dialed().empty());
}

// ---- retry rules ----

TEST(RunnerRules, PerStatusRulesOverrideTheCampaignsMaximumAndDelay) {
  control::CampaignSettings s;
  s.max_attempts = 2, s.retry_minutes = 10;
  s.retry_rules = boost::json::parse(R"({"BUSY": {"maxAttempts": 3, "retryMinutes": 2}, "NO_ANSWER": {"maxAttempts": 1}})").as_object();
  const auto p = control::RetryPolicy::from(s);
  EXPECT_FALSE(control::plan_retry("BUSY", 2, p).done);
  EXPECT_EQ(control::plan_retry("BUSY", 2, p).retry_minutes, 2);
  EXPECT_TRUE(control::plan_retry("BUSY", 3, p).done);
  EXPECT_TRUE(control::plan_retry("NO_ANSWER", 1, p).done);
  EXPECT_FALSE(control::plan_retry("REJECTED", 1, p).done);
  EXPECT_EQ(control::plan_retry("REJECTED", 1, p).retry_minutes, 10);
  EXPECT_TRUE(control::plan_retry("REJECTED", 2, p).done);
  EXPECT_FALSE(control::plan_retry("UNKNOWN", 1, p).done);  // UNKNOWN is retried
  EXPECT_TRUE(control::plan_retry("SUCCESS", 1, p).done);
  EXPECT_TRUE(control::plan_retry("DNC", 0, p).done);
}

TEST(CampaignRunnerUnit, RetriesWaitTheirTimeAndStopAtTheirMaximum) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.max_attempts = 2, c.retry_minutes = 10;
  c.retry_rules = R"({"BUSY": {"maxAttempts": 3, "retryMinutes": 2}, "NO_ANSWER": {"maxAttempts": 1}})";
  h.schedule(c.id, kDay, "09:00", "17:00");
  const auto busy = h.lead(c.id, "1"), no_answer = h.lead(c.id, "2"), rejected = h.lead(c.id, "3"),
             unknown = h.lead(c.id, "4"), success = h.lead(c.id, "5");
  h.tick();
  ASSERT_EQ(h.dialed.size(), 5u);
  const std::map<std::string, signaling::LeadStatus> result{
      {"1", signaling::LeadStatus::busy}, {"2", signaling::LeadStatus::no_answer}, {"3", signaling::LeadStatus::rejected},
      {"4", signaling::LeadStatus::unknown}, {"5", signaling::LeadStatus::success}};
  for (auto& r : h.dialed) h.end(r.tag, result.at(r.number));
  h.dialed.clear();
  h.tick();
  const long long t0 = h.d->now_us;
  EXPECT_EQ(h.d->lead(busy).next_us, t0 + 2 * kMin);
  EXPECT_FALSE(h.d->lead(busy).done);
  EXPECT_TRUE(h.d->lead(no_answer).done);
  EXPECT_EQ(h.d->lead(rejected).next_us, t0 + 10 * kMin);
  EXPECT_FALSE(h.d->lead(unknown).done);
  EXPECT_EQ(h.d->lead(unknown).status, "UNKNOWN");
  EXPECT_TRUE(h.d->lead(success).done);
  EXPECT_EQ(h.d->lead(success).status, "SUCCESS");

  h.advance(2 * kMin - 1);
  h.tick();
  EXPECT_TRUE(h.take_dialed().empty());  // not yet
  h.advance(1);
  for (int attempt = 2; attempt <= 3; ++attempt) {
    h.tick();
    ASSERT_EQ(h.take_dialed(), Numbers{"1"}) << attempt;
    h.end(h.d->attempts.back().id, signaling::LeadStatus::busy);
    h.tick();
    h.advance(2 * kMin);
  }
  EXPECT_TRUE(h.d->lead(busy).done);  // BUSY rule: 3 attempts
  EXPECT_EQ(h.d->lead(busy).attempts, 3);
  h.advance(10 * kMin);
  h.tick();
  EXPECT_EQ(h.take_dialed(), (Numbers{"3", "4"}));  // the campaign's 10 minutes
}

TEST(CampaignRunnerUnit, AnAbandonedPersonPutThroughCountsAbandonedAndIsNotRedialled) {
  // Two people abandoned (no agent within 2 s: the identification message began); one is then
  // transferred by request during the message, and put through. Both attempts count ABANDONED
  // (the abandon rate); the lead put through is done as reached (SUCCESS), where it rested
  // 72 h and was called again; the other rests 72 h (Ofcom), its retry rule's 10 min aside.
  RunnerHarness h;
  auto& c = h.campaign();
  c.max_attempts = 3, c.retry_minutes = 10;
  h.schedule(c.id, kDay, "09:00", "17:00");
  const auto through = h.lead(c.id, "1"), dropped = h.lead(c.id, "2");
  h.tick();
  ASSERT_EQ(h.dialed.size(), 2u);
  for (auto& r : h.dialed) h.end(r.tag, signaling::LeadStatus::abandoned, true, 0, r.number == "1");
  h.dialed.clear();
  h.tick();
  const long long t0 = h.d->now_us;
  ASSERT_EQ(h.d->attempts.size(), 2u);
  for (const auto& a : h.d->attempts) EXPECT_EQ(a.result, "ABANDONED") << a.number;
  EXPECT_TRUE(h.d->lead(through).done);
  EXPECT_EQ(h.d->lead(through).status, "SUCCESS");
  EXPECT_FALSE(h.d->lead(dropped).done);
  EXPECT_EQ(h.d->lead(dropped).status, "ABANDONED");
  EXPECT_EQ(h.d->lead(dropped).next_us, t0 + 72 * 60 * kMin);
}

TEST(CampaignRunnerUnit, ARetryOutsideTodaysHoursWaitsForTheNextSchedule) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.retry_minutes = 10;
  h.schedule(c.id, kDay, "09:00", "10:00");
  h.schedule(c.id, kDay + 1, "09:00", "10:00");
  const auto l = h.lead(c.id, "1");
  h.set_clock(kDay, "09:55");
  h.tick();
  ASSERT_EQ(h.take_dialed(), Numbers{"1"});
  h.end(h.d->attempts.back().id, signaling::LeadStatus::busy);
  h.tick();
  EXPECT_EQ(h.d->lead(l).next_us, kDay * FakeData::kDayUs + at("10:05"));
  h.set_clock(kDay, "10:05");  // due, but today's hours are over
  h.tick();
  EXPECT_TRUE(h.take_dialed().empty());
  h.set_clock(kDay + 1, "08:59");
  h.tick();
  EXPECT_TRUE(h.take_dialed().empty());
  h.set_clock(kDay + 1, "09:00");
  h.tick();
  EXPECT_EQ(h.take_dialed(), Numbers{"1"});
}

TEST(CampaignRunnerUnit, AnAttemptClosedByRecoveryDoesNotCountAgainstMaxAttempts) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.max_attempts = 2;
  h.schedule(c.id, kDay);
  const auto l = h.lead(c.id, "1");
  // A call of a process that died (no heart-beat): DIALING, the lead in progress.
  h.d->lead(l).in_progress = true;
  h.d->add_attempt(c.id, h.d->lead(l), "dead");
  h.tick();  // recovery closes it as UNKNOWN; the lead is due again at once
  EXPECT_EQ(h.d->attempts[0].result, "UNKNOWN");
  ASSERT_EQ(h.take_dialed(), Numbers{"1"});
  h.end(h.d->attempts.back().id, signaling::LeadStatus::busy);
  h.tick();
  EXPECT_EQ(h.d->lead(l).attempts, 1);  // the crash-closed attempt does not count ...
  EXPECT_FALSE(h.d->lead(l).done);      // ... so one of the two attempts is left
  h.advance(60 * kMin);
  h.tick();
  ASSERT_EQ(h.take_dialed(), Numbers{"1"});
  h.end(h.d->attempts.back().id, signaling::LeadStatus::busy);
  h.tick();
  EXPECT_EQ(h.d->lead(l).attempts, 2);
  EXPECT_TRUE(h.d->lead(l).done);
  EXPECT_EQ(h.d->attempts.size(), 3u);  // the call log keeps all three
}

// ---- capacity ----

TEST(CampaignRunnerUnit, CapacityIsChannelsWithinMaxConcurrentLessOpenAttempts) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.fixed_channels.reset();
  c.free_agents = 3;
  c.max_concurrent = 10;
  h.schedule(c.id, kDay);
  for (int i = 0; i < 20; ++i) h.lead(c.id, std::to_string(100 + i));
  // Another live process has one call up for this campaign.
  h.d->heartbeats["other"] = h.d->now_us;
  h.d->lead(h.d->leads.back().id).in_progress = true;
  h.d->add_attempt(c.id, h.d->leads.back(), "other");
  h.tick();
  EXPECT_EQ(h.take_dialed().size(), 2u);  // 3 free agents - 1 open
  h.tick();
  EXPECT_TRUE(h.take_dialed().empty());  // full
  h.d->campaigns[c.id].free_agents = 8;
  h.d->heartbeats["other"] = h.d->now_us;
  h.tick();
  EXPECT_EQ(h.take_dialed().size(), 5u);
  h.d->campaigns[c.id].free_agents = 50;  // maxConcurrent 10 caps it
  h.tick();
  EXPECT_EQ(h.take_dialed().size(), 2u);
  EXPECT_EQ(h.d->open_attempts(c.id), 10);
  h.d->campaigns[c.id].free_agents = 0;
  h.d->campaigns[c.id].fixed_channels = 12;  // fixedChannels instead of agents
  h.tick();
  EXPECT_EQ(h.take_dialed().size(), 0u);  // maxConcurrent still 10
}

TEST(CampaignRunnerUnit, TheOpenAttemptsCountedUnderTheLockDecide) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.fixed_channels = 4;
  h.schedule(c.id, kDay);
  for (int i = 0; i < 10; ++i) h.lead(c.id, std::to_string(100 + i));
  // Another process commits three calls after this one looked at the campaign.
  h.d->heartbeats["other"] = h.d->now_us;
  h.d->before_claim = [&](long long campaign) {
    for (int i = 7; i < 10; ++i) {
      h.d->leads[i].in_progress = true;
      h.d->add_attempt(campaign, h.d->leads[i], "other");
    }
    h.d->before_claim = nullptr;
  };
  h.tick();
  EXPECT_EQ(h.take_dialed().size(), 1u);  // 4 channels - 3 open
  EXPECT_EQ(h.d->open_attempts(c.id), 4);
}

TEST(CampaignRunnerUnit, TheProcessCapAndClaimBatchSpanCampaigns) {
  control::RunnerOptions o;
  o.max_concurrent = 5;
  o.claim_batch = 3;
  RunnerHarness h(o);
  const auto a = h.campaign().id, b = h.campaign().id;
  h.schedule(a, kDay), h.schedule(b, kDay);
  for (int i = 0; i < 10; ++i) {
    const auto n = std::to_string(i);
    h.lead(a, std::string("a").append(n)), h.lead(b, std::string("b").append(n));
  }
  h.tick();
  const auto first = h.take_dialed();
  EXPECT_EQ(first, (Numbers{"a0", "a1", "a2", "b0", "b1"}));  // a batch of 3, then what the process has left
  EXPECT_EQ(h.runner->calls_in_flight(), 5u);
  h.tick();
  EXPECT_TRUE(h.take_dialed().empty());
  h.end(h.d->attempts[0].id, signaling::LeadStatus::success);
  h.tick();
  EXPECT_EQ(h.take_dialed(), Numbers{"a3"});
}

// ---- what reaches the CallRequest ----

TEST(CampaignRunnerUnit, TheCallRequestCarriesTheCampaignsSettings) {
  const auto dir = std::filesystem::temp_directory_path() / ("hark-runner-unit-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<int16_t> pcm;
  test::add_tone(pcm, {440}, 500, -12);
  ASSERT_EQ(media::write_wav((dir / control::prompt_file_name(5)).string(), pcm), "");
  control::RunnerOptions o;
  o.prompts_dir = dir.string();
  RunnerHarness h(o);
  auto& c = h.campaign();
  c.dial_prefix = "9", c.caller_id = "5551234", c.pilot_number = "7000";
  c.amd_enabled = false;
  c.amd_params = R"({"greetingMs": 2000, "detectBeep": false})";
  c.voicemail_prompt_id = 5;
  h.schedule(c.id, kDay);
  h.lead(c.id, "0123");
  h.tick();
  ASSERT_EQ(h.dialed.size(), 1u);
  const auto& r = h.dialed[0];
  EXPECT_EQ(r.number, "90123");
  EXPECT_EQ(r.caller_id, "5551234");
  EXPECT_EQ(r.plan.person.kind, signaling::Reaction::Kind::transfer);
  EXPECT_EQ(r.plan.person.target, "7000");
  EXPECT_FALSE(r.amd);
  EXPECT_EQ(r.amd_params.greeting_ms, 2000);
  EXPECT_FALSE(r.amd_params.detect_beep);
  EXPECT_EQ(r.amd_params.total_analysis_ms, amd::Params::hark_defaults().total_analysis_ms);
  ASSERT_EQ(r.plan.machine.kind, signaling::Reaction::Kind::voicemail);
  ASSERT_NE(r.plan.machine.prompt, nullptr);
  EXPECT_EQ(r.plan.machine.prompt->ms(), 500u);
  EXPECT_EQ(r.tag, uint64_t(h.d->attempts[0].id));
  // A changed campaign is read again; its next call has the new settings.
  h.d->campaigns[c.id].caller_id = "5559999";
  h.d->campaigns[c.id].amd_enabled = true;
  h.d->campaigns[c.id].voicemail_prompt_id.reset();
  h.lead(c.id, "0124");
  h.tick();
  ASSERT_EQ(h.dialed.size(), 2u);
  EXPECT_EQ(h.dialed[1].caller_id, "5559999");
  EXPECT_TRUE(h.dialed[1].amd);
  EXPECT_EQ(h.dialed[1].plan.machine.kind, signaling::Reaction::Kind::hang_up);  // no message: hang up
  std::filesystem::remove_all(dir);
}

// ---- the store away ----

TEST(CampaignRunnerUnit, CallEndsWaitWhileTheStoreIsDown) {
  RunnerHarness h;
  auto& c = h.campaign();
  h.schedule(c.id, kDay);
  const auto l = h.lead(c.id, "1");
  h.lead(c.id, "2");
  h.tick();
  ASSERT_EQ(h.dialed.size(), 2u);
  h.d->down = true;
  h.end(h.dialed[0].tag, signaling::LeadStatus::success, true);
  h.tick();
  EXPECT_EQ(h.runner->unwritten(), 1u);
  EXPECT_EQ(h.d->lead(l).status, "NOT_CALLED");
  // While the runner tries it again (off its lock), the end still counts as unwritten: it read
  // 0 there, and the end-to-end restart test saw 0 under load.
  size_t during_retry = 99;
  h.d->before_finish = [&] { during_retry = h.runner->unwritten(); };
  h.tick();
  EXPECT_EQ(during_retry, 1u);
  h.d->before_finish = nullptr;
  h.d->down = false;
  h.tick();
  EXPECT_EQ(h.runner->unwritten(), 0u);
  EXPECT_EQ(h.d->lead(l).status, "SUCCESS");
  EXPECT_EQ(h.runner->live(c.id).at("transferredToAgents").as_uint64(), 1u);
}

}  // namespace

// ---- a failing trunk ----

TEST(CampaignRunnerUnit, AFailingTrunkPausesDialingAndItsLeadsAreNotCharged) {
  control::RunnerOptions o;
  // Long enough that the tick right after the trip sees it open, short enough to wait out.
  o.trunk_backoff = {.threshold = 3, .initial_delay_ms = 1500, .max_delay_ms = 3000};
  RunnerHarness h(o);
  auto& c = h.campaign();
  c.max_attempts = 1;  // a charged failure would end the lead
  h.schedule(c.id, kDay);
  for (int i = 0; i < 20; ++i) h.lead(c.id, std::to_string(100 + i));
  h.tick();
  ASSERT_EQ(h.dialed.size(), 10u);
  // The carrier is down: every call ends 503 without ringing.
  for (auto& r : h.dialed) h.end(r.tag, signaling::LeadStatus::service_temporarily_unavailable, false, 503);
  h.dialed.clear();
  h.tick();
  EXPECT_TRUE(h.dialed.empty()) << "dialed while the trunk back-off was open";
  int charged = 0, uncharged = 0;
  for (auto& a : h.d->attempts) (a.end.charged ? charged : uncharged)++;
  EXPECT_EQ(charged, 2);  // the ends before the third in a row looked like the callees' networks
  EXPECT_EQ(uncharged, 8);
  int done = 0;
  for (auto& l : h.d->leads) done += l.done;
  EXPECT_EQ(done, 2);  // the uncharged leads are due again, attempts unchanged
  for (auto& l : h.d->leads) {
    if (!l.done) { EXPECT_EQ(l.attempts, 0) << l.phone; }
  }

  // Half-open after the delay: one probe, and nothing else while it is up.
  h.advance(10 * kMin);  // the leads' retry time (the store's clock)
  ASSERT_TRUE(test::eventually([&] { return h.tick(), !h.dialed.empty(); }));
  ASSERT_EQ(h.dialed.size(), 1u);
  h.tick();
  EXPECT_EQ(h.dialed.size(), 1u);
  // The probe reaches a person: the trunk is back, and the channels fill again.
  h.end(h.dialed[0].tag, signaling::LeadStatus::success, true, 200);
  h.dialed.clear();
  h.tick();
  EXPECT_EQ(h.dialed.size(), 10u);
}
