// Do-not-call: internal lists (create, CSV upload, add/remove/check a number), external
// services (configured by URL), and the integrated service `POST /donotcall`, which speaks the
// same API as the external ones and answers from the in-memory index.
//
// Lists and services belong to a group or are global (groupId null). A group's campaign admins
// manage its lists and services, its supervisors read them, and only its campaigns use them;
// another group's are "no such list", the same 404 as one that does not exist. Global ones are
// read by everyone with DNC access and changed only by masters.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <tuple>

#include "control/api/control_api.h"
#include "control/campaign/dnc_client.h"
#include "control/campaign/dnc_csv.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kWriters = Access::only({Role::master, Role::campaign_admin});
const auto kReaders = Access::only({Role::master, Role::campaign_admin, Role::campaign_supervisor});

/// How a list reads numbers: its defaultRegion and internalLength.
struct ListNumbers {
  std::string region = std::string(kDefaultRegion);
  int internal_length = kDefaultInternalLength;
  ListNumbers() = default;
  explicit ListNumbers(const pqxx::row& list)
      : region(list["default_region"].as<std::string>()), internal_length(list["internal_length"].as<int>()) {}
  bool operator<(const ListNumbers& o) const { return std::tie(region, internal_length) < std::tie(o.region, o.internal_length); }
};

/// `raw` as a list stores it (E.164 or an extension); 400 naming "number" when it is not a number.
std::string number_param(const std::string& raw, const ListNumbers& how) {
  const auto p = parse_dnc_number(raw, how.region, how.internal_length);
  if (!p.ok()) invalid("number", "number " + quoted_for_report(raw) + " " + signaling::problem_text(p.problem, how.region));
  return p.number;
}

/// The group a list or service belongs to; nullopt: global.
std::optional<long long> owner(const pqxx::row& row) {
  if (row["group_id"].is_null()) return std::nullopt;
  return row["group_id"].as<long long>();
}

json::value owner_json(const pqxx::row& row) {
  const auto g = owner(row);
  return g ? json::value(*g) : json::value(nullptr);
}

/// Global ones, and those of the caller's groups.
bool visible(const ApiContext& ctx, std::optional<long long> group) { return !group || ctx.me().in_group(*group); }

/// The row `stmt` finds for `id`, if the caller may see it; else the 404 of one that does not exist.
pqxx::row visible_row(pqxx::transaction_base& tx, const ApiContext& ctx, const char* stmt, long long id,
                      const std::string& what) {
  auto rows = tx.exec_prepared(stmt, id);
  if (rows.empty() || !visible(ctx, owner(rows[0]))) fail(404, "not_found", "no such " + what);
  return rows[0];
}

/// Refuses a change the caller may not make: a group's own campaign admins change its lists and
/// services; only masters change global ones.
void require_writable(const ApiContext& ctx, const pqxx::row& row, const std::string& what) {
  const auto g = owner(row);
  const auto role = ctx.me().role;
  if (g ? role != Role::campaign_admin : role != Role::master)
    fail(403, "forbidden",
         g ? "only the group's campaign admins change its do-not-call " + what
           : "only a master changes a global do-not-call " + what);
}

/// The owner of a list or service being created: masters create global ones; a campaign admin
/// names one of their groups (or has exactly one, which is then the default).
std::optional<long long> new_owner(const json::object& body, const ApiContext& ctx) {
  std::optional<long long> g;
  if (auto it = body.find("groupId"); it != body.end() && !it->value().is_null())
    g = get_int(body, "groupId", true, 1, INT64_MAX);
  const auto& me = ctx.me();
  if (me.role == Role::master) {
    if (g) fail(403, "forbidden", "masters manage global do-not-call lists and services; a group's campaign admins manage the group's", "groupId");
    return std::nullopt;
  }
  if (!g) {
    if (me.groups.size() != 1) invalid("groupId", "groupId is required: you are in more than one group");
    return me.groups.front();
  }
  if (!me.in_group(*g)) fail(403, "forbidden", "you are not in group " + std::to_string(*g), "groupId");
  return g;
}

json::object list_json(const pqxx::row& row, const DncIndex& idx) {
  const auto id = row["id"].as<long long>();
  return {{"id", id},
          {"name", row["name"].as<std::string>()},
          {"groupId", owner_json(row)},
          {"version", row["version"].as<long long>()},
          {"defaultRegion", row["default_region"].as<std::string>()},
          {"internalLength", row["internal_length"].as<int>()},
          {"numbers", idx.size(id)},
          {"createdAt", row["created_at"].as<std::string>()}};
}

json::object service_json(const pqxx::row& row) {
  return {{"id", row["id"].as<long long>()},
          {"name", row["name"].as<std::string>()},
          {"groupId", owner_json(row)},
          {"url", row["url"].as<std::string>()},
          {"timeoutMs", row["timeout_ms"].as<int>()},
          {"hasBearerToken", !row["bearer_token"].as<std::string>().empty()}};
}

/// POST /donotcall: the integrated service, answering from the internal lists the caller may
/// see (global ones and their groups') in memory: another group's lists are not an oracle.
HttpResponse check_integrated(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"number"});
  const auto raw = *get_string(body, "number", true, 64, 1);
  // Each list reads numbers its own way (defaultRegion, internalLength): parsed once per way.
  std::vector<std::pair<long long, ListNumbers>> lists;
  s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (auto row : tx.exec_prepared("dnc_lists"))
      if (visible(ctx, owner(row))) lists.emplace_back(row["id"].as<long long>(), ListNumbers(row));
  });
  s.metrics.inc("hark_dnc_lookups_total");
  std::map<ListNumbers, std::string> parsed;  // the number as each way reads it ("": not a number there)
  for (const auto& [id, how] : lists)
    if (!parsed.count(how)) {
      const auto p = parse_dnc_number(raw, how.region, how.internal_length);
      parsed[how] = p.number;
    }
  // Not a number in any list's reading (or no list at all): the 400 and its reason.
  if (std::all_of(parsed.begin(), parsed.end(), [](const auto& kv) { return kv.second.empty(); }))
    number_param(raw, lists.empty() ? ListNumbers{} : lists.front().second);
  const bool listed = std::any_of(lists.begin(), lists.end(), [&](const auto& l) {
    const auto& n = parsed[l.second];
    return !n.empty() && s.dnc.listed(l.first, n);
  });
  return json_response(json::object{{"number", raw}, {"doNotCall", listed}});
}

/// GET /dnc/lists: the global lists and the caller's groups' lists, with their sizes.
HttpResponse list_lists(ApiServices& s, ApiContext& ctx) {
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::array out;
    for (auto row : tx.exec_prepared("dnc_lists"))
      if (visible(ctx, owner(row))) out.push_back(list_json(row, s.dnc));
    return json_response(json::object{{"lists", std::move(out)}});
  });
}

/// POST /dnc/lists: a new, empty list (name unique within its group; groupId: see new_owner).
HttpResponse create_list(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"name", "groupId", "defaultRegion", "internalLength"});
  const auto name = *get_string(body, "name", true, 100, 1);
  auto region = std::string(kDefaultRegion);
  if (auto v = get_string(body, "defaultRegion", false, 2, 2)) {
    if (!signaling::known_region(*v))
      invalid("defaultRegion", "defaultRegion must be a region code libphonenumber knows, like GB or US");
    region = signaling::region_code(*v);
  }
  const auto internal_length = int(get_int(body, "internalLength", false, 0, 15).value_or(kDefaultInternalLength));
  const auto group = new_owner(body, ctx);
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (!tx.exec_prepared("dnc_list_by_name", name, group).empty())
      fail(409, "conflict", "a list named '" + name + "' exists", "name");
    const auto id = tx.exec_prepared1("dnc_list_insert", name, group, region, internal_length)[0].as<long long>();
    s.audit(tx, ctx, "create", "dnc_list/" + std::to_string(id),
            {{"name", name}, {"groupId", group ? json::value(*group) : json::value(nullptr)}});
    auto row = tx.exec_prepared1("dnc_list_get", id);
    tx.commit();
    s.dnc.add_many(id, {}, row["version"].as<long long>());
    return json_response(list_json(row, s.dnc), 201);
  });
}

/// POST /dnc/lists/{id}/numbers: a CSV of numbers (first column; a header line is allowed).
HttpResponse upload_numbers(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  if (!valid_utf8(ctx.req.body)) fail(400, "invalid_utf8", "the CSV is not valid UTF-8");
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto list = visible_row(tx, ctx, "dnc_list_get", id, "list");
    require_writable(ctx, list, "lists");
    // Parsed with the list's region, inside the transaction (a parse of 1M lines takes a few seconds).
    const ListNumbers how(list);
    auto parsed = parse_dnc_csv(ctx.req.body, how.region, how.internal_length);
    const auto& numbers = parsed.numbers;
    const auto rejected_count = parsed.error_count;
    long long added = 0;
    for (size_t i = 0; i < numbers.size(); i += 50000) {
      const auto from = long(i), to = long(std::min(numbers.size(), i + 50000));
      std::vector<std::string> chunk(numbers.begin() + from, numbers.begin() + to);
      std::vector<std::string> raw(parsed.raw.begin() + from, parsed.raw.begin() + to);
      added += tx.exec_prepared("dnc_numbers_insert_many", id, sql::text_array_literal(chunk), sql::text_array_literal(raw))
                   .affected_rows();
    }
    const auto version = tx.exec_prepared1("dnc_list_bump", id)[0].as<long long>();
    s.audit(tx, ctx, "upload_numbers", "dnc_list/" + std::to_string(id), {{"added", added}});
    tx.commit();
    s.dnc.add_many(id, std::move(parsed.packed), version);
    json::object out{{"added", added}, {"alreadyListed", long(numbers.size()) - added}};
    add_reject_report(out, std::move(parsed.errors), rejected_count, parsed.errors_by_reason);
    return json_response(out);
  });
}

/// GET /dnc/lists/{id}/numbers/{number}: whether the list holds the number (from memory).
HttpResponse check_list_number(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  const auto raw = ctx.params["number"];
  const auto how = s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return ListNumbers(visible_row(tx, ctx, "dnc_list_get", id, "list"));
  });
  const auto number = number_param(raw, how);
  return json_response(json::object{{"number", raw}, {"doNotCall", s.dnc.listed(id, number)}});
}

/// PUT (add) or DELETE (remove) one number of a list: the database, its version, then memory.
HttpResponse change_list_number(ApiServices& s, ApiContext& ctx, bool add) {
  const auto id = ctx.id("id");
  const auto raw = ctx.params["number"];
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto list = visible_row(tx, ctx, "dnc_list_get", id, "list");
    require_writable(ctx, list, "lists");
    const auto number = number_param(raw, ListNumbers(list));
    const auto packed = *pack_number(number);
    if (add) tx.exec_prepared0("dnc_number_add", id, number, raw);
    else tx.exec_prepared0("dnc_number_remove", id, number);
    const auto version = tx.exec_prepared1("dnc_list_bump", id)[0].as<long long>();
    s.audit(tx, ctx, add ? "add_number" : "remove_number", "dnc_list/" + std::to_string(id), {{"number", number}});
    tx.commit();
    if (add) s.dnc.add(id, packed, version);
    else s.dnc.remove(id, packed, version);
    return json_response(json::object{{"number", raw}, {"doNotCall", add}});
  });
}

/// PUT /dnc/lists/{id}/numbers/{number}: add the number to the list.
HttpResponse add_list_number(ApiServices& s, ApiContext& ctx) { return change_list_number(s, ctx, true); }

/// DELETE /dnc/lists/{id}/numbers/{number}: remove the number from the list.
HttpResponse remove_list_number(ApiServices& s, ApiContext& ctx) { return change_list_number(s, ctx, false); }

/// GET /dnc/services: the global services and the caller's groups' (the bearer token is never shown).
HttpResponse list_services(ApiServices& s, ApiContext& ctx) {
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::array out;
    for (auto row : tx.exec_prepared("dnc_services"))
      if (visible(ctx, owner(row))) out.push_back(service_json(row));
    return json_response(json::object{{"services", std::move(out)}});
  });
}

/// POST /dnc/services: a new external service (name, url, timeoutMs, bearerToken, groupId).
HttpResponse create_service(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"name", "url", "timeoutMs", "bearerToken", "groupId"});
  const auto name = *get_string(body, "name", true, 100, 1);
  const auto url = *get_string(body, "url", true, 500, 1);
  if (auto p = dnc_url_problem(url); !p.empty()) invalid("url", p);
  const auto timeout = int(get_int(body, "timeoutMs", false, 50, 60000).value_or(2000));
  const auto token = get_string(body, "bearerToken", false, 500).value_or("");
  const auto group = new_owner(body, ctx);
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (!tx.exec_prepared("dnc_service_by_name", name, group).empty())
      fail(409, "conflict", "a service named '" + name + "' exists", "name");
    const auto id = tx.exec_prepared1("dnc_service_insert", name, url, timeout, token, group)[0].as<long long>();
    s.audit(tx, ctx, "create", "dnc_service/" + std::to_string(id), {{"name", name}, {"url", url}});
    auto row = tx.exec_prepared1("dnc_service_get", id);
    tx.commit();
    return json_response(service_json(row), 201);
  });
}

/// One of the few request threads a service check may hold (ApiServices::max_dnc_checks).
class CheckSlot {
 public:
  CheckSlot(std::atomic<int>& running, int max) : running_(running), ok_(running.fetch_add(1) < max) {}
  ~CheckSlot() { running_.fetch_sub(1); }
  CheckSlot(const CheckSlot&) = delete;
  CheckSlot& operator=(const CheckSlot&) = delete;
  bool ok() const { return ok_; }

 private:
  std::atomic<int>& running_;
  bool ok_;
};

/// POST /dnc/services/{id}/check: ask the external service (502 when it does not answer).
///
/// A check holds a request thread until the service answers or dnc_check_timeout_ms pass, so only
/// ApiServices::max_dnc_checks run at once and the rest get 503 at once: the other request
/// threads keep serving. The client learns only that the service gave no usable answer; why
/// (refused, timeout, HTTP status, TLS) goes to the log, so the API is no port-scan oracle.
HttpResponse check_service(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  const auto body = ctx.json();
  reject_unknown(body, {"number"});
  const auto raw = *get_string(body, "number", true, 64, 1);
  // Sent as written: the service reads numbers its own way.
  if (!pack_number(raw)) invalid("number", "number must be a phone number of 3 to 18 digits");
  DncService svc = s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    const auto row = visible_row(tx, ctx, "dnc_service_get", id, "service");
    return DncService{row["url"].as<std::string>(), std::min(row["timeout_ms"].as<int>(), s.dnc_check_timeout_ms),
                      row["bearer_token"].as<std::string>(), s.dnc_ca_file};
  });
  CheckSlot slot(*s.dnc_checks_running, s.max_dnc_checks);
  if (!slot.ok()) fail(503, "busy", "too many do-not-call service checks at once; try again shortly");
  std::string error;
  const auto a = check_dnc(svc, raw, &error);
  if (a == DncAnswer::unreachable) {
    spdlog::warn("api: do-not-call service {} ({}) gave no usable answer: {}", id, svc.url, error);
    fail(502, "dnc_unreachable", "the do-not-call service gave no usable answer");
  }
  return json_response(json::object{{"number", raw}, {"doNotCall", a == DncAnswer::listed}});
}

}  // namespace

void add_dnc_routes(Router& r, ApiServices& s) {
  const char* number = "/api/v1/dnc/lists/{id}/numbers/{number}";
  add_routes(r, s, {
      {"POST", "/donotcall", "ask the integrated do-not-call service about a number", Access::logged_in(), "json",
       check_integrated},
      {"GET", "/api/v1/dnc/lists", "list do-not-call lists", kReaders, "", list_lists},
      {"POST", "/api/v1/dnc/lists", "create do-not-call lists (name; groupId: a campaign admin's group, none for a master's global list)", kWriters, "json", create_list},
      {"POST", "/api/v1/dnc/lists/{id}/numbers", "upload numbers to a do-not-call list (CSV, first column)", kWriters,
       "csv", upload_numbers},
      {"GET", number, "check a number on a do-not-call list", kReaders, "", check_list_number},
      {"PUT", number, "add a number to a do-not-call list", kWriters, "", add_list_number},
      {"DELETE", number, "remove a number from a do-not-call list", kWriters, "", remove_list_number},
      {"GET", "/api/v1/dnc/services", "list external do-not-call services", kReaders, "", list_services},
      {"POST", "/api/v1/dnc/services", "configure external do-not-call services (name, url, timeoutMs, bearerToken, groupId)",
       kWriters, "json", create_service},
      {"POST", "/api/v1/dnc/services/{id}/check", "ask an external do-not-call service about a number", kReaders,
       "json", check_service},
  });
}

}  // namespace hark::control
