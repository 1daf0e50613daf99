#include "control/campaign/inbound_route.h"

#include <algorithm>
#include <map>

#include "signaling/phone_number.h"

namespace hark::control {

std::string_view to_string(InboundKind k) {
  switch (k) {
    case InboundKind::lead: return "lead";
    case InboundKind::internal: return "internal";
    case InboundKind::unknown: return "unknown";
  }
  return "?";
}

CallerNumber parse_caller(std::string_view user, const InboundSettings& s) {
  CallerNumber c;
  const auto p = signaling::parse_number(user, s.default_region, s.internal_length);
  if (!p.ok()) return c;
  c.number = p.number;
  c.internal = p.extension;
  return c;
}

InboundDecision decide_inbound(const CallerNumber& caller, const std::vector<LeadMatch>& matches,
                               const InboundSettings& s) {
  InboundDecision d;
  d.target = s.default_route;
  if (caller.internal) {
    d.kind = InboundKind::internal;
    return d;
  }
  if (caller.number.empty() || matches.empty()) return d;
  // The most recently attempted lead; never attempted ranks last; ties: the newest lead.
  const auto best = std::max_element(matches.begin(), matches.end(), [](const LeadMatch& a, const LeadMatch& b) {
    if (a.last_attempt_us != b.last_attempt_us) return a.last_attempt_us < b.last_attempt_us;
    return a.lead_id < b.lead_id;
  });
  d.kind = InboundKind::lead;
  d.campaign_id = best->campaign_id;
  // A campaign without a pilot number has nowhere to send its callers: the default route.
  if (!best->pilot.empty()) d.target = best->pilot;
  std::map<long long, std::vector<long long>> by;
  for (const auto& m : matches) by[m.campaign_id].push_back(m.lead_id);
  d.leads_by_campaign.emplace_back(best->campaign_id, by[best->campaign_id]);
  for (auto& [campaign, leads] : by)
    if (campaign != best->campaign_id) d.leads_by_campaign.emplace_back(campaign, leads);
  for (auto& [campaign, leads] : d.leads_by_campaign) std::sort(leads.begin(), leads.end());
  return d;
}

}  // namespace hark::control
