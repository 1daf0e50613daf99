// Login, logout, who-am-I, health, metrics and the OpenAPI document; the route table plumbing.
#include "control/api/control_api.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace hark::control {

namespace json = boost::json;

void ApiServices::audit(pqxx::transaction_base& tx, const ApiContext& ctx, const std::string& action,
                        const std::string& object, const json::object& detail) const {
  std::optional<long long> uid;
  if (ctx.user) uid = ctx.user->user_id;
  tx.exec_prepared0("audit_insert", uid, action, object, json::serialize(detail));
}

void add_routes(Router& r, ApiServices& s, std::initializer_list<RouteEntry> table) {
  for (const auto& e : table)
    r.add({e.method, e.pattern, e.summary, e.access, e.body,
           [&s, h = e.handler](ApiContext& ctx) { return h(s, ctx); }});
}

namespace {

json::object principal_json(const Principal& p) {
  json::array groups;
  for (auto g : p.groups) groups.push_back(g);
  return {{"id", p.user_id}, {"username", p.username}, {"role", to_string(p.role)}, {"groups", std::move(groups)}};
}

/// POST /login: a bearer token for a username and password. The password check runs on the
/// auth pool and answers later; a throttled attempt (429) or a full pool (503) is answered at once.
HttpResponse login(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"username", "password"});
  const auto username = *get_string(body, "username", true, 100, 1);
  const auto password = *get_string(body, "password", true, 128, 1);
  auto later = std::make_shared<LaterResponse>();
  s.auth.login_async(ctx.req.remote, username, password, [&s, later](LoginOutcome out) {
    if (!out.ok) {
      try {
        std::rethrow_exception(out.error);
      } catch (...) {
        try {
          later->finish(current_exception_response());
        } catch (const std::exception& e) {
          spdlog::error("http: POST /api/v1/login: {}", e.what());
          later->finish(error_response(500, "internal", "internal error"));
        }
      }
      return;
    }
    s.metrics.inc("hark_logins_total");
    later->finish(json_response(json::object{{"token", out.ok->token}, {"expiresAt", out.ok->expires_at},
                                              {"user", principal_json(out.ok->user)}}));
  });
  HttpResponse res;
  res.later = std::move(later);
  return res;
}

/// POST /logout: the caller's token stops working.
HttpResponse logout(ApiServices& s, ApiContext& ctx) {
  s.auth.logout(ctx.me());
  return no_content();
}

/// GET /me: the logged-in user.
HttpResponse me(ApiServices&, ApiContext& ctx) { return json_response(principal_json(ctx.me())); }

/// Each trunk's state (no credentials: names and flags only).
json::array trunks_json(const ApiServices& s) {
  json::array out;
  if (!s.trunk_status) return out;
  for (const auto& t : s.trunk_status())
    out.push_back(json::object{{"name", t.name},
                               {"reachable", t.reachable},
                               {"watched", t.watched},
                               {"registered", t.registering ? json::value(t.registered) : json::value(nullptr)},
                               {"callsUp", t.calls_up},
                               {"callsPlaced", t.calls_placed},
                               {"failovers", t.failovers}});
  return out;
}

/// GET /healthz: 200 when the database answers, 503 when it does not; each trunk's state.
HttpResponse healthz(ApiServices& s, ApiContext&) {
  auto trunks = trunks_json(s);
  try {
    const auto v = s.db.with([](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      return tx.exec_prepared1("health")[0].as<int>();
    });
    return json_response(json::object{{"status", "ok"}, {"database", "ok"}, {"schemaVersion", v}, {"trunks", std::move(trunks)}});
  } catch (const std::exception&) {
    return json_response(json::object{{"status", "degraded"}, {"database", "unreachable"}, {"trunks", std::move(trunks)}}, 503);
  }
}

/// GET /metrics: the Prometheus text format; with a metrics token configured, only for
/// `Authorization: Bearer <that token>` (Prometheus's `authorization` scrape setting).
HttpResponse metrics(ApiServices& s, ApiContext& ctx) {
  if (!s.metrics_token.empty()) {
    const auto auth = ctx.req.header("authorization");
    // Compared as SHA-256 digests: the time taken does not tell how much of a guess matched.
    const bool ok = auth.size() > 7 && auth.compare(0, 7, "Bearer ") == 0 &&
                    token_digest(std::string_view(auth).substr(7)) == token_digest(s.metrics_token);
    if (!ok) {
      auto r = error_response(401, "unauthenticated", "send Authorization: Bearer <the metrics token>");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
  }
  if (s.trunk_status) {
    for (const auto& t : s.trunk_status()) {
      const std::string l = "{trunk=\"" + t.name + "\"}";
      s.metrics.set("hark_trunk_reachable" + l, t.reachable ? 1 : 0);
      if (t.registering) s.metrics.set("hark_trunk_registered" + l, t.registered ? 1 : 0);
      s.metrics.set("hark_trunk_calls_up" + l, double(t.calls_up));
      s.metrics.set("hark_trunk_calls_placed" + l, double(t.calls_placed));
      s.metrics.set("hark_trunk_failovers" + l, double(t.failovers));
    }
  }
  HttpResponse res;
  res.content_type = "text/plain; version=0.0.4";
  res.body = s.metrics.render();
  return res;
}

/// GET /logs: the rotating log file, the rotated ones first (oldest first), as plain text; at
/// most the last 32 MiB. 404 when no log file is configured.
HttpResponse logs(ApiServices& s, ApiContext&) {
  if (s.log_file.empty()) fail(404, "not_found", "no log file is configured ([log] file in hark.toml)");
  spdlog::default_logger()->flush();
  // spdlog's rotating sink names them hark.log, hark.1.log, hark.2.log, ... (1 the newest).
  const std::filesystem::path base(s.log_file);
  std::vector<std::filesystem::path> files;
  for (int i = s.log_file_count; i >= 1; --i)
    files.push_back(base.parent_path() / (base.stem().string() + "." + std::to_string(i) + base.extension().string()));
  files.push_back(base);
  std::string body;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (in) body.append(std::istreambuf_iterator<char>(in), {});
  }
  constexpr size_t kMax = size_t(32) << 20;
  if (body.size() > kMax) body.erase(0, body.size() - kMax);
  HttpResponse res;
  res.content_type = "text/plain; charset=utf-8";
  res.headers.push_back({"Content-Disposition", "attachment; filename=\"hark-log.txt\""});
  res.body = std::move(body);
  return res;
}

}  // namespace

void add_system_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"POST", "/api/v1/login", "log in (username, password) and get a bearer token", Access::anyone(), "json", login},
      {"POST", "/api/v1/logout", "log out (the token stops working)", Access::logged_in(), "", logout},
      {"GET", "/api/v1/me", "show the logged-in user", Access::logged_in(), "", me},
      {"GET", "/healthz", "check health (database reachable; each trunk's state)", Access::anyone(), "", healthz},
      {"GET", "/api/v1/logs", "download the log file (master; [log] file in hark.toml)", Access::only({Role::master}), "", logs},
      {"GET", "/metrics", "read Prometheus metrics (with HARK_METRICS_TOKEN set: that bearer token)", Access::anyone(), "", metrics},
  });
}

std::unique_ptr<Router> make_router(ApiServices& s) {
  auto r = std::make_unique<Router>([&s](const std::string& token) { return s.auth.authenticate(token); });
  add_system_routes(*r, s);
  add_user_routes(*r, s);
  add_group_routes(*r, s);
  add_campaign_routes(*r, s);
  add_schedule_routes(*r, s);
  add_lead_routes(*r, s);
  add_lead_lifecycle_routes(*r, s);
  add_call_routes(*r, s);
  add_live_call_routes(*r, s);
  add_dnc_routes(*r, s);
  add_prompt_routes(*r, s);
  add_web_routes(*r);
  add_recording_routes(*r, s);
  add_agent_routes(*r, s);
  add_report_routes(*r, s);
  add_webhook_routes(*r, s);
  // The document describes the router it belongs to, so it is added last, by hand.
  Router* self = r.get();
  r->add({"GET", "/openapi.json", "read this API's OpenAPI document", Access::anyone(), "",
          [self](ApiContext&) { return json_response(self->openapi()); }});
  return r;
}

}  // namespace hark::control
