// Groups and the audit log.
//
// Master: every group. Group Manager: enabling/disabling their own groups. Groups are never
// deleted. The audit log is the master's.
#include "control/api/control_api.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kUserAdmins = Access::only({Role::master, Role::group_manager});
const auto kMaster = Access::only({Role::master});

json::object group_json(const pqxx::row& row) {
  return {{"id", row["id"].as<long long>()},
          {"name", row["name"].as<std::string>()},
          {"description", row["description"].as<std::string>()},
          {"enabled", row["enabled"].as<bool>()},
          {"createdAt", row["created_at"].as<std::string>()}};
}

/// GET /groups: every group for the master, the caller's own for everyone else.
HttpResponse list_groups(ApiServices& s, ApiContext& ctx) {
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::array out;
    for (auto row : tx.exec_prepared("groups_list"))
      if (ctx.me().role == Role::master || ctx.me().in_group(row["id"].as<long long>())) out.push_back(group_json(row));
    return json_response(json::object{{"groups", std::move(out)}});
  });
}

/// POST /groups: a new group (unique name).
HttpResponse create_group(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"name", "description", "enabled"});
  const auto name = *get_string(body, "name", true, 100, 1);
  const auto description = get_string(body, "description", false, 1000).value_or("");
  const bool enabled = get_bool(body, "enabled", false).value_or(true);
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (!tx.exec_prepared("group_id_by_name", name).empty())
      fail(409, "conflict", "group name '" + name + "' is taken", "name");
    const auto id = tx.exec_prepared1("group_insert", name, description, enabled)[0].as<long long>();
    s.audit(tx, ctx, "create", "group/" + std::to_string(id), {{"name", name}});
    auto row = tx.exec_prepared1("group_get", id);
    tx.commit();
    return json_response(group_json(row), 201);
  });
}

/// GET /groups/{id}: one group (404 for a group the caller is not in, unless master).
HttpResponse get_group(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  if (ctx.me().role != Role::master && !ctx.me().in_group(id)) fail(404, "not_found", "no such group");
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_prepared("group_get", id);
    if (rows.empty()) fail(404, "not_found", "no such group");
    return json_response(group_json(rows[0]));
  });
}

/// PATCH /groups/{id}: name, description, enabled (managers: only enabled, of their own groups).
HttpResponse update_group(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  const auto body = ctx.json();
  reject_unknown(body, {"name", "description", "enabled"});
  const auto name = get_string(body, "name", false, 100, 1);
  const auto description = get_string(body, "description", false, 1000);
  const auto enabled = get_bool(body, "enabled", false);
  if (ctx.me().role == Role::group_manager) {
    if (!ctx.me().in_group(id)) fail(404, "not_found", "no such group");
    if (name || description) fail(403, "forbidden", "a group manager may only enable or disable a group");
  }
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (name) {
      auto other = tx.exec_prepared("group_id_by_name", *name);
      if (!other.empty() && other[0][0].as<long long>() != id)
        fail(409, "conflict", "group name '" + *name + "' is taken", "name");
    }
    if (tx.exec_prepared("group_update", id, name, description, enabled).empty())
      fail(404, "not_found", "no such group");
    s.audit(tx, ctx, "update", "group/" + std::to_string(id), body);
    auto row = tx.exec_prepared1("group_get", id);
    tx.commit();
    return json_response(group_json(row));
  });
}

/// GET /audit: the newest entries of the audit log (limit, before an id).
HttpResponse list_audit(ApiServices& s, ApiContext& ctx) {
  const auto limit = ctx.query_int("limit", 100, 1, 1000);
  const auto before = ctx.query_int("before", INT64_MAX, 1, INT64_MAX);
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::array out;
    for (auto row : tx.exec_prepared("audit_list", before, limit)) {
      json::object e{{"id", row["id"].as<long long>()},
                     {"at", row["at"].as<std::string>()},
                     {"user", row["username"].is_null() ? json::value(nullptr) : json::value(row["username"].as<std::string>())},
                     {"action", row["action"].as<std::string>()},
                     {"object", row["object"].as<std::string>()},
                     {"detail", json::parse(row["detail"].as<std::string>())}};
      out.push_back(std::move(e));
    }
    return json_response(json::object{{"entries", std::move(out)}});
  });
}

}  // namespace

void add_group_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"GET", "/api/v1/groups", "list groups", Access::logged_in(), "", list_groups},
      {"POST", "/api/v1/groups", "create groups", kMaster, "json", create_group},
      {"GET", "/api/v1/groups/{id}", "view groups", Access::logged_in(), "", get_group},
      {"PATCH", "/api/v1/groups/{id}", "update groups (managers: enable/disable their own)", kUserAdmins, "json",
       update_group},
      {"GET", "/api/v1/audit", "read the audit log", kMaster, "", list_audit},
  });
}

}  // namespace hark::control
