// Calls as a resource across hark processes (issue 16): the calls that are up (table
// live_calls, written by each call's owner), and commands to them sent through PostgreSQL (a
// call_commands row + NOTIFY; the owner runs it and answers; call_replies.h waits for that
// answer without holding an I/O thread).
#include <spdlog/spdlog.h>

#include "control/api/call_replies.h"
#include "control/api/control_api.h"
#include "control/api/report_filters.h"
#include "control/campaign/call_commands.h"
#include "control/campaign/json_fields.h"
#include "signaling/phone_number.h"
#include "sql/live_call_store.h"

namespace hark::control {

namespace json = boost::json;

namespace {

// Supervisors read; admins and agents control (agents only the calls they placed).
const auto kReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor, Role::agent});
const auto kControllers = Access::only({Role::campaign_admin, Role::agent});
const auto kFigureReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor});

json::value opt_text(const pqxx::field& f) { return f.is_null() ? json::value(nullptr) : json::value(f.as<std::string>()); }
json::value opt_int(const pqxx::field& f) { return f.is_null() ? json::value(nullptr) : json::value(f.as<long long>()); }

json::object call_json(const pqxx::row& r) {
  return {{"id", r["id"].as<long long>()},
          {"campaignId", r["campaign_id"].as<long long>()},
          {"leadId", opt_int(r["lead_id"])},
          {"number", r["number"].as<std::string>()},
          {"state", r["state"].as<std::string>()},
          {"trunk", opt_text(r["trunk"])},
          {"process", r["instance_id"].as<std::string>()},
          {"amdVerdict", opt_text(r["amd_verdict"])},
          {"placedBy", opt_int(r["placed_by"])},
          {"dialedAt", r["dialed_at"].as<std::string>()},
          {"answeredAt", opt_text(r["answered_at"])},
          {"updatedAt", r["updated_at"].as<std::string>()},
          {"endedAt", opt_text(r["ended_at"])}};
}

/// The list statement's scope: an agent sees the calls it placed, the others their groups'.
std::pair<std::string, std::optional<long long>> scope(const Principal& me) {
  if (me.role == Role::agent) return {"{}", me.user_id};
  return {group_array(me), std::nullopt};
}

/// Whether `me` may see (control: also command) the call in row `r`.
bool may_access(const Principal& me, const pqxx::row& r, bool control) {
  if (me.role == Role::agent) return !r["placed_by"].is_null() && r["placed_by"].as<long long>() == me.user_id;
  if (control && me.role != Role::campaign_admin) return false;
  return me.in_group(r["group_id"].as<long long>());
}

/// GET /calls: the calls that are up in every process on this database (campaign, state filters).
HttpResponse list_live_calls(ApiServices& s, ApiContext& ctx) {
  std::optional<long long> campaign;
  if (!ctx.query("campaign").empty()) campaign = ctx.query_int("campaign", 0, 1, INT64_MAX);
  std::optional<std::string> state;
  if (const auto st = ctx.query("state"); !st.empty()) {
    if (live_state_valid(st)) state = st;
    else fail(422, "invalid", "state must be one of dialing, ringing, early_media, connected, on_hold, transferring, "
                              "consulting, ended", "state");
  }
  const auto limit = ctx.query_int("limit", 1000, 1, 10000);
  const auto [groups, agent] = scope(ctx.me());
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::array out;
    for (const auto& r : tx.exec_prepared("live_calls_list", groups, agent, campaign, state, limit)) out.push_back(call_json(r));
    return json_response(json::object{{"calls", std::move(out)}});
  });
}

/// GET /calls/{id}: one call, up or ended (while its row is kept).
HttpResponse get_live_call(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    const auto rows = tx.exec_prepared("live_call_get", id);
    if (rows.empty() || !may_access(ctx.me(), rows[0], false)) fail(404, "not_found", "no such call");
    return json_response(call_json(rows[0]));
  });
}

/// A command's target: a sip:/sips: URI as given, or a number normalised like the campaign's
/// leads (E.164, or an extension). 422 otherwise.
std::string read_target(const json::object& body, const pqxx::row& call) {
  const auto raw = get_string(body, "target", true, 256, 1).value_or("");
  if (raw.rfind("sip:", 0) == 0 || raw.rfind("sips:", 0) == 0) {
    const auto at = raw.find('@');
    bool ok = at != std::string::npos && at + 1 < raw.size();
    for (unsigned char ch : raw) ok = ok && ch > ' ' && ch < 0x7f && ch != '<' && ch != '>' && ch != '"';
    if (!ok) fail(422, "invalid", "target must be a number or a sip:user@host URI", "target");
    return raw;
  }
  const auto region = call["default_region"].is_null() ? std::string() : call["default_region"].as<std::string>();
  const int internal = call["internal_length"].is_null() ? 0 : call["internal_length"].as<int>();
  const auto parsed = signaling::parse_number(raw, region, internal);
  if (!parsed.ok())
    fail(422, "invalid", "target " + signaling::problem_text(parsed.problem, region), "target");
  return parsed.number;
}

/// The JSON answer of a command from the owner's outcome (0: no answer in time).
HttpResponse command_response(long long call_id, CallCommand kind, long long command_id, int status,
                              const std::string& message) {
  switch (status) {
    case 202:
      return json_response(json::object{{"callId", call_id}, {"command", to_string(kind)}, {"commandId", command_id},
                                        {"status", "accepted"}}, 202);
    case 409: return error_response(409, "conflict", message);
    case 501: return error_response(501, "not_implemented", message);
    case 0: return error_response(504, "owner_timeout", "the call's hark process did not answer in time");
    default: return error_response(status >= 400 && status < 600 ? status : 500, "command_failed", message);
  }
}

/// POST /calls/{id}/<command>: checks the call and the caller here, then hands the command to
/// the call's owner through PostgreSQL and answers when it has (or 504).
template <CallCommand Kind>
HttpResponse call_command(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  const auto& me = ctx.me();
  auto res = s.db.with([&](pqxx::connection& c) -> HttpResponse {
    pqxx::work tx(c);
    const auto rows = tx.exec_prepared("live_call_get", id);
    if (rows.empty()) {
      // No row (swept, or from before live_calls): an ended call of a group of ours is a 409.
      const auto a = tx.exec_prepared("attempt_group_state", id);
      if (!a.empty() && me.role == Role::campaign_admin && me.in_group(a[0]["group_id"].as<long long>()))
        fail(409, "call_ended", "the call has ended");
      fail(404, "not_found", "no such call");
    }
    const auto& call = rows[0];
    if (!may_access(me, call, true)) fail(404, "not_found", "no such call");
    const auto state = call["state"].as<std::string>();
    if (state == "ended") fail(409, "call_ended", "the call has ended");
    std::optional<std::string> target;
    if (needs_target(Kind)) target = read_target(ctx.json(), call);
    if (!command_allowed(Kind, state))
      fail(409, "conflict", std::string(to_string(Kind)) + " is not possible while the call is " + state);
    if (!s.call_replies) fail(503, "no_bus", "call control is not available in this process");
    const auto owner = call["instance_id"].as<std::string>();
    const auto cmd = tx.exec_prepared1("call_command_insert", id, owner, std::string(to_string(Kind)), target, me.user_id)[0]
                         .as<long long>();
    tx.exec_params(sql::kNotifyScopedSql, sql::kCommandChannel, owner);  // delivered at commit, like the row
    s.audit(tx, ctx, "call." + std::string(to_string(Kind)), "call:" + std::to_string(id),
            target ? json::object{{"target", *target}} : json::object{});
    // Waiting before the commit: the owner cannot answer a row it cannot see yet.
    auto later = std::make_shared<LaterResponse>();
    s.call_replies->expect(cmd, std::chrono::milliseconds(s.command_timeout_ms),
                           [later, id, cmd](int status, const std::string& message) {
                             later->finish(command_response(id, Kind, cmd, status, message));
                           });
    tx.commit();  // (should it fail, the error is the answer; the waiter times out unheard)
    HttpResponse r;
    r.later = later;
    return r;
  });
  return res;
}

/// The figures of one campaign's day (its own clock), from PostgreSQL: the same in every process.
json::object figures_json(const pqxx::row& r) {
  auto n = [&](const char* k) { return r[k].as<long long>(); };
  return {{"campaignId", n("campaign_id")},
          {"dialing", n("dialing")},
          {"ringing", n("ringing")},
          {"connected", n("connected")},
          {"callsUp", n("dialing") + n("ringing") + n("connected")},
          {"placed", n("placed")},
          {"answered", n("answered")},
          {"transferredToAgents", n("transferred")},
          {"machines", n("machines")},
          {"faxOrSit", n("fax_sit")},
          {"failed", n("failed")},
          {"dropped", n("abandoned")},
          {"abandoned", n("abandoned")},
          {"doNotCall", n("dnc")},
          {"ended", n("ended")},
          {"callsPerSecond", double(n("recent")) / 10.0}};
}

/// GET /live: today's figures of every campaign of the caller's groups, and their sum.
HttpResponse get_all_live(ApiServices& s, ApiContext& ctx) {
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::array out;
    json::object total;
    for (const auto& r : tx.exec_prepared("live_figures", std::optional<long long>(), group_array(ctx.me()))) {
      auto f = figures_json(r);
      for (const auto& [k, v] : f) {
        if (k == "campaignId") continue;
        if (v.is_double()) total[k] = (total.contains(k) ? total[k].as_double() : 0.0) + v.as_double();
        else total[k] = (total.contains(k) ? total[k].as_int64() : 0) + v.as_int64();
      }
      out.push_back(std::move(f));
    }
    return json_response(json::object{{"campaigns", std::move(out)}, {"total", std::move(total)}});
  });
}

}  // namespace

boost::json::object campaign_live_figures(pqxx::transaction_base& tx, long long campaign_id, long long group_id) {
  std::string groups = "{";
  groups += std::to_string(group_id);
  groups += '}';
  const auto rows = tx.exec_prepared("live_figures", campaign_id, groups);
  if (rows.empty()) fail(404, "not_found", "no such campaign");
  return figures_json(rows[0]);
}

void add_live_call_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"GET", "/api/v1/calls", "list the calls that are up in every process (filters: campaign, state)", kReaders, "", list_live_calls},
      {"POST", "/api/v1/calls", "click-to-dial {\"number\", \"leadId\"?, \"agent\" | \"campaignId\", \"groupId\"?}: agent first or customer first", kControllers, "json", click_to_dial},
      {"GET", "/api/v1/calls/{id}", "view one call (up, or ended while kept)", kReaders, "", get_live_call},
      {"POST", "/api/v1/calls/{id}/hangup", "hang a call up", kControllers, "", call_command<CallCommand::hangup>},
      {"POST", "/api/v1/calls/{id}/transfer", "blind-transfer a call (REFER) to {\"target\"}", kControllers, "json", call_command<CallCommand::transfer>},
      {"POST", "/api/v1/calls/{id}/hold", "put a call on hold", kControllers, "", call_command<CallCommand::hold>},
      {"POST", "/api/v1/calls/{id}/resume", "take a call off hold", kControllers, "", call_command<CallCommand::resume>},
      {"POST", "/api/v1/calls/{id}/consult", "hold a call and place a consultation leg to {\"target\"}", kControllers, "json", call_command<CallCommand::consult>},
      {"POST", "/api/v1/calls/{id}/complete", "join a call and its consultation leg (REFER with Replaces)", kControllers, "", call_command<CallCommand::complete>},
      {"POST", "/api/v1/calls/{id}/cancel", "drop the consultation leg and resume the call", kControllers, "", call_command<CallCommand::cancel>},
      {"GET", "/api/v1/live", "today's live figures of every campaign, from the database", kFigureReaders, "", get_all_live},
  });
}

}  // namespace hark::control
