// The campaign runner and do-not-call, without SIP or PostgreSQL (runner_harness.h): an
// unreachable service fails closed, a slow one delays only its own campaign and holds no lead,
// a listed number is never dialed.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "control/campaign/dnc_csv.h"
#include "runner_harness.h"

using namespace hark;
using test::Numbers;
using test::RunnerHarness;
using test::kDay;

namespace {

TEST(CampaignRunnerUnit, AnUnreachableDncServiceDialsNothingUntilItAnswers) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.dnc_service_id = 7;
  h.d->services[7] = {"http://dnc.invalid/donotcall", "token", 300};
  const auto sched = h.schedule(c.id, kDay);
  const auto listed = h.lead(c.id, "111");
  for (int i = 0; i < 4; ++i) h.lead(c.id, std::to_string(200 + i));
  h.dnc_answer = control::DncAnswer::unreachable;
  h.tick();
  EXPECT_TRUE(h.dialed.empty());
  EXPECT_EQ(h.schedule_of(sched).state, "DNC_OUT_OF_SERVICE");
  EXPECT_TRUE(h.d->attempts.empty());
  for (auto& l : h.d->leads) EXPECT_FALSE(l.in_progress) << l.phone;  // released
  EXPECT_EQ(h.dnc_asked().size(), 5u);  // the due leads were asked at once, before any claim
  h.tick();  // a probe with one lead: still unreachable
  h.tick();  // within 2 s of the probe: nothing
  EXPECT_EQ(h.dnc_asked().size(), 6u);
  EXPECT_TRUE(h.dialed.empty());
  EXPECT_EQ(h.d->uncommitted_claims, 0);

  h.dnc_answer = control::DncAnswer::listed;  // answers again: the probe lead is listed
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (h.schedule_of(sched).state != "RUNNING" && std::chrono::steady_clock::now() < deadline) {
    h.tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(h.schedule_of(sched).state, "RUNNING");
  EXPECT_EQ(h.d->lead(listed).status, "DNC");
  EXPECT_TRUE(h.d->lead(listed).done);
  EXPECT_EQ(h.d->attempts.size(), 1u);
  EXPECT_EQ(h.d->attempts[0].result, "DNC");
  EXPECT_TRUE(h.dialed.empty());  // a listed number is never dialed
  h.dnc_answer = control::DncAnswer::clear;
  h.tick();
  EXPECT_EQ(h.take_dialed().size(), 4u);
  EXPECT_EQ(h.runner->live(c.id).at("doNotCall").as_uint64(), 1u);
}

TEST(CampaignRunnerUnit, ASlowDncServiceHoldsNoLeadAndDelaysNoOtherCampaign) {
  // Campaign A's service hangs until the test lets it answer; B's service answers at once; C
  // has none. B and C dial while A's lookups hang, A holds no lead meanwhile (no claim, no row
  // lock, no attempt charged), and A dials everything once its service answers.
  RunnerHarness h({}, 200);  // a short budget: A's unanswered lookups wait for later ticks
  auto& a = h.campaign();
  a.dnc_service_id = 7;
  h.d->services[7] = {"http://slow.invalid/donotcall", "", 2000};
  auto& b = h.campaign();
  b.dnc_service_id = 8;
  h.d->services[8] = {"http://fast.invalid/donotcall", "", 2000};
  auto& c = h.campaign();
  const auto ida = a.id, idb = b.id, idc = c.id;
  for (auto id : {ida, idb, idc}) h.schedule(id, kDay);
  const std::vector<long long> a_leads = {h.lead(ida, "1001"), h.lead(ida, "1002"), h.lead(ida, "1003")};
  h.lead(idb, "2001");
  h.lead(idb, "2002");
  h.lead(idc, "3001");

  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  int slow_answered = 0;
  bool a_lead_held_while_asking = false;
  h.dnc_hook = [&](const control::DncService& svc) {
    if (svc.url.find("slow") == std::string::npos) return;
    for (auto id : a_leads) a_lead_held_while_asking = a_lead_held_while_asking || h.d->lead(id).in_progress;
    std::unique_lock lk(m);
    // Bounded, so a runner that asks on its own thread still gets past this (and fails below).
    cv.wait_for(lk, std::chrono::seconds(10), [&] { return open; });
    ++slow_answered;
  };
  std::map<long long, int> slow_answered_at_claim;  // campaign -> slow answers when it claimed
  h.d->before_claim = [&](long long campaign) {
    std::lock_guard lk(m);
    if (!slow_answered_at_claim.count(campaign)) slow_answered_at_claim[campaign] = slow_answered;
  };

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<std::string> dialed;
  auto tick_until = [&](size_t n) {
    while (dialed.size() < n && std::chrono::steady_clock::now() < deadline) {
      h.tick();
      for (auto& d : h.take_dialed()) dialed.push_back(d);
    }
  };
  tick_until(3);
  std::sort(dialed.begin(), dialed.end());
  EXPECT_EQ(dialed, (Numbers{"2001", "2002", "3001"}));
  {
    std::lock_guard lk(m);
    EXPECT_EQ(slow_answered_at_claim[idb], 0) << "B waited for A's service";
    EXPECT_EQ(slow_answered_at_claim[idc], 0) << "C waited for A's service";
  }
  for (auto id : a_leads) {
    EXPECT_FALSE(h.d->lead(id).in_progress);
    EXPECT_EQ(h.d->lead(id).attempts, 0);
  }
  for (auto& at : h.d->attempts) EXPECT_NE(at.campaign_id, ida) << "A dialed before its service answered";

  {
    std::lock_guard lk(m);
    open = true;
  }
  cv.notify_all();
  dialed.clear();
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  tick_until(3);
  std::sort(dialed.begin(), dialed.end());
  EXPECT_EQ(dialed, (Numbers{"1001", "1002", "1003"}));
  EXPECT_FALSE(a_lead_held_while_asking) << "A's leads were claimed while its service was asked";
  EXPECT_EQ(h.d->uncommitted_claims, 0);
}

TEST(CampaignRunnerUnit, ANumberOnTheCampaignsListIsNeverDialed) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.dnc_list_id = 3;
  h.d->dnc_list_versions[3] = 4;
  h.dnc.add(3, *control::pack_number("555"), 4);
  h.schedule(c.id, kDay);
  const auto listed = h.lead(c.id, "555");
  h.lead(c.id, "556");
  h.tick();
  EXPECT_EQ(h.take_dialed(), Numbers{"556"});
  EXPECT_EQ(h.d->lead(listed).status, "DNC");
  EXPECT_EQ(h.d->lead(listed).attempts, 1);
  EXPECT_TRUE(h.dnc_asked().empty());  // a list is not a service
}

// Issue 15: a do-not-call entry in one format blocks a lead written in another. Both go
// through their importers (a GB list, a GB campaign), as the API does; the runner compares E.164.
TEST(CampaignRunnerUnit, ADncEntryInOneFormatBlocksALeadWrittenInAnother) {
  RunnerHarness h;
  auto& c = h.campaign();
  c.dnc_list_id = 3;
  h.d->dnc_list_versions[3] = 4;
  const auto list = control::parse_dnc_csv("number\n+44 161 552 7789\n", "GB");
  ASSERT_EQ(list.packed.size(), 1u);
  h.dnc.add_many(3, list.packed, 4);
  h.schedule(c.id, kDay);
  control::LeadCsvOptions gb;
  gb.default_region = "GB";
  const auto leads = control::parse_lead_csv("national,01615527789\nno plus,441615527789\nother,01615527790\n", gb);
  ASSERT_EQ(leads.leads.size(), 3u);
  std::vector<long long> ids;
  for (const auto& l : leads.leads) ids.push_back(h.lead(c.id, l.phone));
  h.tick();
  EXPECT_EQ(h.take_dialed(), Numbers{"+441615527790"});
  EXPECT_EQ(h.d->lead(ids[0]).status, "DNC");
  EXPECT_EQ(h.d->lead(ids[1]).status, "DNC");
}

}  // namespace
