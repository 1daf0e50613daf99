#include "cli/agent_reporter.h"

#include <boost/json.hpp>

#include <utility>
#include <vector>


namespace hark::cli {

std::optional<AgentReporter> AgentReporter::make(const std::string& api, long long campaign, std::string token,
                                                 std::string* why) {
  auto u = control::parse_webhook_url(api, why);
  if (!u) return std::nullopt;
  if (u->tls) {
    if (why) *why = "the agent pool reports over http:// only";
    return std::nullopt;
  }
  AgentReporter r;
  r.api_ = *u;
  r.base_ = u->target.substr(0, u->target.find('?'));
  while (!r.base_.empty() && r.base_.back() == '/') r.base_.pop_back();
  r.campaign_ = campaign;
  r.token_ = std::move(token);
  return r;
}

std::string AgentReporter::put(const PoolAgent& a, int timeout_ms) const {
  control::WebhookUrl u = api_;
  u.target = base_ + "/api/v1/campaigns/" + std::to_string(campaign_) + "/agents/" + a.id;
  std::vector<std::pair<std::string, std::string>> headers{{"User-Agent", "hark-agent-pool"}};
  if (!token_.empty()) headers.emplace_back("Authorization", "Bearer " + token_);
  const auto body = boost::json::serialize(boost::json::object{{"state", a.state}, {"extension", a.extension}});
  const auto r = control::send_json("PUT", u, headers, body, timeout_ms);
  if (r.status == 0) return r.error;
  if (r.status / 100 != 2) return "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200);
  return "";
}

}  // namespace hark::cli
