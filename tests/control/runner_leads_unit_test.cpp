// The runner and a lead's life (issue 20), against the in-memory store of runner_harness.h:
// every number of a contact (dialEveryNumber), the claim order (callbacks, then overdue
// retries, then never-called leads) and a day that never ran staying NOT_RUNNING.
#include <gtest/gtest.h>

#include "control/campaign/dnc_index.h"
#include "control/campaign/runner_rules.h"
#include "runner_harness.h"

using namespace hark;
using test::FakeData;
using test::kDay;
using test::kMin;
using test::Numbers;
using test::RunnerHarness;
using signaling::LeadStatus;

namespace {

/// A lead with more numbers than its phone.
long long lead_with(RunnerHarness& h, long long campaign, const std::string& phone, std::vector<std::string> extra) {
  const auto id = h.lead(campaign, phone);
  h.d->lead(id).extra_phones = std::move(extra);
  return id;
}

/// Ends the last call placed with `status`, then ticks (the end is written, due leads dialed).
void end_last(RunnerHarness& h, LeadStatus status) {
  h.end(uint64_t(h.d->attempts.back().id), status, status == LeadStatus::success);
  h.tick();
}

std::vector<std::string> attempt_numbers(RunnerHarness& h, long long lead) {
  std::vector<std::string> out;
  for (auto& a : h.d->attempts)
    if (a.lead_id == lead) out.push_back(a.number + ":" + a.result);
  return out;
}

TEST(RunnerRules, TheNextNumberAfterAFailureNeverAfterAPersonOrDnc) {
  using control::next_number;
  for (const char* s : {"BUSY", "NO_ANSWER", "FAILURE", "SERVICE_TEMPORARILY_UNAVAILABLE"}) {
    EXPECT_EQ(next_number(s, 0, 3, true).phone_index, 1) << s;
    EXPECT_TRUE(next_number(s, 0, 3, true).due_now) << s;
    EXPECT_EQ(next_number(s, 2, 3, true).phone_index, 0) << s;  // back to the first ...
    EXPECT_FALSE(next_number(s, 2, 3, true).due_now) << s;      // ... after the retry time
    EXPECT_EQ(next_number(s, 0, 3, false).phone_index, 0) << s;  // the setting is off
  }
  for (const char* s : {"SUCCESS", "DNC", "AMD", "REJECTED", "UNKNOWN"}) {
    EXPECT_EQ(next_number(s, 1, 3, true).phone_index, 1) << s;
    EXPECT_FALSE(next_number(s, 1, 3, true).due_now) << s;
  }
  EXPECT_EQ(next_number("BUSY", 0, 1, true).phone_index, 0);  // one number: nothing to move to
}

TEST(CampaignRunnerUnit, ThreeNumbersFirstBusySecondAnswersEndsSuccessOnTheSecond) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.dial_every_number = true;
  h.schedule(c.id, kDay);
  const auto l = lead_with(h, c.id, "100", {"200", "300"});
  h.tick();
  EXPECT_EQ(h.take_dialed(), Numbers{"100"});
  end_last(h, LeadStatus::busy);  // the next number is due at once: dialed in the same tick
  EXPECT_EQ(h.take_dialed(), Numbers{"200"});
  end_last(h, LeadStatus::success);
  EXPECT_TRUE(h.take_dialed().empty());
  EXPECT_EQ(h.d->lead(l).status, "SUCCESS");
  EXPECT_TRUE(h.d->lead(l).done);
  EXPECT_EQ(h.d->lead(l).attempts, 2);
  EXPECT_EQ(attempt_numbers(h, l), (Numbers{"100:BUSY", "200:SUCCESS"}));  // the call log: both, with their numbers
}

TEST(CampaignRunnerUnit, EveryNumberFailedWaitsTheRetryTimeThenStartsOverWithinMaxAttempts) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.dial_every_number = true;
  c.max_attempts = 4, c.retry_minutes = 30;
  h.schedule(c.id, kDay);
  const auto l = lead_with(h, c.id, "100", {"200", "300"});
  h.tick();
  end_last(h, LeadStatus::no_answer);
  end_last(h, LeadStatus::busy);
  end_last(h, LeadStatus::failure);  // the last number: back to the first, after 30 minutes
  EXPECT_EQ(h.take_dialed(), (Numbers{"100", "200", "300"}));
  EXPECT_EQ(h.d->lead(l).phone_index, 0);
  h.advance(30 * kMin - 1);
  h.tick();
  EXPECT_TRUE(h.take_dialed().empty());
  h.advance(1);
  h.tick();
  EXPECT_EQ(h.take_dialed(), Numbers{"100"});
  end_last(h, LeadStatus::busy);  // the fourth attempt: the maximum, whatever numbers are left
  EXPECT_TRUE(h.take_dialed().empty());
  EXPECT_TRUE(h.d->lead(l).done);
  EXPECT_EQ(h.d->lead(l).status, "BUSY");
}

TEST(CampaignRunnerUnit, AMachineOrARejectionKeepsTheNumberAndTheSettingOffKeepsIt) {
  RunnerHarness h;
  auto& every = h.campaign();
  every.dial_every_number = true;
  every.retry_minutes = 10;
  auto& one = h.campaign();
  one.retry_minutes = 10;
  h.schedule(every.id, kDay), h.schedule(one.id, kDay);
  const auto a = lead_with(h, every.id, "100", {"200"});
  const auto b = lead_with(h, one.id, "500", {"600"});
  h.tick();
  EXPECT_EQ(h.take_dialed(), (Numbers{"100", "500"}));
  h.end(uint64_t(h.d->attempts[0].id), LeadStatus::amd, true);
  h.end(uint64_t(h.d->attempts[1].id), LeadStatus::busy);
  h.tick();
  EXPECT_TRUE(h.take_dialed().empty());  // nothing due at once
  h.advance(10 * kMin);
  h.tick();
  EXPECT_EQ(h.take_dialed(), (Numbers{"100", "500"}));
  EXPECT_EQ(h.d->lead(a).phone_index, 0);
  EXPECT_EQ(h.d->lead(b).phone_index, 0);
}

TEST(CampaignRunnerUnit, TheDoNotCallCheckCoversEveryNumberDialed) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.dial_every_number = true;
  c.dnc_list_id = 3;
  h.d->dnc_list_versions[3] = 1;
  h.dnc.add(3, *control::pack_number("200"), 1);
  h.schedule(c.id, kDay);
  const auto l = lead_with(h, c.id, "100", {"200", "300"});
  h.tick();
  EXPECT_EQ(h.take_dialed(), Numbers{"100"});
  end_last(h, LeadStatus::busy);  // the second number is on the list: DNC, and never the third
  EXPECT_TRUE(h.take_dialed().empty());
  EXPECT_EQ(h.d->lead(l).status, "DNC");
  EXPECT_TRUE(h.d->lead(l).done);
  EXPECT_EQ(attempt_numbers(h, l), (Numbers{"100:BUSY", "200:DNC"}));
}

// ---- the claim order ----

TEST(CampaignRunnerUnit, CallbacksThenOverdueRetriesThenNeverCalledLeads) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.fixed_channels = 1;
  h.schedule(c.id, kDay, "09:00", "17:00");
  h.schedule(c.id, kDay + 1, "09:00", "17:00");
  for (int i = 0; i < 3; ++i) h.lead(c.id, "10" + std::to_string(i));  // never called, lowest ids
  const auto retry = h.lead(c.id, "200");
  h.d->lead(retry).next_us = kDay * FakeData::kDayUs + test::at("18:00");  // fell after yesterday's hours
  h.d->lead(retry).attempts = 1, h.d->lead(retry).status = "BUSY";
  const auto callback = h.lead(c.id, "300");
  h.d->lead(callback).callback_us = h.d->lead(callback).next_us = (kDay + 1) * FakeData::kDayUs + test::at("10:30");
  h.set_clock(kDay + 1, "09:00");
  h.tick();
  EXPECT_EQ(h.take_dialed(), Numbers{"200"});  // the overdue retry first, as soon as the day starts
  end_last(h, LeadStatus::success);
  EXPECT_EQ(h.take_dialed(), Numbers{"100"});
  end_last(h, LeadStatus::success);
  EXPECT_EQ(h.take_dialed(), Numbers{"101"});
  h.set_clock(kDay + 1, "10:30");  // the callback's time: ahead of the never-called lead left
  end_last(h, LeadStatus::success);
  EXPECT_EQ(h.take_dialed(), Numbers{"300"});
  end_last(h, LeadStatus::success);
  EXPECT_EQ(h.take_dialed(), Numbers{"102"});
}

TEST(CampaignRunnerUnit, ACallbacksAgentTakesThePersonInsteadOfThePilot) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.pilot_number = "7000";
  c.fixed_channels = 1;
  h.schedule(c.id, kDay, "09:00", "17:00");
  const auto callback = h.lead(c.id, "300");
  h.d->lead(callback).callback_us = h.d->lead(callback).next_us = kDay * FakeData::kDayUs + test::at("10:00");
  h.d->lead(callback).callback_agent = "2001";
  h.lead(c.id, "100");
  h.set_clock(kDay, "10:00");
  h.tick();
  ASSERT_EQ(h.dialed.size(), 1u);
  EXPECT_EQ(h.dialed[0].number, "300");
  EXPECT_EQ(h.dialed[0].plan.person.kind, signaling::Reaction::Kind::transfer);
  EXPECT_EQ(h.dialed[0].plan.person.target, "2001");  // the callback's agent
  end_last(h, LeadStatus::no_answer);  // the lead is due again later, as a plain retry
  ASSERT_EQ(h.dialed.size(), 2u);
  EXPECT_EQ(h.dialed[1].number, "100");
  EXPECT_EQ(h.dialed[1].plan.person.target, "7000");  // no callback: the pilot
  h.set_clock(kDay, "16:00");
  end_last(h, LeadStatus::success);
  ASSERT_EQ(h.dialed.size(), 3u);
  EXPECT_EQ(h.dialed[2].number, "300");
  EXPECT_EQ(h.dialed[2].plan.person.target, "7000");  // the retry after the callback: the pilot again
}

// ---- schedules ----

TEST(CampaignRunnerUnit, ADayThatNeverRanStaysNotRunningWhenAStoppedCampaignStartsAgain) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.state = "STOPPED";
  const auto monday = h.schedule(c.id, kDay), tuesday = h.schedule(c.id, kDay + 1), wednesday = h.schedule(c.id, kDay + 2);
  h.lead(c.id, "100");
  h.set_clock(kDay, "12:00");
  h.tick();  // stopped all Monday: nothing runs
  h.set_clock(kDay + 1, "12:00");
  h.d->campaigns[c.id].state = "STARTED";
  h.tick();
  EXPECT_EQ(h.take_dialed(), Numbers{"100"});
  EXPECT_EQ(h.schedule_of(monday).state, "NOT_RUNNING");  // never ran: not FINISHED
  EXPECT_EQ(h.schedule_of(tuesday).state, "RUNNING");
  h.set_clock(kDay + 2, "08:00");
  h.tick();
  EXPECT_EQ(h.schedule_of(monday).state, "NOT_RUNNING");
  EXPECT_EQ(h.schedule_of(tuesday).state, "FINISHED");  // it ran
  EXPECT_EQ(h.schedule_of(wednesday).state, "NOT_RUNNING");
  EXPECT_EQ(h.d->campaigns[c.id].state, "STARTED");
  h.set_clock(kDay + 2, "17:00");  // Wednesday's end: nothing left to run
  h.tick();
  EXPECT_EQ(h.d->campaigns[c.id].state, "FINISHED");
}

}  // namespace
