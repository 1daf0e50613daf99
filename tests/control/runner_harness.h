// The campaign runner's unit-test harness: the runner against an in-memory store
// (fake_runner_store.h), a dialer that records each CallRequest, a fake do-not-call service, and
// call ends the test feeds. Each test drives the runner tick by tick (run_once) on a clock it
// sets. Used by runner_unit_test.cpp, runner_dnc_unit_test.cpp and runner_prompt_test.cpp.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "control/campaign/campaign_runner.h"
#include "fake_runner_store.h"

namespace hark::test {

constexpr long long kMin = 60'000'000LL, kHour = 60 * kMin;

/// Microseconds after midnight of "HH:MM".
inline long long at(const std::string& hhmm) { return std::stoi(hhmm.substr(0, 2)) * kHour + std::stoi(hhmm.substr(3, 2)) * kMin; }

constexpr int kDay = 19000;  // a day (2022-01-08) as days since 1970

struct RunnerHarness {
  std::shared_ptr<FakeData> d = std::make_shared<FakeData>();
  control::DncIndex dnc;
  control::Metrics metrics;
  std::vector<signaling::CallRequest> dialed;
  std::atomic<control::DncAnswer> dnc_answer{control::DncAnswer::clear};
  std::mutex dnc_mu;
  std::vector<std::string> dnc_asked_;  ///< numbers the service was asked about (pool threads)
  /// Runs before the fake service answers (on a pool thread): a test may block it here.
  std::function<void(const control::DncService&)> dnc_hook;
  std::unique_ptr<control::CampaignRunner> runner;
  long long next_id = 1;

  /// `dnc_budget_ms`: the runner waits this long for do-not-call lookups; generous by default,
  /// so a tick with an instant fake service always sees its answers.
  explicit RunnerHarness(control::RunnerOptions o = {}, int dnc_budget_ms = 30000) {
    o.instance_id = "me";
    o.dnc_budget_ms = dnc_budget_ms;
    d->tz_offset_s["Asia/Tokyo"] = 9 * 3600;
    d->tz_offset_s["America/Los_Angeles"] = -7 * 3600;
    d->now_us = kDay * FakeData::kDayUs + at("12:00");
    runner = std::make_unique<control::CampaignRunner>(
        std::make_unique<test::FakeRunnerStore>(d, o.instance_id), dnc, metrics, o,
        [this](signaling::CallRequest r) { return dialed.push_back(std::move(r)), uint64_t(dialed.size()); },
        [this](const control::DncService& svc, const std::string& number, std::string* err) {
          if (dnc_hook) dnc_hook(svc);
          {
            std::lock_guard lk(dnc_mu);
            dnc_asked_.push_back(number);
          }
          const control::DncAnswer a = dnc_answer;
          if (a == control::DncAnswer::unreachable && err) *err = "connection refused";
          return a;
        });
  }
  ~RunnerHarness() { runner.reset(); }  // before dnc_hook and the rest the fake service uses
  std::vector<std::string> dnc_asked() {
    std::lock_guard lk(dnc_mu);
    return dnc_asked_;
  }

  /// A STARTED campaign with 10 fixed channels, 5 attempts, retries after 60 minutes.
  sql::CampaignRecord& campaign(const std::string& tz = "UTC") {
    sql::CampaignRecord c;
    c.id = next_id++;
    c.name = "c" + std::to_string(c.id);
    c.state = "STARTED";
    c.start_date = "2022-01-01", c.end_date = "2022-12-31", c.start_time = "09:00:00", c.end_time = "17:00:00";
    c.weekdays = 127;
    c.time_zone = tz;
    c.pilot_number = "5000";
    c.kind = "agent_queue";
    c.max_attempts = 5, c.retry_minutes = 60;
    c.max_concurrent = 30;
    c.fixed_channels = 10;
    return d->campaigns[c.id] = c;
  }
  long long schedule(long long campaign, int day, const std::string& from = "09:00", const std::string& to = "17:00") {
    FakeData::Schedule s;
    s.id = next_id++;
    s.campaign_id = campaign, s.day = day, s.start_us = at(from), s.end_us = at(to);
    d->schedules.push_back(s);
    return s.id;
  }
  FakeData::Schedule& schedule_of(long long id) {
    for (auto& s : d->schedules)
      if (s.id == id) return s;
    throw std::out_of_range("schedule");
  }
  long long lead(long long campaign, const std::string& phone) {
    FakeData::Lead l;
    l.id = next_id++;
    l.campaign_id = campaign, l.phone = phone;
    d->leads.push_back(l);
    return l.id;
  }
  void tick() { runner->run_once(); }
  /// Ends the call with `tag` with `status`, as the SIP agent reports it (`transferred`: our
  /// REFER put the callee through).
  void end(uint64_t tag, signaling::LeadStatus status, bool answered = false, int sip_code = 0,
           bool transferred = false) {
    signaling::CallEvent e;
    e.sip_code = sip_code;
    e.tag = tag;
    e.state = signaling::CallState::ended;
    e.outcome = status;
    e.answered = answered;
    e.transferred = transferred;
    e.cause = "test";
    runner->on_call_event(e);
  }
  /// Numbers dialed since the last call, in order.
  std::vector<std::string> take_dialed() {
    std::vector<std::string> out;
    for (auto& r : dialed) out.push_back(r.number);
    dialed.clear();
    return out;
  }
  void set_clock(int day, const std::string& hhmm) { d->now_us = day * FakeData::kDayUs + at(hhmm); }
  void advance(long long us) { d->now_us += us; }
};

using Numbers = std::vector<std::string>;
}  // namespace hark::test
