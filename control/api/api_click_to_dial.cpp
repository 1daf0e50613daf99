// Click-to-dial (issue 16): POST /api/v1/calls places one call on request, agent first (ring
// the agent's extension, no AMD, then REFER the agent to the customer) or customer first (the
// campaign's AMD and plan: a person is transferred to its pilot). The call is logged like a
// campaign call, under a lead: the one given, or a new one made for it (done, so campaign
// dialing never picks it up), in the campaign given, or for agent first without a campaign in
// the group's "click-to-dial (group N)" campaign, made on demand and never started.
#include <spdlog/spdlog.h>

#include <mutex>
#include <random>

#include "control/api/call_replies.h"
#include "control/api/control_api.h"
#include "control/campaign/dnc_client.h"
#include "control/campaign/json_fields.h"
#include "signaling/phone_number.h"
#include "sql/live_call_store.h"

namespace hark::control {

namespace json = boost::json;

namespace {

/// An agent's extension: digits (and + * #), or a sip:/sips: URI with a user and a host.
std::string read_agent(const std::string& raw) {
  bool ok = !raw.empty();
  if (raw.rfind("sip:", 0) == 0 || raw.rfind("sips:", 0) == 0) {
    const auto at = raw.find('@');
    ok = at != std::string::npos && at + 1 < raw.size();
    for (unsigned char ch : raw) ok = ok && ch > ' ' && ch < 0x7f && ch != '<' && ch != '>' && ch != '"';
  } else {
    for (char ch : raw) ok = ok && (std::isdigit(static_cast<unsigned char>(ch)) || ch == '+' || ch == '*' || ch == '#');
  }
  if (!ok) invalid("agent", "agent must be an extension (digits) or a sip:user@host URI");
  return raw;
}

/// A click-to-dial request's id on the bus: random, so processes never collide; positive.
long long next_request_id() {
  static std::mutex mu;
  static std::mt19937_64 gen{std::random_device{}()};
  std::lock_guard lk(mu);
  return static_cast<long long>(gen() >> 2) + 1;
}

/// What the first transaction settled: where the call is logged and how its number reads.
struct Resolved {
  long long campaign_id = 0, group_id = 0;
  std::string number, raw;
  std::optional<DncService> service;
};

}  // namespace

/// POST /calls: click-to-dial. 201 {"id", ...} once the INVITE is on its way.
HttpResponse click_to_dial(ApiServices& s, ApiContext& ctx) {
  const auto& me = ctx.me();
  const auto body = ctx.json();
  reject_unknown(body, {"number", "leadId", "agent", "campaignId", "groupId"});
  const auto raw = *get_string(body, "number", true, 64, 1);
  const auto lead_id = get_int(body, "leadId", false, 1, INT64_MAX);
  auto campaign_id = get_int(body, "campaignId", false, 1, INT64_MAX);
  const auto group_id = get_int(body, "groupId", false, 1, INT64_MAX);
  const auto agent_raw = get_string(body, "agent", false, 128, 1);
  const std::string agent = agent_raw ? read_agent(*agent_raw) : std::string();
  if (agent.empty() && !campaign_id && !lead_id)
    invalid("agent", "name an agent extension (agent first) or a campaign (customer first)");
  if (!s.runner && !s.call_replies) fail(503, "no_dialing", "this process neither dials nor reaches the processes that do");

  Resolved r = s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    Resolved out;
    if (lead_id && !campaign_id) {
      const auto l = tx.exec_prepared("click_lead_campaign", *lead_id);
      if (l.empty()) fail(404, "not_found", "no such lead");
      campaign_id = l[0][0].as<long long>();
    }
    if (campaign_id) {
      const auto g = tx.exec_prepared("campaign_group", *campaign_id);
      // Another group's campaign is a 404, like one that does not exist.
      if (g.empty() || !me.in_group(g[0][0].as<long long>())) fail(404, "not_found", "no such campaign");
      out.campaign_id = *campaign_id;
      out.group_id = g[0][0].as<long long>();
    } else {
      long long g = 0;
      if (group_id) g = *group_id;
      else if (me.groups.size() == 1) g = me.groups.front();
      else invalid("groupId", "name the group (groupId) whose click-to-dial campaign logs the call");
      if (!me.in_group(g)) fail(404, "not_found", "no such group");
      tx.exec_prepared0("click_campaign_ensure", g);
      const auto id = tx.exec_prepared("click_campaign_get", g);
      if (id.empty()) fail(409, "conflict", "another campaign holds the name of this group's click-to-dial campaign");
      out.campaign_id = id[0][0].as<long long>();
      out.group_id = g;
    }
    const auto camp = tx.exec_prepared1("campaign_row", out.campaign_id);
    if (lead_id && tx.exec_prepared("lead_get", out.campaign_id, *lead_id).empty()) fail(404, "not_found", "no such lead");
    // The number reads like the campaign's leads (see Numbers in the README).
    const auto region = camp["default_region"].as<std::string>();
    const auto parsed = signaling::parse_number(raw, region, camp["internal_length"].as<int>());
    if (!parsed.ok()) invalid("number", "number " + signaling::problem_text(parsed.problem, region));
    out.number = parsed.number;
    out.raw = raw;
    // Do-not-call like campaign calls: the list as stored (not this process's copy of it), or
    // the service, asked below outside the transaction.
    if (!camp["dnc_list_id"].is_null() &&
        !tx.exec_prepared("click_dnc_listed", camp["dnc_list_id"].as<long long>(), out.number).empty())
      fail(409, "do_not_call", "the number is on the campaign's do-not-call list");
    if (!camp["dnc_service_id"].is_null()) {
      const auto svc = tx.exec_prepared1("dnc_service_get", camp["dnc_service_id"].as<long long>());
      out.service = DncService{svc["url"].as<std::string>(), std::min(svc["timeout_ms"].as<int>(), s.dnc_check_timeout_ms),
                               svc["bearer_token"].as<std::string>(), s.dnc_ca_file};
    }
    tx.commit();  // the click-to-dial campaign, made once per group
    return out;
  });
  if (r.service) {
    std::string error;
    const auto a = check_dnc(*r.service, r.number, &error);
    if (a == DncAnswer::unreachable) {
      // Fail closed, as campaign dialing does.
      spdlog::warn("api: click-to-dial: do-not-call service {} gave no usable answer: {}", r.service->url, error);
      fail(503, "dnc_unreachable", "the campaign's do-not-call service gave no usable answer; the call is not placed");
    }
    if (a == DncAnswer::listed) fail(409, "do_not_call", "the campaign's do-not-call service lists the number");
  }

  ClickToDial req;
  req.campaign_id = r.campaign_id;
  req.number = r.number;
  req.agent = agent;
  req.placed_by = me.user_id;
  auto later = std::make_shared<LaterResponse>();
  const auto mode = agent.empty() ? "customer_first" : "agent_first";
  json::object shown{{"campaignId", req.campaign_id}, {"number", req.number}, {"mode", mode},
                     {"agent", agent.empty() ? json::value(nullptr) : json::value(agent)}};
  s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (lead_id) {
      req.lead_id = *lead_id;
    } else {
      req.lead_id = tx.exec_prepared1("click_lead_insert", r.campaign_id, "", r.number, r.raw)[0].as<long long>();
      req.new_lead = true;
    }
    shown["leadId"] = req.lead_id;
    s.audit(tx, ctx, "call.dial", "lead/" + std::to_string(req.lead_id),
            json::object{{"number", r.number}, {"campaignId", r.campaign_id}, {"agent", agent}});
    if (!s.runner) {
      // No runner here: the request goes to the dialing processes through PostgreSQL (NOTIFY,
      // delivered at commit); the first to take the lead places the call and answers. Waiting
      // before the commit, so no answer can come first.
      const long long request = next_request_id();
      s.call_replies->expect(-request, std::chrono::milliseconds(s.command_timeout_ms),
                             [later, shown](int status, const std::string& message) mutable {
                               if (status == 201) {
                                 shown["id"] = std::stoll(message);
                                 later->finish(json_response(shown, 201));
                               } else {
                                 later->finish(error_response(503, "no_dialing_process",
                                                              "no dialing process placed the call in time"));
                               }
                             });
      const json::object payload{{"request", request},        {"campaignId", req.campaign_id}, {"leadId", req.lead_id},
                                 {"number", req.number},      {"agent", req.agent},            {"placedBy", req.placed_by},
                                 {"newLead", req.new_lead}};
      tx.exec_params(sql::kNotifyScopedSql, sql::kDialChannel, json::serialize(payload));
    }
    tx.commit();
  });
  if (s.runner) {
    s.runner->place_call(req, [later, shown](long long call_id, const std::string& error) mutable {
      if (call_id > 0) {
        shown["id"] = call_id;
        later->finish(json_response(shown, 201));
      } else if (error == "the lead is being dialed already") {
        later->finish(error_response(409, "lead_in_progress", error));
      } else {
        later->finish(error_response(503, "not_placed", "the call was not placed: " + error));
      }
    });
  }
  HttpResponse res;
  res.later = later;
  return res;
}

}  // namespace hark::control
