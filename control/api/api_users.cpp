// Users.
//
// Master: every user. Group Manager: users whose groups are all among the manager's own, with
// the campaign roles only (no escalation). Password resets are the master's.
#include <algorithm>

#include "control/api/control_api.h"

namespace hark::control {

namespace json = boost::json;

namespace {

/// A user as the API shows it; `locked` is true while logins on its username are throttled
/// (too many recent failures, in this process), until the throttle lets up or a master unlocks it.
json::object user_json(const pqxx::row& row, const Auth& auth) {
  json::array groups;
  for (auto g : split_ids(row["groups"].as<std::string>())) groups.push_back(g);
  return {{"id", row["id"].as<long long>()},
          {"username", row["username"].as<std::string>()},
          {"role", row["role"].as<std::string>()},
          {"enabled", row["enabled"].as<bool>()},
          {"locked", auth.throttled(row["username"].as<std::string>())},
          {"groups", std::move(groups)},
          {"createdAt", row["created_at"].as<std::string>()}};
}

const auto kUserAdmins = Access::only({Role::master, Role::group_manager});
const auto kMaster = Access::only({Role::master});

/// A group manager may manage a user only if it has a campaign role and every one of its groups
/// is one of the manager's (a user with no group at all belongs to nobody: master only).
bool manager_may_manage(const Principal& me, const std::string& role, const std::vector<long long>& groups) {
  if (me.role == Role::master) return true;
  if (!is_group_role(role)) return false;
  if (groups.empty()) return false;
  return std::all_of(groups.begin(), groups.end(), [&](long long g) { return me.in_group(g); });
}

std::vector<long long> read_groups(const json::object& body, bool required) {
  auto it = body.find("groups");
  if (it == body.end() || it->value().is_null()) {
    if (required) invalid("groups", "groups is required (a list of group ids)");
    return {};
  }
  if (!it->value().is_array()) invalid("groups", "groups must be a list of group ids");
  std::vector<long long> out;
  for (const auto& v : it->value().as_array()) {
    if (!v.is_int64() || v.as_int64() <= 0) invalid("groups", "groups must be a list of positive group ids");
    out.push_back(v.as_int64());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > 1000) invalid("groups", "too many groups");
  return out;
}

std::string read_role(const json::object& body, bool required) {
  const auto role = get_string(body, "role", required, 40);
  if (!role) return {};
  if (!role_from_string(*role))
    invalid("role", "role must be one of master, group_manager, campaign_admin, campaign_supervisor, agent");
  return *role;
}

/// Loads the user and checks the caller may manage them; 404 either way if not.
pqxx::row managed_user(pqxx::transaction_base& tx, const ApiContext& ctx, long long id) {
  auto rows = tx.exec_prepared("user_get", id);
  if (rows.empty() || !manager_may_manage(ctx.me(), rows[0]["role"].as<std::string>(),
                                          split_ids(rows[0]["groups"].as<std::string>())))
    fail(404, "not_found", "no such user");
  return rows[0];
}

void set_groups(pqxx::transaction_base& tx, long long user_id, const std::vector<long long>& groups) {
  tx.exec_prepared0("user_groups_clear", user_id);
  for (auto g : groups) {
    if (tx.exec_prepared("group_get", g).empty()) invalid("groups", "group " + std::to_string(g) + " does not exist");
    tx.exec_prepared0("user_group_add", user_id, g);
  }
}

/// GET /users: the users the caller may manage.
HttpResponse list_users(ApiServices& s, ApiContext& ctx) {
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::array out;
    for (auto row : tx.exec_prepared("users_list"))
      if (manager_may_manage(ctx.me(), row["role"].as<std::string>(), split_ids(row["groups"].as<std::string>())))
        out.push_back(user_json(row, s.auth));
    return json_response(json::object{{"users", std::move(out)}});
  });
}

/// POST /users: a new user (managers: campaign roles in their own groups only).
HttpResponse create_user(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"username", "password", "role", "groups", "enabled"});
  const auto username = *get_string(body, "username", true, 64, 1);
  const auto password = *get_string(body, "password", true, 128);
  if (auto p = password_problem(password); !p.empty()) invalid("password", p);
  const auto role = read_role(body, true);
  const auto groups = read_groups(body, is_group_role(role));
  const bool enabled = get_bool(body, "enabled", false).value_or(true);
  if (!manager_may_manage(ctx.me(), role, groups))
    fail(403, "forbidden", "a group manager creates campaign administrators and supervisors of their own groups only");
  const auto hash = s.auth.hash(password);
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (!tx.exec_prepared("user_id_by_name", username).empty())
      fail(409, "conflict", "username '" + username + "' is taken", "username");
    const auto id = tx.exec_prepared1("user_insert", username, hash, role, enabled)[0].as<long long>();
    set_groups(tx, id, groups);
    s.audit(tx, ctx, "create", "user/" + std::to_string(id), {{"username", username}, {"role", role}});
    auto row = tx.exec_prepared1("user_get", id);
    tx.commit();
    return json_response(user_json(row, s.auth), 201);
  });
}

/// GET /users/{id}: one user the caller may manage.
HttpResponse get_user(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return json_response(user_json(managed_user(tx, ctx, id), s.auth));
  });
}

/// PATCH /users/{id}: role, groups, enabled; disabling ends the user's sessions.
HttpResponse update_user(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  const auto body = ctx.json();
  reject_unknown(body, {"role", "groups", "enabled"});
  const auto role = read_role(body, false);
  const bool has_groups = body.contains("groups");
  const auto groups = read_groups(body, false);
  const auto enabled = get_bool(body, "enabled", false);
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto before = managed_user(tx, ctx, id);
    const std::string new_role = role.empty() ? before["role"].as<std::string>() : role;
    const auto new_groups = has_groups ? groups : split_ids(before["groups"].as<std::string>());
    if (!manager_may_manage(ctx.me(), new_role, new_groups))
      fail(403, "forbidden", "a group manager keeps users to campaign roles in their own groups");
    if (is_group_role(new_role) && new_groups.empty())
      invalid("groups", "campaign administrators and supervisors need at least one group");
    if (id == ctx.me().user_id && enabled == false) fail(409, "conflict", "you cannot disable yourself");
    std::optional<std::string> role_arg;
    if (!role.empty()) role_arg = role;
    tx.exec_prepared0("user_update", id, role_arg, enabled);
    if (has_groups) set_groups(tx, id, groups);
    if (enabled == false) tx.exec_prepared0("sessions_delete_user", id);
    s.audit(tx, ctx, "update", "user/" + std::to_string(id), body);
    auto row = tx.exec_prepared1("user_get", id);
    tx.commit();
    return json_response(user_json(row, s.auth));
  });
}

/// DELETE /users/{id}: anyone the caller may manage but themselves.
HttpResponse delete_user(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  if (id == ctx.me().user_id) fail(409, "conflict", "you cannot delete yourself");
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto row = managed_user(tx, ctx, id);
    tx.exec_prepared0("user_delete", id);
    s.audit(tx, ctx, "delete", "user/" + std::to_string(id), {{"username", row["username"].as<std::string>()}});
    tx.commit();
    return no_content();
  });
}

/// POST /users/{id}/password: a new password; the user's old tokens stop working.
HttpResponse reset_password(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  const auto body = ctx.json();
  reject_unknown(body, {"password"});
  const auto password = *get_string(body, "password", true, 128);
  if (auto p = password_problem(password); !p.empty()) invalid("password", p);
  const auto hash = s.auth.hash(password);
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    managed_user(tx, ctx, id);
    tx.exec_prepared0("user_set_password", id, hash);
    tx.exec_prepared0("sessions_delete_user", id);  // old tokens die with the old password
    s.audit(tx, ctx, "reset_password", "user/" + std::to_string(id));
    tx.commit();
    return no_content();
  });
}

/// POST /users/{id}/unlock: forgets the failed logins counted against the user's name, so they
/// can log in at once (their own address may still be throttled); audited.
HttpResponse unlock_user(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto row = managed_user(tx, ctx, id);
    const auto username = row["username"].as<std::string>();
    const bool was_locked = s.auth.throttled(username);
    s.auth.unlock(username);
    s.audit(tx, ctx, "unlock", "user/" + std::to_string(id), {{"username", username}, {"wasLocked", was_locked}});
    auto after = tx.exec_prepared1("user_get", id);
    tx.commit();
    return json_response(user_json(after, s.auth));
  });
}

}  // namespace

void add_user_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"GET", "/api/v1/users", "list users", kUserAdmins, "", list_users},
      {"POST", "/api/v1/users", "create users", kUserAdmins, "json", create_user},
      {"GET", "/api/v1/users/{id}", "view users", kUserAdmins, "", get_user},
      {"PATCH", "/api/v1/users/{id}", "update users (role, groups, enabled)", kUserAdmins, "json", update_user},
      {"DELETE", "/api/v1/users/{id}", "delete users", kUserAdmins, "", delete_user},
      {"POST", "/api/v1/users/{id}/password", "reset passwords", kMaster, "json", reset_password},
      {"POST", "/api/v1/users/{id}/unlock", "unlock users (forget their failed logins)", kMaster, "", unlock_user},
  });
}

}  // namespace hark::control
