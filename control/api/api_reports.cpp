// Reports for supervisors, in JSON or CSV (a path ending in .csv, or Accept: text/csv; every
// cell through csv_cell, so a lead named =HYPERLINK(...) is shown, never run):
//   - the call log across the caller's campaigns, filtered by date range, campaign, result,
//     AMD verdict and phone, with each recording's URL;
//   - per day, per campaign or across campaigns: placed, answered, ASR, transferred, machines,
//     abandoned, the AMD mix, mean answer-to-transfer time and attempts per lead;
//   - a campaign's lead results (?campaign=): each lead's status, attempts, last result and time.
// Days are the campaign's local days (its time zone), as its schedule counts them.
#include <algorithm>
#include <filesystem>

#include "control/api/control_api.h"
#include "control/api/csv_cell.h"
#include "control/api/report_filters.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor});
constexpr long long kCsvMaxRows = 1'000'000;  // one export holds at most this many rows

/// A table: column names, then rows of JSON values (null for SQL NULL).
struct Table {
  std::vector<std::string> columns;
  std::vector<json::array> rows;
};

std::string cell_text(const json::value& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return std::string(v.as_string());
  return json::serialize(v);
}

HttpResponse csv_response(const Table& t, const std::string& file) {
  HttpResponse res;
  res.content_type = "text/csv; charset=utf-8";
  res.headers.push_back({"Content-Disposition", "attachment; filename=\"" + file + "\""});
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i) res.body += ',';
    res.body += csv_cell(t.columns[i]);
  }
  res.body += "\r\n";
  for (const auto& r : t.rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      if (i) res.body += ',';
      res.body += csv_cell(cell_text(r[i]));
    }
    res.body += "\r\n";
  }
  return res;
}

json::array json_rows(const Table& t) {
  json::array out;
  for (const auto& r : t.rows) {
    json::object o;
    for (size_t i = 0; i < t.columns.size(); ++i) o[t.columns[i]] = r[i];
    out.push_back(std::move(o));
  }
  return out;
}

json::value field(const pqxx::field& f, bool number = false) {
  if (f.is_null()) return nullptr;
  if (number) return f.as<double>();
  return json::value(f.as<std::string>());
}
json::value integer(const pqxx::field& f) { return f.is_null() ? json::value(nullptr) : json::value(f.as<long long>()); }

std::optional<std::string> text_param(const ApiContext& ctx, const std::string& name, size_t max) {
  auto v = ctx.query(name);
  if (v.empty()) return std::nullopt;
  if (v.size() > max) invalid(name, name + " is at most " + std::to_string(max) + " bytes");
  return v;
}

/// GET /reports/calls[.csv]?from=&to=&campaign=&result=&verdict=&phone=&after=&limit=
HttpResponse report_calls(ApiServices& s, ApiContext& ctx) {
  const auto campaign = id_param(ctx, "campaign");
  const auto from = when_param(ctx, "from"), to = when_param(ctx, "to");
  const auto result = text_param(ctx, "result", 40), verdict = text_param(ctx, "verdict", 20);
  const auto phone = text_param(ctx, "phone", 40);
  const bool csv = wants_csv(ctx);
  long long after = ctx.query_int("after", 0, 0, INT64_MAX);
  const auto limit = csv ? kCsvMaxRows : ctx.query_int("limit", 100, 1, 1000);
  Table t;
  t.columns = {"id", "campaignId", "campaign", "leadId", "leadName", "number", "state", "dialedAt", "answeredAt",
               "endedAt", "sipCode", "sipReason", "amdVerdict", "amdCause", "amdMs", "result", "cause", "qaLabel",
               "recordingUrl"};
  s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (long long left = limit; left > 0;) {  // by key, so a big log never sits in one result set
      const long long chunk = std::min(left, 10000LL);
      auto rows = tx.exec_prepared("report_calls", group_array(ctx.me()), campaign, from, to, result, verdict, phone,
                                   after, chunk);
      for (auto r : rows) {
        const auto id = r["id"].as<long long>();
        t.rows.push_back({id, integer(r["campaign_id"]), field(r["campaign"]), integer(r["lead_id"]),
                          field(r["lead_name"]), field(r["number"]), field(r["state"]), field(r["dialed_at"]),
                          field(r["answered_at"]), field(r["ended_at"]), integer(r["sip_code"]), field(r["sip_reason"]),
                          field(r["amd_verdict"]), field(r["amd_cause"]), integer(r["amd_ms"]), field(r["result"]),
                          field(r["cause"]), field(r["qa_label"]),
                          recording_url(s.recordings_dir, id)});
        after = id;
      }
      left -= chunk;
      if (static_cast<long long>(rows.size()) < chunk) break;
    }
    return 0;
  });
  if (csv) return csv_response(t, "calls.csv");
  const bool more = static_cast<long long>(t.rows.size()) == limit;
  return json_response(json::object{{"calls", json_rows(t)},
                                    {"nextAfter", more ? json::value(after) : json::value(nullptr)}});
}

/// GET /reports/daily[.csv]?from=&to=&campaign=&by=campaign|day
HttpResponse report_daily(ApiServices& s, ApiContext& ctx) {
  const auto campaign = id_param(ctx, "campaign");
  const auto from = when_param(ctx, "from"), to = when_param(ctx, "to");
  const auto by = ctx.query("by", "campaign");
  if (by != "campaign" && by != "day") invalid("by", "by must be campaign (a row per campaign and day) or day (all campaigns together)");
  const bool per_campaign = by == "campaign";
  Table t;
  t.columns = {"day", "campaignId", "campaign", "placed", "answered", "asr", "transferred", "machines", "abandoned",
               "amdHuman", "amdMachine", "amdFax", "amdSit", "amdSilence", "amdUnknown", "meanAnswerToTransferMs",
               "leads", "attemptsPerLead"};
  s.db.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (auto r : tx.exec_prepared("report_daily", group_array(ctx.me()), campaign, from, to, per_campaign)) {
      const auto placed = r["placed"].as<long long>(), answered = r["answered"].as<long long>();
      const auto leads = r["leads"].as<long long>();
      t.rows.push_back({field(r["day"]), integer(r["campaign_id"]), field(r["campaign"]), placed, answered,
                        placed ? json::value(double(answered) / double(placed)) : json::value(nullptr),
                        integer(r["transferred"]), integer(r["machines"]), integer(r["abandoned"]),
                        integer(r["amd_human"]), integer(r["amd_machine"]), integer(r["amd_fax"]), integer(r["amd_sit"]),
                        integer(r["amd_silence"]), integer(r["amd_unknown"]),
                        field(r["mean_answer_to_transfer_ms"], true), leads,
                        leads ? json::value(double(placed) / double(leads)) : json::value(nullptr)});
    }
    return 0;
  });
  if (wants_csv(ctx)) return csv_response(t, "daily.csv");
  return json_response(json::object{{"days", json_rows(t)}});
}

/// GET /reports/leads[.csv]?campaign=: each lead's status, attempts, last result and time.
HttpResponse report_leads(ApiServices& s, ApiContext& ctx) {
  const bool csv = wants_csv(ctx);
  const auto campaign = id_param(ctx, "campaign");
  if (!campaign) invalid("campaign", "name the campaign: ?campaign=ID");
  return s.db.with([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    authorize_campaign(tx, ctx, *campaign, false);
    struct {
      pqxx::read_transaction& tx;
      long long id;
    } c{tx, *campaign};
    Table t;
    t.columns = {"id", "name", "phone", "status", "attempts", "lastResult", "lastAttemptAt"};
    long long after = 0;
    for (;;) {
      auto rows = c.tx.exec_prepared("report_leads", c.id, after, 10000);
      for (auto r : rows) {
        after = r["id"].as<long long>();
        t.rows.push_back({after, field(r["name"]), field(r["phone"]), field(r["status"]), integer(r["attempts"]),
                          field(r["last_result"]), field(r["last_attempt_at"])});
      }
      if (rows.size() < 10000) break;
    }
    if (csv) return csv_response(t, "campaign-" + std::to_string(c.id) + "-lead-results.csv");
    return json_response(json::object{{"leads", json_rows(t)}});
  });
}

}  // namespace

void add_report_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"GET", "/api/v1/reports/calls", "the call log of your campaigns (from, to, campaign, result, verdict, phone; after, limit)", kReaders, "", report_calls},
      {"GET", "/api/v1/reports/calls.csv", "the same call log as CSV", kReaders, "", report_calls},
      {"GET", "/api/v1/reports/daily", "per-day figures per campaign (by=campaign) or across campaigns (by=day)", kReaders, "", report_daily},
      {"GET", "/api/v1/reports/daily.csv", "the same per-day figures as CSV", kReaders, "", report_daily},
      {"GET", "/api/v1/reports/leads", "a campaign's leads: status, attempts, last result and time (campaign)", kReaders, "", report_leads},
      {"GET", "/api/v1/reports/leads.csv", "the same lead results as CSV", kReaders, "", report_leads},
  });
}

}  // namespace hark::control
