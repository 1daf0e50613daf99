// The REST API's plumbing: routes with path parameters and role rules, JSON input checking,
// JSON errors, and the OpenAPI document generated from the routes themselves (so it names
// every endpoint there is and no other).
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "control/api/http_server.h"
#include "control/campaign/json_fields.h"

namespace hark::control {

/// agent (issue 16): places calls (click-to-dial) and controls the calls it placed, nothing else.
enum class Role { master, group_manager, campaign_admin, campaign_supervisor, agent };
std::string_view to_string(Role r);
std::optional<Role> role_from_string(std::string_view s);
/// The roles that work inside groups (need at least one, and an enabled one to log in).
bool is_group_role(Role r);
bool is_group_role(std::string_view role);

/// The logged-in user making a request.
struct Principal {
  long long user_id = 0;
  std::string username;
  Role role = Role::campaign_supervisor;
  std::vector<long long> groups;  ///< every group the user belongs to
  std::string token_hash;
  bool in_group(long long g) const;
};

/// Thrown by handlers; becomes {"error": {"code", "message", "field"}} with `status`.
struct ApiError : std::runtime_error {
  ApiError(int status, std::string code, std::string message, std::string field = {})
      : std::runtime_error(message), status(status), code(std::move(code)), field(std::move(field)) {}
  int status;
  std::string code;
  std::string field;
  int retry_after_s = 0;  ///< > 0: sent as Retry-After (429, 503)
};

[[noreturn]] inline void fail(int status, std::string code, std::string message, std::string field = {}) {
  throw ApiError(status, std::move(code), std::move(message), std::move(field));
}
struct ApiContext {
  const HttpRequest& req;
  std::map<std::string, std::string> params;  ///< {name} parts of the path
  std::optional<Principal> user;

  /// A numeric path parameter; 404 when it is not a positive number.
  long long id(const std::string& name) const;
  /// The body as a JSON object: 400 when malformed or not an object.
  boost::json::object json() const;
  /// A query parameter, or `def`.
  std::string query(const std::string& name, const std::string& def = {}) const;
  /// An integer query parameter within [lo, hi]; 422 otherwise.
  long long query_int(const std::string& name, long long def, long long lo, long long hi) const;
  bool query_bool(const std::string& name, bool def) const;
  const Principal& me() const { return *user; }
};

HttpResponse json_response(const boost::json::value& v, int status = 200);
HttpResponse no_content();
HttpResponse error_response(int status, std::string_view code, std::string_view message, std::string_view field = {});
/// The JSON error answer for the exception being handled (call it inside a catch block):
/// ApiError, ValidationError and the database's errors; anything else is rethrown.
HttpResponse current_exception_response();

/// Who may call a route: nobody logged in needed, anyone logged in, or the listed roles.
struct Access {
  bool is_public = false;
  std::vector<Role> roles;  ///< empty and not public: any logged-in user
  static Access anyone() { return {true, {}}; }
  static Access logged_in() { return {false, {}}; }
  static Access only(std::vector<Role> r) { return {false, std::move(r)}; }
};

struct Route {
  std::string method;
  std::string pattern;   ///< e.g. /api/v1/campaigns/{id}
  std::string summary;
  Access access;
  std::string body;      ///< "json", "csv", "audio" or "" (no body); documented in OpenAPI
  std::function<HttpResponse(ApiContext&)> handler;
};

class Router {
 public:
  using Authenticate = std::function<std::optional<Principal>(const std::string& bearer_token)>;
  explicit Router(Authenticate auth) : auth_(std::move(auth)) {}
  void add(Route r);
  /// Finds the route, checks the token and the role, runs the handler, turns errors to JSON.
  HttpResponse handle(const HttpRequest& req) const;
  /// The OpenAPI 3.0 document of every route.
  boost::json::value openapi() const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  Authenticate auth_;
  std::vector<Route> routes_;
};

/// "3,7,12" (a string_agg of ids) -> {3, 7, 12}.
std::vector<long long> split_ids(const std::string& s);

}  // namespace hark::control
