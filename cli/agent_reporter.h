// How the simulated agent pool (agent_pool.h) tells hark its agents' states: one
// PUT /api/v1/campaigns/{id}/agents/{agentId} {"state", "extension"} per change, with a bearer
// token of a campaign administrator of the campaign's group, over plain HTTP (the webhooks'
// client, control/webhooks/webhook_http.h).
#pragma once

#include <optional>
#include <string>

#include "cli/agent_pool.h"
#include "control/webhooks/webhook_http.h"

namespace hark::cli {

class AgentReporter {
 public:
  /// For hark's API at `api` (http://host:port), campaign `campaign`; nullopt with `why` set
  /// when `api` is not such a URL.
  static std::optional<AgentReporter> make(const std::string& api, long long campaign, std::string token,
                                           std::string* why);
  /// Reports `a` (waits at most `timeout_ms`); returns an error ("HTTP 403 ...", "no answer
  /// ..."), empty on a 2xx answer.
  std::string put(const PoolAgent& a, int timeout_ms = 5000) const;

 private:
  control::WebhookUrl api_;  ///< hark's API: scheme, host and port (each PUT sets the target)
  std::string base_;         ///< the URL's path without its trailing '/'
  long long campaign_ = 0;
  std::string token_;
};

}  // namespace hark::cli
