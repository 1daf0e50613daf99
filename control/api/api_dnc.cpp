// Do-not-call: internal lists (create, CSV upload, add/remove/check a number), external
// services (configured by URL), and the integrated service `POST /donotcall`, which speaks the
// same API as the external ones and answers from the in-memory index.
#include "control/api/control_api.h"
#include "control/campaign/dnc_client.h"
#include "control/campaign/lead_csv.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kWriters = Access::only({Role::master, Role::campaign_admin});
const auto kReaders = Access::only({Role::master, Role::campaign_admin, Role::campaign_supervisor});

std::string number_param(const std::string& raw, const char* field) {
  if (!pack_number(raw)) invalid(field, std::string(field) + " must be a phone number of 3 to 18 digits");
  return clean_phone(raw);
}

json::object list_json(const pqxx::row& row, const DncIndex& idx) {
  const auto id = row["id"].as<long long>();
  return {{"id", id},
          {"name", row["name"].as<std::string>()},
          {"version", row["version"].as<long long>()},
          {"numbers", idx.size(id)},
          {"createdAt", row["created_at"].as<std::string>()}};
}

json::object service_json(const pqxx::row& row) {
  return {{"id", row["id"].as<long long>()},
          {"name", row["name"].as<std::string>()},
          {"url", row["url"].as<std::string>()},
          {"timeoutMs", row["timeout_ms"].as<int>()},
          {"hasBearerToken", !row["bearer_token"].as<std::string>().empty()}};
}

/// POST /donotcall: the integrated service, answering from every internal list in memory.
HttpResponse check_integrated(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"number"});
  const auto raw = *get_string(body, "number", true, 64, 1);
  number_param(raw, "number");
  s.metrics.inc("hark_dnc_lookups_total");
  return json_response(json::object{{"number", raw}, {"doNotCall", s.dnc.listed_anywhere(raw)}});
}

/// GET /dnc/lists: every internal list with its size.
HttpResponse list_lists(ApiServices& s, ApiContext&) {
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::array out;
    for (auto row : tx.exec_prepared("dnc_lists")) out.push_back(list_json(row, s.dnc));
    return json_response(json::object{{"lists", std::move(out)}});
  });
}

/// POST /dnc/lists: a new, empty list (unique name).
HttpResponse create_list(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"name"});
  const auto name = *get_string(body, "name", true, 100, 1);
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (!tx.exec_prepared("dnc_list_by_name", name).empty())
      fail(409, "conflict", "a list named '" + name + "' exists", "name");
    const auto id = tx.exec_prepared1("dnc_list_insert", name)[0].as<long long>();
    s.audit(tx, ctx, "create", "dnc_list/" + std::to_string(id), {{"name", name}});
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
  std::vector<std::string> numbers;
  std::vector<uint64_t> packed;
  std::vector<RowError> rejected;  // the first kMaxReportedErrors; the rest only counted
  size_t rejected_count = 0;
  int line = 0;
  std::string_view rest = ctx.req.body;
  while (!rest.empty()) {
    ++line;
    auto nl = rest.find('\n');
    std::string_view l = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    l = l.substr(0, l.find(','));
    if (l.size() >= 2 && l.front() == '"' && l.back() == '"') l = l.substr(1, l.size() - 2);
    if (l.find_first_not_of(" \t") == std::string_view::npos) continue;
    const auto p = pack_number(l);
    if (!p) {
      // A header line is allowed.
      if (line == 1 && l.find_first_of("0123456789") == std::string_view::npos) continue;
      if (++rejected_count <= kMaxReportedErrors) rejected.push_back({line, "not a phone number of 3 to 18 digits"});
      continue;
    }
    packed.push_back(*p);
    numbers.push_back(clean_phone(l));
  }
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (tx.exec_prepared("dnc_list_get", id).empty()) fail(404, "not_found", "no such list");
    long long added = 0;
    for (size_t i = 0; i < numbers.size(); i += 50000) {
      std::vector<std::string> chunk(numbers.begin() + long(i),
                                     numbers.begin() + long(std::min(numbers.size(), i + 50000)));
      added += tx.exec_prepared("dnc_numbers_insert_many", id, sql::text_array_literal(chunk)).affected_rows();
    }
    const auto version = tx.exec_prepared1("dnc_list_bump", id)[0].as<long long>();
    s.audit(tx, ctx, "upload_numbers", "dnc_list/" + std::to_string(id), {{"added", added}});
    tx.commit();
    s.dnc.add_many(id, std::move(packed), version);
    json::object out{{"added", added}, {"alreadyListed", long(numbers.size()) - added}};
    add_reject_report(out, std::move(rejected), rejected_count,
                      rejected_count ? std::map<std::string, size_t>{{"not_a_number", rejected_count}}
                                     : std::map<std::string, size_t>{});
    return json_response(out);
  });
}

/// GET /dnc/lists/{id}/numbers/{number}: whether the list holds the number (from memory).
HttpResponse check_list_number(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  const auto raw = ctx.params["number"];
  const auto number = number_param(raw, "number");
  s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    if (tx.exec_prepared("dnc_list_get", id).empty()) fail(404, "not_found", "no such list");
  });
  return json_response(json::object{{"number", raw}, {"doNotCall", s.dnc.listed(id, number)}});
}

/// PUT (add) or DELETE (remove) one number of a list: the database, its version, then memory.
HttpResponse change_list_number(ApiServices& s, ApiContext& ctx, bool add) {
  const auto id = ctx.id("id");
  const auto raw = ctx.params["number"];
  const auto number = number_param(raw, "number");
  const auto packed = *pack_number(number);
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (tx.exec_prepared("dnc_list_get", id).empty()) fail(404, "not_found", "no such list");
    tx.exec_prepared0(add ? "dnc_number_add" : "dnc_number_remove", id, number);
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

/// GET /dnc/services: every external service (the bearer token is never shown).
HttpResponse list_services(ApiServices& s, ApiContext&) {
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::array out;
    for (auto row : tx.exec_prepared("dnc_services")) out.push_back(service_json(row));
    return json_response(json::object{{"services", std::move(out)}});
  });
}

/// POST /dnc/services: a new external service (name, url, timeoutMs, bearerToken).
HttpResponse create_service(ApiServices& s, ApiContext& ctx) {
  const auto body = ctx.json();
  reject_unknown(body, {"name", "url", "timeoutMs", "bearerToken"});
  const auto name = *get_string(body, "name", true, 100, 1);
  const auto url = *get_string(body, "url", true, 500, 1);
  if (auto p = dnc_url_problem(url); !p.empty()) invalid("url", p);
  const auto timeout = int(get_int(body, "timeoutMs", false, 50, 60000).value_or(2000));
  const auto token = get_string(body, "bearerToken", false, 500).value_or("");
  return s.db.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (!tx.exec_prepared("dnc_service_by_name", name).empty())
      fail(409, "conflict", "a service named '" + name + "' exists", "name");
    const auto id = tx.exec_prepared1("dnc_service_insert", name, url, timeout, token)[0].as<long long>();
    s.audit(tx, ctx, "create", "dnc_service/" + std::to_string(id), {{"name", name}, {"url", url}});
    auto row = tx.exec_prepared1("dnc_service_get", id);
    tx.commit();
    return json_response(service_json(row), 201);
  });
}

/// POST /dnc/services/{id}/check: ask the external service (502 when it does not answer).
HttpResponse check_service(ApiServices& s, ApiContext& ctx) {
  const auto id = ctx.id("id");
  const auto body = ctx.json();
  reject_unknown(body, {"number"});
  const auto raw = *get_string(body, "number", true, 64, 1);
  number_param(raw, "number");
  DncService svc = s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_prepared("dnc_service_get", id);
    if (rows.empty()) fail(404, "not_found", "no such service");
    return DncService{rows[0]["url"].as<std::string>(), rows[0]["timeout_ms"].as<int>(),
                      rows[0]["bearer_token"].as<std::string>(), s.dnc_ca_file};
  });
  std::string error;
  const auto a = check_dnc(svc, raw, &error);
  if (a == DncAnswer::unreachable) fail(502, "dnc_unreachable", "the do-not-call service did not answer: " + error);
  return json_response(json::object{{"number", raw}, {"doNotCall", a == DncAnswer::listed}});
}

}  // namespace

void add_dnc_routes(Router& r, ApiServices& s) {
  const char* number = "/api/v1/dnc/lists/{id}/numbers/{number}";
  add_routes(r, s, {
      {"POST", "/donotcall", "ask the integrated do-not-call service about a number", Access::logged_in(), "json",
       check_integrated},
      {"GET", "/api/v1/dnc/lists", "list do-not-call lists", kReaders, "", list_lists},
      {"POST", "/api/v1/dnc/lists", "create do-not-call lists", kWriters, "json", create_list},
      {"POST", "/api/v1/dnc/lists/{id}/numbers", "upload numbers to a do-not-call list (CSV, first column)", kWriters,
       "csv", upload_numbers},
      {"GET", number, "check a number on a do-not-call list", kReaders, "", check_list_number},
      {"PUT", number, "add a number to a do-not-call list", kWriters, "", add_list_number},
      {"DELETE", number, "remove a number from a do-not-call list", kWriters, "", remove_list_number},
      {"GET", "/api/v1/dnc/services", "list external do-not-call services", kReaders, "", list_services},
      {"POST", "/api/v1/dnc/services", "configure external do-not-call services (name, url, timeoutMs, bearerToken)",
       kWriters, "json", create_service},
      {"POST", "/api/v1/dnc/services/{id}/check", "ask an external do-not-call service about a number", kReaders,
       "json", check_service},
  });
}

}  // namespace hark::control
