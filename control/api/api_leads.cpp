// Leads: CSV upload, list, view, edit. Uploads and edits only while the campaign is stopped.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <unordered_set>

#include "control/api/campaign_rows.h"
#include "control/api/report_filters.h"
#include "control/api/multipart.h"
#include "control/campaign/lead_csv.h"
#include "sql/lead_store.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kAdmin = Access::only({Role::campaign_admin});
const auto kReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor});

json::value opt_text(const pqxx::field& f) { return f.is_null() ? json::value(nullptr) : json::value(f.as<std::string>()); }

}  // namespace

json::object lead_json(const pqxx::row& row) {
  return {{"id", row["id"].as<long long>()},
          {"name", row["name"].as<std::string>()},
          {"phone", row["phone"].as<std::string>()},
          {"phoneRaw", row["phone_raw"].as<std::string>()},
          {"extraPhones", json::parse(row["extra_phones"].as<std::string>())},
          {"description", row["description"].as<std::string>()},
          {"externalId", opt_text(row["external_id"])},
          {"fields", json::parse(row["fields"].as<std::string>())},
          {"status", row["status"].as<std::string>()},
          {"attempts", row["attempts"].as<int>()},
          {"lastAttemptAt", opt_text(row["last_attempt_at"])},
          {"nextAttemptAt", opt_text(row["next_attempt_at"])},
          {"done", row["done"].as<bool>()},
          // lead lifecycle (0011): the number dialed next, the round, the origin, callbacks
          {"phoneIndex", row["phone_index"].as<int>()},
          {"round", row["round"].as<int>()},
          {"originLeadId", row["origin_lead_id"].is_null() ? json::value(nullptr) : json::value(row["origin_lead_id"].as<long long>())},
          {"disabled", row["disabled"].as<bool>()},
          {"callbackAt", opt_text(row["callback_at"])},
          {"callbackAgent", opt_text(row["callback_agent"])},
          // calling hours (0019): the zones its numbers may be in; null until known (at start)
          {"timeZones", row["time_zones"].is_null() ? json::value(nullptr) : json::parse(row["time_zones"].as<std::string>())}};
}

void number_settings(const pqxx::row& campaign, LeadCsvOptions& o) {
  o.default_region = campaign["default_region"].as<std::string>();
  o.internal_length = campaign["internal_length"].as<int>();
}

namespace {

void check_status(const std::string& s) {
  static const std::unordered_set<std::string> ok{"NOT_CALLED", "SUCCESS", "FAILURE", "BUSY", "NO_ANSWER", "REJECTED",
                                                  "AMD", "SERVICE_TEMPORARILY_UNAVAILABLE", "DNC", "UNKNOWN"};
  if (!ok.count(s)) invalid("status", "unknown lead status '" + s + "'");
}

constexpr size_t kImportBatch = 20000;  // leads parsed ahead of COPY at a time

/// The campaign's row, locked; 409 while it runs.
pqxx::row require_stopped(const CampaignScope& c) {
  auto row = c.tx.exec_prepared1("campaign_row_locked", c.id);
  if (row["state"].as<std::string>() == "STARTED")
    fail(409, "campaign_running", "stop the campaign first: leads change only while it is stopped");
  return row;
}

/// How the campaign reads its leads' numbers (defaultRegion, internalLength).

/// The column mapping of an upload: phoneColumns (comma-separated, main number first),
/// nameColumn, externalIdColumn.
LeadColumnMapping mapping_of(const ApiContext& ctx) {
  LeadColumnMapping m;
  const auto phones = ctx.query("phoneColumns");
  for (size_t i = 0; i <= phones.size() && !phones.empty();) {
    auto j = phones.find(',', i);
    if (j == std::string::npos) j = phones.size();
    if (j > i) m.phone_columns.push_back(phones.substr(i, j - i));
    i = j + 1;
  }
  if (!phones.empty() && m.phone_columns.empty()) invalid("phoneColumns", "phoneColumns names no column");
  if (m.phone_columns.size() > 20) invalid("phoneColumns", "at most 20 phone columns");
  m.name_column = ctx.query("nameColumn");
  m.external_id_column = ctx.query("externalIdColumn");
  return m;
}

/// The mapping of a multipart upload's `mapping` part: {"phoneColumns": [...], "nameColumn",
/// "externalIdColumn"} (the same rules as the query parameters; 422 naming what is wrong).
LeadColumnMapping mapping_of_json(std::string_view text) {
  json::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) invalid("mapping", "the mapping part must be a JSON object");
  LeadColumnMapping m;
  for (const auto& [key, value] : v.as_object()) {
    auto text_of = [&](std::string_view what) -> std::string {
      if (value.is_null()) return {};
      if (!value.is_string() || value.as_string().empty()) invalid("mapping", std::string(what) + " must be a column name");
      return std::string(value.as_string());
    };
    if (key == "phoneColumns") {
      if (!value.is_array()) invalid("mapping", "phoneColumns must be an array of column names");
      for (const auto& c : value.as_array()) {
        if (!c.is_string() || c.as_string().empty()) invalid("mapping", "phoneColumns must be an array of column names");
        m.phone_columns.emplace_back(c.as_string());
      }
      if (m.phone_columns.empty()) invalid("mapping", "phoneColumns names no column");
      if (m.phone_columns.size() > 20) invalid("mapping", "at most 20 phone columns");
    } else if (key == "nameColumn") {
      m.name_column = text_of("nameColumn");
    } else if (key == "externalIdColumn") {
      m.external_id_column = text_of("externalIdColumn");
    } else {
      invalid("mapping", "unknown mapping field '" + std::string(key) + "' (phoneColumns, nameColumn, externalIdColumn)");
    }
  }
  return m;
}

/// `body` as UTF-8: converted from Latin-1 when charset=latin1, else refused (422) naming the
/// line of its first byte that is not UTF-8.
std::string_view utf8_body(const ApiContext& ctx, std::string_view body, std::string& converted) {
  const auto charset = ctx.query("charset", "utf-8");
  if (charset == "latin1" || charset == "iso-8859-1") return converted = latin1_to_utf8(body);
  if (charset != "utf-8" && charset != "utf8") invalid("charset", "charset must be utf-8 or latin1");
  if (const auto bad = first_invalid_utf8(body); bad != std::string_view::npos) {
    const auto line = 1 + std::count(body.begin(), body.begin() + std::ptrdiff_t(bad), '\n');
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", unsigned(static_cast<unsigned char>(body[bad])));
    fail(422, "not_utf8", "the file is not UTF-8: line " + std::to_string(line) + " has the byte " + byte +
                              " (a Latin-1 file? send charset=latin1 to convert it)", "charset");
  }
  return body;
}

/// POST /campaigns/{id}/leads: a CSV of leads, stored with COPY while the next batch is parsed.
/// The CSV is the body, or the `file` part of a multipart/form-data body whose `mapping` part
/// may hold the column mapping as JSON.
HttpResponse upload_leads(ApiServices& s, ApiContext& ctx) {
  LeadCsvOptions opt;
  opt.skip_duplicate_phones = ctx.query_bool("skipDuplicates", false);
  opt.skip_rows_without_phone = ctx.query_bool("skipWithoutPhone", false);
  opt.mapping = mapping_of(ctx);
  std::string_view csv = ctx.req.body;
  std::optional<std::vector<FormPart>> parts;
  if (const auto boundary = multipart_boundary(ctx.req.header("content-type"))) {
    parts = parse_multipart(ctx.req.body, *boundary);
    if (!parts) fail(400, "malformed_multipart", "the multipart/form-data body is incomplete");
    const FormPart *file = nullptr, *mapping = nullptr;
    for (const auto& p : *parts) {
      if (p.name == "file" && !file) file = &p;
      if (p.name == "mapping" && !mapping) mapping = &p;
    }
    if (!file) invalid("file", "a multipart upload carries the CSV in a part named file");
    csv = file->body;
    if (mapping) {
      if (!opt.mapping.empty()) invalid("mapping", "give the mapping once: as query parameters or as the mapping part");
      opt.mapping = mapping_of_json(mapping->body);
    }
  }
  if (csv.empty()) fail(400, "empty_body", "send the CSV as the request body");
  std::string converted;
  const std::string_view text = utf8_body(ctx, csv, converted);
  // The mapping is checked before the database is touched (a wrong column name is the caller's).
  if (LeadCsvReader probe(text, opt); !probe.mapping_error().empty()) invalid("phoneColumns", probe.mapping_error());
  LeadCsvResult parsed;  // errors and counters; the leads go straight to COPY
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    number_settings(require_stopped(c), opt);
    LeadCsvReader reader(text, opt);
    int skipped_existing = 0;
    std::unordered_set<std::string> have;  // duplicates of leads already in the campaign count too
    if (opt.skip_duplicate_phones)
      for (auto row : c.tx.exec_prepared("lead_phones", c.id)) have.insert(row[0].as<std::string>());
    // The CSV is parsed a batch at a time on another thread while COPY stores the batch before.
    auto res = sql::import_leads(c.tx, c.id, [&](std::vector<Lead>& batch) {
      const bool more = reader.next(parsed, kImportBatch);
      batch.swap(parsed.leads);
      if (!have.empty())
        std::erase_if(batch, [&](const Lead& l) {
          const bool dup = have.count(l.phone) > 0;
          skipped_existing += dup;
          return dup;
        });
      return more;
    });
    s.audit(c.tx, ctx, "upload_leads", "campaign/" + std::to_string(c.id), {{"imported", res.imported}});
    // Only the first rejected rows in full, the rest counted (4 MB of bad rows made a 91 MB report).
    auto by_reason = parsed.errors_by_reason;
    if (!res.rejected.empty()) by_reason["external_id_taken"] += res.rejected.size();
    const size_t rejected_count = parsed.error_count + res.rejected.size();
    parsed.errors.insert(parsed.errors.end(), res.rejected.begin(), res.rejected.end());
    json::object out{{"imported", res.imported},
                     {"mapping", reader.mapping_json()},
                     {"skippedDuplicates", parsed.skipped_duplicates + skipped_existing},
                     {"skippedWithoutPhone", parsed.skipped_without_phone}};
    add_reject_report(out, std::move(parsed.errors), rejected_count, by_reason);
    return json_response(out, res.imported > 0 || rejected_count == 0 ? 200 : 422);
  });
}

/// GET /campaigns/{id}/leads: a page of leads, optionally of one status.
HttpResponse list_leads(ApiServices& s, ApiContext& ctx) {
  const auto page = ctx.query_int("page", 1, 1, 1000000);
  const auto size = ctx.query_int("pageSize", 100, 1, 1000);
  std::optional<std::string> status;
  if (auto st = ctx.query("status"); !st.empty()) check_status(st), status = st;
  return with_campaign(s, ctx, CampaignUse::read, [&](CampaignScope& c) {
    json::array out;
    for (auto row : c.tx.exec_prepared("leads_page", c.id, status, size, (page - 1) * size)) out.push_back(lead_json(row));
    const auto total = c.tx.exec_prepared1("leads_count", c.id, status)[0].as<long long>();
    return json_response(json::object{{"leads", std::move(out)}, {"page", page}, {"pageSize", size}, {"total", total}});
  });
}

/// GET /campaigns/{id}/leads/{leadId}: one lead.
HttpResponse get_lead(ApiServices& s, ApiContext& ctx) {
  const auto lead = ctx.id("leadId");
  return with_campaign(s, ctx, CampaignUse::read, [&](CampaignScope& c) {
    auto rows = c.tx.exec_prepared("lead_get", c.id, lead);
    if (rows.empty()) fail(404, "not_found", "no such lead");
    return json_response(lead_json(rows[0]));
  });
}

/// PATCH /campaigns/{id}/leads/{leadId}: a new name, description or phone.
HttpResponse update_lead(ApiServices& s, ApiContext& ctx) {
  const auto lead = ctx.id("leadId");
  const auto body = ctx.json();
  reject_unknown(body, {"name", "description", "phone", "disabled"});
  const auto disabled = get_bool(body, "disabled", false);
  const auto name = get_string(body, "name", false, 1000);
  const auto description = get_string(body, "description", false, 10000);
  const auto raw_phone = get_string(body, "phone", false, 64);
  return with_campaign(s, ctx, CampaignUse::write, [&](CampaignScope& c) {
    LeadCsvOptions numbers;
    number_settings(require_stopped(c), numbers);
    std::optional<std::string> phone;
    if (raw_phone) {
      auto p = parse_lead_phone(*raw_phone, numbers);
      if (!p.ok()) invalid("phone", "phone '" + *raw_phone + "' " + signaling::problem_text(p.problem, numbers.default_region));
      phone = std::move(p.number);
    }
    auto rows = c.tx.exec_prepared("lead_update", c.id, lead, name, description, phone, raw_phone);
    if (rows.empty()) fail(404, "not_found", "no such lead");
    // Disabled: never dialed again, history kept; enabled again: due unless SUCCESS or DNC.
    if (disabled) {
      c.tx.exec_prepared0("lead_dialing_ensure", c.id, lead);  // a copy's row may not exist yet (migration 0023)
      rows = c.tx.exec_prepared("lead_set_disabled", c.id, lead, *disabled);
    }
    if (rows.empty()) fail(409, "lead_in_progress", "a call to this lead is still up");
    s.audit(c.tx, ctx, "update", "lead/" + std::to_string(lead), body);
    return json_response(lead_json(rows[0]));
  });
}

/// GET /leads?phone=...[&region=GB]: the leads with that number (main or other) in the caller's
/// groups' campaigns, most recently attempted first, for a screen pop. The number is read like
/// a lead's (E.164 through libphonenumber; `region` for a number without its country code).
HttpResponse find_leads_by_phone(ApiServices& s, ApiContext& ctx) {
  const auto raw = ctx.query("phone");
  if (raw.empty()) invalid("phone", "phone is required");
  if (raw.size() > 64) invalid("phone", "phone is longer than 64 characters");
  const auto region = ctx.query("region", "US");
  if (!signaling::known_region(region)) invalid("region", "unknown region '" + region.substr(0, 8) + "'");
  LeadCsvOptions numbers;
  numbers.default_region = signaling::region_code(region);
  numbers.internal_length = 4;
  const auto p = parse_lead_phone(raw, numbers);
  if (!p.ok()) invalid("phone", "phone " + signaling::problem_text(p.problem, numbers.default_region));
  const auto limit = ctx.query_int("limit", 100, 1, 1000);
  return s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    json::array out;
    for (auto row : tx.exec_prepared("leads_by_phone", p.number, group_array(ctx.me()), limit)) {
      auto lead = lead_json(row);
      lead["campaignId"] = row["campaign_id"].as<long long>();
      lead["campaign"] = row["campaign"].as<std::string>();
      out.push_back(std::move(lead));
    }
    return json_response(json::object{{"phone", p.number}, {"leads", std::move(out)}});
  });
}

}  // namespace

void add_lead_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"POST", "/api/v1/campaigns/{id}/leads",
       "upload leads as CSV (while stopped; skipDuplicates, skipWithoutPhone, phoneColumns, nameColumn, "
       "externalIdColumn, charset=latin1)",
       kAdmin, "csv_form", upload_leads},
      {"GET", "/api/v1/campaigns/{id}/leads", "list leads (paged; status filter)", kReaders, "", list_leads},
      {"GET", "/api/v1/campaigns/{id}/leads/{leadId}", "view leads", kReaders, "", get_lead},
      {"GET", "/api/v1/leads", "find leads by phone across your campaigns (phone, region; screen pops)", kReaders, "",
       find_leads_by_phone},
      {"PATCH", "/api/v1/campaigns/{id}/leads/{leadId}", "edit leads (name, description, phone, disabled; while stopped)",
       kAdmin, "json", update_lead},
  });
}

}  // namespace hark::control
