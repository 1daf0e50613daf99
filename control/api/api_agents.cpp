// Agents (issue 18): the contact center reports each agent's state; the runner paces calls on
// them and holds an agent for each person it hands over until that agent is reported again
// (control/campaign/agent_board.h says how per-agent states and the aggregate freeAgents combine).
//
// Campaign Administrators of the campaign's group report; Supervisors read.
#include "control/api/campaign_rows.h"
#include "control/campaign/abandon_rules.h"
#include "control/campaign/json_fields.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kAdmin = Access::only({Role::campaign_admin});
const auto kReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor});

json::object agent_json(const pqxx::row& r) {
  json::object o{{"agentId", r["agent_id"].as<std::string>()},
                 {"state", r["state"].as<std::string>()},
                 {"extension", r["extension"].is_null() ? json::value(nullptr) : json::value(r["extension"].as<std::string>())},
                 {"updatedAt", r["updated_at"].as<std::string>()}};
  // A call hark handed to this agent, counted talking until the agent is reported again.
  o["heldByAttempt"] = r["held_attempt"].is_null() ? json::value(nullptr) : json::value(r["held_attempt"].as<long long>());
  return o;
}

/// PUT /campaigns/{id}/agents/{agent}: {"state": "ready|talking|wrapup|paused|offline",
/// "extension"?: where hark transfers this agent's calls}. Ends hark's hold on the agent.
HttpResponse put_agent(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"state", "extension"});
  const auto state = *get_string(body, "state", true, 10);
  if (state != "ready" && state != "talking" && state != "wrapup" && state != "paused" && state != "offline")
    invalid("state", "state must be ready, talking, wrapup, paused or offline");
  const auto extension = get_string(body, "extension", false, 200, 1);
  const auto agent = ctx.params.at("agent");
  if (agent.empty() || agent.size() > 100) fail(404, "not_found", "an agent id is 1-100 characters");
  auto res = with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    return json_response(agent_json(c.tx.exec_prepared1("agent_put", c.id, agent, state, extension)));
  });
  if (s.runner) s.runner->wake();  // a ready agent: dial for it now
  return res;
}

/// GET /campaigns/{id}/agents: every agent reported, the aggregate freeAgents, and which rules.
HttpResponse get_agents(ApiServices& s, ApiContext& ctx) {
  return with_campaign(s, ctx, CampaignUse::read, [&](CampaignScope& c) {
    json::array agents;
    long long ready = 0;
    for (const auto& r : c.tx.exec_prepared("agents_list", c.id)) {
      ready += r["state"].as<std::string>() == "ready" && r["held_attempt"].is_null();
      agents.push_back(agent_json(r));
    }
    const int free_agents = c.tx.exec_prepared1("campaign_row", c.id)["free_agents"].as<int>();
    const bool per_agent = !agents.empty();
    return json_response(json::object{{"agents", std::move(agents)},
                                      {"freeAgents", free_agents},
                                      {"counting", per_agent ? "perAgent" : "freeAgents"},
                                      {"ready", per_agent ? ready : free_agents}});
  });
}

/// How long a lead shown to an agent stays reserved for it.
constexpr int kPreviewReserveS = 120;

/// The agent a preview request names ({"agentId"}).
std::string preview_agent(const json::object& body) {
  reject_unknown(body, {"agentId"});
  return *get_string(body, "agentId", true, 100, 1);
}

/// POST /campaigns/{id}/preview/next {"agentId"}: a due lead reserved for the agent for 120 s
/// (its own reserved lead again if it has one); 204 when none is due; 409 unless preview.
HttpResponse preview_next(ApiServices& s, ApiContext& ctx) {
  const auto agent = preview_agent(ctx.json());
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    const auto row = c.tx.exec_prepared1("campaign_row", c.id);
    if (row["dialing_mode"].as<std::string>() != "preview")
      fail(409, "not_preview", "the campaign's dialingMode is not preview");
    const auto r = c.tx.exec_prepared("preview_next", c.id, agent, kPreviewReserveS);
    if (r.empty()) return no_content();
    auto o = lead_json(r[0]);
    o["reservedForS"] = kPreviewReserveS;
    return json_response(o);
  });
}

/// POST /campaigns/{id}/preview/{leadId}/accept {"agentId"}: hark dials the lead and transfers
/// the person to that agent (its extension, else the pilot); 409 when not reserved for it.
HttpResponse preview_accept(ApiServices& s, ApiContext& ctx) {
  const auto agent = preview_agent(ctx.json());
  const auto lead = ctx.id("leadId");
  auto res = with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    if (c.tx.exec_prepared("preview_accept", c.id, lead, agent).empty())
      fail(409, "not_reserved", "the lead is not reserved for this agent (ask preview/next again)");
    return json_response(json::object{{"leadId", lead}, {"agentId", agent}, {"accepted", true}});
  });
  if (s.runner) s.runner->wake();  // dial it now
  return res;
}

/// POST /campaigns/{id}/preview/{leadId}/skip {"agentId"}: the lead is not offered again for the
/// campaign's retry time.
HttpResponse preview_skip(ApiServices& s, ApiContext& ctx) {
  const auto agent = preview_agent(ctx.json());
  const auto lead = ctx.id("leadId");
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    const auto minutes = c.tx.exec_prepared1("campaign_row", c.id)["retry_minutes"].as<int>();
    if (c.tx.exec_prepared("preview_skip", c.id, lead, agent, minutes).empty())
      fail(409, "not_reserved", "the lead is not reserved for this agent");
    return no_content();
  });
}

}  // namespace

json::object abandon_summary(pqxx::transaction_base& tx, long long campaign_id, bool count_amd_fp) {
  const auto r = tx.exec_prepared1("abandon_counts", campaign_id, count_amd_fp);
  AbandonCounts n{r["people_30d"].as<long long>(), r["abandoned_30d"].as<long long>(),
                  r["people_24h"].as<long long>(), r["abandoned_24h"].as<long long>(),
                  r["people_15m"].as<long long>(), r["abandoned_15m"].as<long long>()};
  const auto rates = abandon_rates(n);
  return {{"rate30d", rates.days30},      {"rate24h", rates.hours24},         {"people30d", n.people_30d},
          {"abandoned30d", n.abandoned_30d}, {"people24h", n.people_24h}, {"abandoned24h", n.abandoned_24h},
          {"amdFalsePositivesCounted", count_amd_fp}};
}

void add_agent_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"GET", "/api/v1/campaigns/{id}/agents", "read a campaign's agents and how free agents are counted", kReaders, "",
       get_agents},
      {"PUT", "/api/v1/campaigns/{id}/agents/{agent}", "report one agent's state (the contact center)", kAdmin, "json",
       put_agent},
      {"POST", "/api/v1/campaigns/{id}/preview/next", "preview: a due lead reserved for an agent", kAdmin, "json",
       preview_next},
      {"POST", "/api/v1/campaigns/{id}/preview/{leadId}/accept", "preview: dial the lead for the agent", kAdmin, "json",
       preview_accept},
      {"POST", "/api/v1/campaigns/{id}/preview/{leadId}/skip", "preview: skip the lead", kAdmin, "json", preview_skip},
  });
}

}  // namespace hark::control
