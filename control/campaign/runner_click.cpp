// Click-to-dial on the runner's thread (issue 16): calls asked for by POST /api/v1/calls are
// queued by any thread and placed by the next tick, so the SIP agent is driven from one thread
// as for campaign calls, and nothing on the media path takes a new lock.
#include <spdlog/spdlog.h>

#include "control/campaign/campaign_runner.h"
#include "control/campaign/runner_call.h"

namespace hark::control {

void CampaignRunner::place_call(ClickToDial req, ClickPlaced done) {
  {
    std::lock_guard lk(mu_);
    if (!stop_ && !paused_) {
      clicks_.emplace_back(std::move(req), std::move(done));
      woken_ = true;
      cv_.notify_all();
      return;
    }
  }
  done(0, "this process is shutting down");
}

void CampaignRunner::refuse_clicks(const std::string& why) {
  std::deque<std::pair<ClickToDial, ClickPlaced>> q;
  {
    std::lock_guard lk(mu_);
    q.swap(clicks_);
  }
  for (auto& [req, done] : q) done(0, why);
}

void CampaignRunner::place_clicks() {
  std::deque<std::pair<ClickToDial, ClickPlaced>> q;
  {
    std::lock_guard lk(mu_);
    q.swap(clicks_);
  }
  while (!q.empty()) {
    auto [req, done] = std::move(q.front());
    q.pop_front();
    try {
      const auto got = store_->start_click_attempt(req.campaign_id, req.lead_id, req.number, req.placed_by);
      if (!got) {
        done(0, "the lead is being dialed already");
        continue;
      }
      std::shared_ptr<const CampaignPlan> plan;
      const std::vector<std::string>* members = nullptr;
      try {
        plan = plan_for(got->campaign);
        members = &group_trunks(got->campaign.trunk_group);
      } catch (const std::exception& e) {
        // The attempt is written but no call will come of it: close it now, not charged (like
        // the recovery does), so the lead is not left in progress.
        sql::AttemptEnd end;
        end.attempt_id = got->attempt_id;
        end.result = "UNKNOWN";
        end.cause = std::string("not placed: ") + e.what();
        end.charged = false;
        store_->finish_attempt(end, sql::LeadOutcome{req.lead_id, "UNKNOWN", req.new_lead, 0, false, 0});
        throw;
      }
      auto call = std::make_shared<Call>();
      call->attempt_id = got->attempt_id;
      call->lead_id = req.lead_id;
      call->campaign_id = req.campaign_id;
      call->lead_attempts = got->lead_attempts;
      call->plan = plan;
      call->number = req.number;
      call->click_lead = req.new_lead;
      auto sip = call_request(*plan, req.number, call->attempt_id);
      if (!req.agent.empty()) {
        // Agent first: ring the agent's extension, no AMD; whoever answers is referred to the
        // customer (third-party call control).
        const auto customer = plan->settings.dial_prefix + req.number;
        sip.number = req.agent;
        sip.amd = false;
        sip.plan = signaling::CallPlan{};
        sip.plan.person = signaling::Reaction::transfer(customer);
      }
      sip.trunks = route_now(*members);
      call->trunks = sip.trunks;
      const auto now = std::chrono::steady_clock::now();
      {
        std::lock_guard lk(mu_);
        calls_[uint64_t(call->attempt_id)] = call;
        auto& l = live_[req.campaign_id];
        ++l.placed;
        ++l.dialing;
        l.recent.push_back(now);
        call->phase = signaling::CallState::dialing;
        metrics_.inc("hark_calls_placed_total{campaign=\"" + std::to_string(req.campaign_id) + "\"}");
        call->sip_call_id = dial_(std::move(sip));
      }
      spdlog::info("runner: click-to-dial call {} to {}{} (campaign {}, lead {}, user {})", call->attempt_id,
                   req.number, req.agent.empty() ? "" : " through agent " + req.agent, req.campaign_id, req.lead_id,
                   req.placed_by);
      done(call->attempt_id, "");
    } catch (const StoreUnavailable& e) {
      done(0, std::string("the database is unreachable: ") + e.what());
      for (auto& [r, d] : q) d(0, "the database is unreachable");
      throw;
    } catch (const std::exception& e) {
      spdlog::warn("runner: click-to-dial to {} not placed: {}", req.number, e.what());
      done(0, e.what());
    }
  }
}

}  // namespace hark::control
