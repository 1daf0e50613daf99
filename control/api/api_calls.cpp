// The call log: every attempt (and inbound call: direction, matching leads) with dial/answer/end times, SIP code and reason, AMD verdict and
// cause, result; paged JSON and a CSV export.
#include "control/api/control_api.h"
#include "control/api/csv_cell.h"
#include "control/api/report_filters.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor});

json::value opt_text(const pqxx::field& f) { return f.is_null() ? json::value(nullptr) : json::value(f.as<std::string>()); }

// A text[] column read as text ({a:503,"b:408"}) as a JSON array of strings; the items are
// trunk names and codes, which hold no commas, quotes or braces.
json::array text_array_json(const pqxx::field& f) {
  json::array out;
  if (f.is_null()) return out;
  std::string s = f.as<std::string>();
  if (s.size() < 2) return out;
  s = s.substr(1, s.size() - 2);
  size_t start = 0;
  while (start < s.size()) {
    auto end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string item = s.substr(start, end - start);
    if (item.size() >= 2 && item.front() == '"') item = item.substr(1, item.size() - 2);
    out.push_back(json::value(item));
    start = end + 1;
  }
  return out;
}

// A bigint[] column read as text ({1,2}) as a JSON array of numbers.
json::array id_array_json(const pqxx::field& f) {
  json::array out;
  if (f.is_null()) return out;
  const std::string s = f.as<std::string>();
  long long v = 0;
  bool in = false;
  for (char ch : s) {
    if (ch >= '0' && ch <= '9') v = v * 10 + (ch - '0'), in = true;
    else if (in) out.push_back(v), v = 0, in = false;
  }
  return out;
}

json::object attempt_json(const pqxx::row& row) {
  return {{"id", row["id"].as<long long>()},
          {"leadId", row["lead_id"].as<long long>()},
          {"number", row["number"].as<std::string>()},
          {"state", row["state"].as<std::string>()},
          {"dialedAt", row["dialed_at"].as<std::string>()},
          {"answeredAt", opt_text(row["answered_at"])},
          {"endedAt", opt_text(row["ended_at"])},
          {"sipCode", row["sip_code"].is_null() ? json::value(nullptr) : json::value(row["sip_code"].as<int>())},
          {"sipReason", opt_text(row["sip_reason"])},
          {"amdVerdict", opt_text(row["amd_verdict"])},
          {"amdCause", opt_text(row["amd_cause"])},
          {"result", opt_text(row["result"])},
          {"cause", opt_text(row["cause"])},
          {"charged", row["charged"].as<bool>()},
          {"round", row["round"].as<int>()},
          {"trunk", opt_text(row["trunk"])},
          {"failedOver", text_array_json(row["failed_over"])},
          {"direction", row["direction"].as<std::string>()},
          {"leadIds", id_array_json(row["lead_ids"])}};
}

/// GET /campaigns/{id}/calls: a page of the call log, optionally of one lead.
HttpResponse list_calls(ApiServices& s, ApiContext& ctx) {
  const auto page = ctx.query_int("page", 1, 1, 1000000);
  const auto size = ctx.query_int("pageSize", 100, 1, 1000);
  std::optional<long long> lead;
  if (!ctx.query("leadId").empty()) lead = ctx.query_int("leadId", 0, 1, INT64_MAX);
  return with_campaign(s, ctx, CampaignUse::read, [&](CampaignScope& c) {
    json::array out;
    for (auto row : c.tx.exec_prepared("attempts_page", c.id, lead, size, (page - 1) * size)) {
      auto call = attempt_json(row);
      call["recordingUrl"] = recording_url(s.recordings_dir, row["id"].as<long long>());  // null: none
      out.push_back(std::move(call));
    }
    const auto total = c.tx.exec_prepared1("attempts_count", c.id, lead)[0].as<long long>();
    return json_response(json::object{{"calls", std::move(out)}, {"page", page}, {"pageSize", size}, {"total", total}});
  });
}

/// GET /campaigns/{id}/calls.csv: the whole call log as CSV, read by key in chunks.
HttpResponse export_calls_csv(ApiServices& s, ApiContext& ctx) {
  return with_campaign(s, ctx, CampaignUse::read, [](CampaignScope& c) {
    HttpResponse res;
    res.content_type = "text/csv; charset=utf-8";
    res.headers.push_back({"Content-Disposition", "attachment; filename=\"campaign-" + std::to_string(c.id) + "-calls.csv\""});
    res.body =
        "id,lead_id,number,state,dialed_at,answered_at,ended_at,sip_code,sip_reason,amd_verdict,amd_cause,result,cause,"
        "direction,lead_ids\r\n";
    long long after = 0;
    for (;;) {  // by key, so a big log never sits in one result set
      auto rows = c.tx.exec_prepared("attempts_after", c.id, after, 10000);
      for (auto row : rows) {
        for (int i = 0; i < 13; ++i) {
          if (i) res.body += ',';
          if (!row[i].is_null()) res.body += csv_cell(row[i].as<std::string>());
        }
        // direction, and the leads as "1 2" (one cell without commas or quotes)
        res.body += ',';
        res.body += row["direction"].as<std::string>();
        res.body += ',';
        for (const auto& id : id_array_json(row["lead_ids"])) {
          if (res.body.back() != ',') res.body += ' ';
          res.body += std::to_string(id.as_int64());
        }
        res.body += "\r\n";
        after = row["id"].as<long long>();
      }
      if (rows.size() < 10000) break;
    }
    return res;
  });
}

}  // namespace

void add_call_routes(Router& r, ApiServices& s) {
  add_routes(r, s, {
      {"GET", "/api/v1/campaigns/{id}/calls", "read the call log (paged; leadId filter)", kReaders, "", list_calls},
      {"GET", "/api/v1/campaigns/{id}/calls.csv", "export the call log as CSV", kReaders, "", export_calls_csv},
  });
}

}  // namespace hark::control
