// What the runner remembers about a call it placed, until its end is written (private to the
// runner's two source files).
#pragma once

#include "control/campaign/campaign_runner.h"
#include "control/campaign/dial_pacer.h"
#include "control/campaign/pacing_estimate.h"

namespace hark::control {

struct CampaignRunner::Call {
  long long attempt_id = 0, lead_id = 0, campaign_id = 0;
  int lead_attempts = 0;                    ///< attempts before this one
  std::shared_ptr<const CampaignPlan> plan;  ///< the campaign's settings when it was dialed
  std::string number;
  int phone_index = 0, numbers = 1;         ///< which of the lead's numbers this is, of how many
  std::vector<std::string> trunks;          ///< the route asked for (empty: the agent's every trunk)
  signaling::CallState phase = signaling::CallState::queued;
  uint64_t sip_call_id = 0;                 ///< the SipAgent's id (what call control names)
  bool rang = false;                        ///< a provisional 18x came: the trunk reached the callee
  bool click_lead = false;                  ///< a lead made for one click-to-dial call: done whatever comes
  bool trunk_noted = false, charged = true;  ///< the end went through the trunk back-off; its verdict
  std::string ended_webhook;                ///< the `ended` webhook event's JSON, written with the end
  // Pacing (runner_pacing.cpp): on the runner's clock (now_s), -1 not yet.
  double placed_s = 0, rang_s = -1, answered_s = -1;
  bool to_agent = false;                     ///< the AMD said person: meant for an agent
  std::shared_ptr<AgentBoard> board;         ///< the gate the person goes through (null: plain transfer)
};

/// A campaign's pacing state: its agents, its measured figures and its abandon rates.
struct CampaignRunner::Pacer {
  std::shared_ptr<AgentBoard> board = std::make_shared<AgentBoard>();
  PacingEstimate estimate{180, 40};  ///< as in bench/pacing_sim
  AbandonRates rates;
  std::chrono::steady_clock::time_point rates_at{};
  PacingDecision last;               ///< the last decision (live figures)
};

}  // namespace hark::control
