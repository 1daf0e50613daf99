#include "control/api/api.h"

#include <pqxx/pqxx>

#include <algorithm>
#include <charconv>

namespace hark::control {

namespace json = boost::json;

std::string_view to_string(Role r) {
  switch (r) {
    case Role::master: return "master";
    case Role::group_manager: return "group_manager";
    case Role::campaign_admin: return "campaign_admin";
    case Role::campaign_supervisor: return "campaign_supervisor";
    case Role::agent: return "agent";
  }
  return "?";
}

std::optional<Role> role_from_string(std::string_view s) {
  for (Role r : {Role::master, Role::group_manager, Role::campaign_admin, Role::campaign_supervisor, Role::agent})
    if (to_string(r) == s) return r;
  return std::nullopt;
}

bool is_group_role(Role r) { return r == Role::campaign_admin || r == Role::campaign_supervisor || r == Role::agent; }

bool is_group_role(std::string_view role) {
  const auto r = role_from_string(role);
  return r && is_group_role(*r);
}

bool Principal::in_group(long long g) const { return std::find(groups.begin(), groups.end(), g) != groups.end(); }

namespace {
bool parse_ll(std::string_view s, long long& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

std::vector<std::string_view> segments(std::string_view p) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '/') { ++i; continue; }
    const auto j = p.find('/', i);
    out.push_back(p.substr(i, j == p.npos ? p.npos : j - i));
    if (j == p.npos) break;
    i = j + 1;
  }
  return out;
}

bool match(std::string_view pattern, std::string_view path, std::map<std::string, std::string>& params) {
  const auto ps = segments(pattern), xs = segments(path);
  if (ps.size() != xs.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < ps.size(); ++i) {
    if (ps[i].size() > 2 && ps[i].front() == '{') found[std::string(ps[i].substr(1, ps[i].size() - 2))] = std::string(xs[i]);
    else if (ps[i] != xs[i]) return false;
  }
  params = std::move(found);
  return true;
}
}  // namespace

long long ApiContext::id(const std::string& name) const {
  long long v = 0;
  auto it = params.find(name);
  if (it == params.end() || !parse_ll(it->second, v) || v <= 0) fail(404, "not_found", "no such " + name);
  return v;
}

json::object ApiContext::json() const {
  json::error_code ec;
  json::parse_options po;
  po.max_depth = 32;
  auto v = json::parse(req.body, ec, {}, po);
  if (ec) fail(400, "malformed_json", "the body is not valid JSON: " + ec.message());
  if (!v.is_object()) fail(400, "malformed_json", "the body must be a JSON object");
  return std::move(v.as_object());
}

std::string ApiContext::query(const std::string& name, const std::string& def) const {
  auto it = req.query.find(name);
  return it == req.query.end() ? def : it->second;
}

long long ApiContext::query_int(const std::string& name, long long def, long long lo, long long hi) const {
  auto it = req.query.find(name);
  if (it == req.query.end()) return def;
  long long v;
  if (!parse_ll(it->second, v) || v < lo || v > hi)
    invalid(name, name + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

bool ApiContext::query_bool(const std::string& name, bool def) const {
  auto it = req.query.find(name);
  if (it == req.query.end()) return def;
  if (it->second == "true" || it->second == "1") return true;
  if (it->second == "false" || it->second == "0") return false;
  invalid(name, name + " must be true or false");
}

HttpResponse json_response(const json::value& v, int status) {
  HttpResponse r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}

HttpResponse no_content() {
  HttpResponse r;
  r.status = 204;
  return r;
}

HttpResponse error_response(int status, std::string_view code, std::string_view message, std::string_view field) {
  json::object e{{"code", code}, {"message", message}};
  if (!field.empty()) e["field"] = field;
  return json_response(json::object{{"error", std::move(e)}}, status);
}

void Router::add(Route r) { routes_.push_back(std::move(r)); }

HttpResponse Router::handle(const HttpRequest& req) const {
  std::map<std::string, std::string> params;
  const Route* route = nullptr;
  bool path_known = false;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> p;
    if (!match(r.pattern, req.path, p)) continue;
    path_known = true;
    if (r.method == req.method) {
      route = &r;
      params = std::move(p);
      break;
    }
  }
  if (!route)
    return path_known ? error_response(405, "method_not_allowed", req.method + " is not allowed on " + req.path)
                      : error_response(404, "not_found", "no such endpoint: " + req.path);
  ApiContext ctx{req, std::move(params), std::nullopt};
  try {
    if (!route->access.is_public) {
      const auto auth = req.header("authorization");
      if (auth.size() < 8 || auth.compare(0, 7, "Bearer ") != 0)
        return error_response(401, "unauthenticated", "send Authorization: Bearer <token> (POST /api/v1/login)");
      ctx.user = auth_(auth.substr(7));
      if (!ctx.user) return error_response(401, "unauthenticated", "the token is invalid or expired");
      const auto& roles = route->access.roles;
      if (!roles.empty() && std::find(roles.begin(), roles.end(), ctx.user->role) == roles.end())
        return error_response(403, "forbidden", "the role " + std::string(to_string(ctx.user->role)) +
                                                    " may not " + route->summary);
    }
    // Numeric path ids ({id}, {leadId}, ...) are checked here, in the pattern's order and before
    // the handler reads its body or query, so a bad id is always a 404 naming the first bad one,
    // whatever order a handler reads its inputs in.
    for (auto seg : segments(route->pattern))
      if (seg.size() > 2 && seg.front() == '{') {
        const std::string name(seg.substr(1, seg.size() - 2));
        if (name == "id" || (name.size() > 2 && name.ends_with("Id"))) (void)ctx.id(name);
      }
    return route->handler(ctx);
  } catch (...) {
    return current_exception_response();
  }
}

HttpResponse current_exception_response() {
  try {
    throw;
  } catch (const ApiError& e) {
    auto r = error_response(e.status, e.code, e.what(), e.field);
    if (e.retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(e.retry_after_s));
    return r;
  } catch (const ValidationError& e) {
    return error_response(422, "invalid", e.what(), e.field);
  } catch (const pqxx::unique_violation& e) {
    return error_response(409, "conflict", "already exists (a unique value is taken)");
  } catch (const pqxx::foreign_key_violation& e) {
    return error_response(422, "invalid", "refers to something that does not exist or is still in use");
  } catch (const pqxx::check_violation& e) {
    return error_response(422, "invalid", "a value is out of its allowed range");
  } catch (const pqxx::data_exception& e) {
    return error_response(422, "invalid", "a value has the wrong form");
  } catch (const pqxx::broken_connection& e) {
    return error_response(503, "database_unavailable", "the database cannot be reached; try again");
  }
}

json::value Router::openapi() const {
  json::object paths;
  for (const auto& r : routes_) {
    json::object op{{"summary", r.summary}, {"operationId", r.method + " " + r.pattern}};
    json::array params;
    for (auto s : segments(r.pattern))
      if (s.size() > 2 && s.front() == '{')
        params.push_back(json::object{{"name", s.substr(1, s.size() - 2)}, {"in", "path"}, {"required", true},
                                      {"schema", json::object{{"type", "string"}}}});
    if (!params.empty()) op["parameters"] = std::move(params);
    if (r.access.is_public) {
      op["security"] = json::array();
    } else {
      json::array roles;
      for (auto role : r.access.roles) roles.push_back(json::string(to_string(role)));
      op["x-roles"] = roles.empty() ? json::value("any") : json::value(roles);
    }
    if (r.body == "json")
      op["requestBody"] = json::object{{"required", true}, {"content", json::object{{"application/json", json::object{{"schema", json::object{{"type", "object"}}}}}}}};
    else if (r.body == "csv")
      op["requestBody"] = json::object{{"required", true}, {"content", json::object{{"text/csv", json::object{{"schema", json::object{{"type", "string"}}}}}}}};
    else if (r.body == "csv_form") {  // the CSV as the body, or a form with the file and its mapping
      json::object form{{"type", "object"},
                        {"properties", json::object{{"file", json::object{{"type", "string"}, {"format", "binary"}}},
                                                    {"mapping", json::object{{"type", "string"}}}}},
                        {"required", json::array{"file"}}};
      op["requestBody"] = json::object{
          {"required", true},
          {"content", json::object{{"text/csv", json::object{{"schema", json::object{{"type", "string"}}}}},
                                   {"multipart/form-data", json::object{{"schema", std::move(form)}}}}}};
    }
    else if (r.body == "audio") {
      json::object binary{{"schema", json::object{{"type", "string"}, {"format", "binary"}}}};
      op["requestBody"] = json::object{{"required", true},
                                       {"content", json::object{{"audio/wav", binary}, {"audio/basic", binary}, {"audio/pcma", binary}}}};
    }
    json::object responses{{"200", json::object{{"description", "OK"}}}};
    json::object err_schema{{"$ref", "#/components/schemas/Error"}};
    for (const char* code : {"400", "401", "403", "404", "409", "413", "422", "429", "503"})
      responses[code] = json::object{{"description", "error"}, {"content", json::object{{"application/json", json::object{{"schema", err_schema}}}}}};
    if (r.body == "audio")  // a Content-Type that is not audio hark reads
      responses["415"] = json::object{{"description", "error"}, {"content", json::object{{"application/json", json::object{{"schema", err_schema}}}}}};
    op["responses"] = std::move(responses);
    std::string m = r.method;
    for (auto& c : m) c = char(std::tolower(static_cast<unsigned char>(c)));
    auto& path = paths[r.pattern];
    if (!path.is_object()) path = json::object();
    path.as_object()[m] = std::move(op);
  }
  return json::object{
      {"openapi", "3.0.3"},
      {"info", json::object{{"title", "hark control API"}, {"version", "1"}}},
      {"paths", std::move(paths)},
      {"components",
       json::object{{"securitySchemes", json::object{{"bearer", json::object{{"type", "http"}, {"scheme", "bearer"}}}}},
                    {"schemas", json::object{{"Error", json::object{{"type", "object"},
                                                                    {"properties", json::object{{"error", json::object{{"type", "object"}}}}}}}}}}},
      {"security", json::array{json::object{{"bearer", json::array()}}}},
  };
}

std::vector<long long> split_ids(const std::string& s) {
  std::vector<long long> out;
  size_t i = 0;
  while (i < s.size()) {
    auto j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    long long v;
    if (j > i && parse_ll(std::string_view(s).substr(i, j - i), v)) out.push_back(v);
    i = j + 1;
  }
  return out;
}

}  // namespace hark::control
