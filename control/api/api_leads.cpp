// Leads (CSV upload, list, view, edit) and the call log (paged JSON and CSV export).
#include <unordered_set>

#include "control/api/control_api.h"
#include "control/campaign/lead_csv.h"
#include "sql/lead_store.h"

namespace hark::control {

namespace json = boost::json;

namespace {

const auto kAdmin = Access::only({Role::campaign_admin});
const auto kReaders = Access::only({Role::campaign_admin, Role::campaign_supervisor});

json::value opt_text(const pqxx::field& f) { return f.is_null() ? json::value(nullptr) : json::value(f.as<std::string>()); }

json::object lead_json(const pqxx::row& row) {
  return {{"id", row["id"].as<long long>()},
          {"name", row["name"].as<std::string>()},
          {"phone", row["phone"].as<std::string>()},
          {"extraPhones", json::parse(row["extra_phones"].as<std::string>())},
          {"description", row["description"].as<std::string>()},
          {"externalId", opt_text(row["external_id"])},
          {"fields", json::parse(row["fields"].as<std::string>())},
          {"status", row["status"].as<std::string>()},
          {"attempts", row["attempts"].as<int>()},
          {"lastAttemptAt", opt_text(row["last_attempt_at"])},
          {"nextAttemptAt", opt_text(row["next_attempt_at"])},
          {"done", row["done"].as<bool>()}};
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
          {"cause", opt_text(row["cause"])}};
}

void check_status(const std::string& s) {
  static const std::unordered_set<std::string> ok{"NOT_CALLED", "SUCCESS", "FAILURE", "BUSY", "NO_ANSWER", "REJECTED",
                                                  "AMD", "SERVICE_TEMPORARILY_UNAVAILABLE", "DNC", "UNKNOWN"};
  if (!ok.count(s)) invalid("status", "unknown lead status '" + s + "'");
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

constexpr size_t kImportBatch = 20000;  // leads parsed ahead of COPY at a time

void require_stopped(pqxx::transaction_base& tx, long long id) {
  if (tx.exec_prepared1("campaign_row_locked", id)["state"].as<std::string>() == "STARTED")
    fail(409, "campaign_running", "stop the campaign first: leads change only while it is stopped");
}

}  // namespace

void add_lead_routes(Router& r, ApiServices& s) {
  r.add({"POST", "/api/v1/campaigns/{id}/leads",
         "upload leads as CSV (while stopped; skipDuplicates, skipWithoutPhone)", kAdmin, "csv", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           LeadCsvOptions opt;
           opt.skip_duplicate_phones = ctx.query_bool("skipDuplicates", false);
           opt.skip_rows_without_phone = ctx.query_bool("skipWithoutPhone", false);
           if (ctx.req.body.empty()) fail(400, "empty_body", "send the CSV as the request body");
           LeadCsvReader reader(ctx.req.body, opt);
           LeadCsvResult parsed;  // errors and counters; the leads go straight to COPY
           return s.db.with([&](pqxx::connection& c) {
             pqxx::work tx(c);
             authorize_campaign(tx, ctx, id, true);
             require_stopped(tx, id);
             int skipped_existing = 0;
             std::unordered_set<std::string> have;  // duplicates of leads already in the campaign count too
             if (opt.skip_duplicate_phones)
               for (auto row : tx.exec_prepared("lead_phones", id)) have.insert(row[0].as<std::string>());
             // The CSV is parsed a batch at a time on another thread while COPY stores the batch before.
             auto res = sql::import_leads(tx, id, [&](std::vector<Lead>& batch) {
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
             s.audit(tx, ctx, "upload_leads", "campaign/" + std::to_string(id), {{"imported", res.imported}});
             tx.commit();
             // Only the first rejected rows in full, the rest counted (issue 13: 4 MB of bad rows made 91 MB).
             auto by_reason = parsed.errors_by_reason;
             if (!res.rejected.empty()) by_reason["external_id_taken"] += res.rejected.size();
             const size_t rejected_count = parsed.error_count + res.rejected.size();
             parsed.errors.insert(parsed.errors.end(), res.rejected.begin(), res.rejected.end());
             json::object out{{"imported", res.imported},
                              {"skippedDuplicates", parsed.skipped_duplicates + skipped_existing},
                              {"skippedWithoutPhone", parsed.skipped_without_phone}};
             add_reject_report(out, std::move(parsed.errors), rejected_count, by_reason);
             return json_response(out, res.imported > 0 || rejected_count == 0 ? 200 : 422);
           });
         }});

  r.add({"GET", "/api/v1/campaigns/{id}/leads", "list leads (paged; status filter)", kReaders, "", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           const auto page = ctx.query_int("page", 1, 1, 1000000);
           const auto size = ctx.query_int("pageSize", 100, 1, 1000);
           std::optional<std::string> status;
           if (auto st = ctx.query("status"); !st.empty()) check_status(st), status = st;
           return s.db.with([&](pqxx::connection& c) {
             pqxx::read_transaction tx(c);
             authorize_campaign(tx, ctx, id, false);
             json::array out;
             for (auto row : tx.exec_prepared("leads_page", id, status, size, (page - 1) * size)) out.push_back(lead_json(row));
             const auto total = tx.exec_prepared1("leads_count", id, status)[0].as<long long>();
             return json_response(json::object{{"leads", std::move(out)}, {"page", page}, {"pageSize", size}, {"total", total}});
           });
         }});

  r.add({"GET", "/api/v1/campaigns/{id}/leads/{leadId}", "view leads", kReaders, "", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id"), lead = ctx.id("leadId");
           return s.db.with([&](pqxx::connection& c) {
             pqxx::read_transaction tx(c);
             authorize_campaign(tx, ctx, id, false);
             auto rows = tx.exec_prepared("lead_get", id, lead);
             if (rows.empty()) fail(404, "not_found", "no such lead");
             return json_response(lead_json(rows[0]));
           });
         }});

  r.add({"PATCH", "/api/v1/campaigns/{id}/leads/{leadId}", "edit leads (name, description, phone; while stopped)", kAdmin,
         "json", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id"), lead = ctx.id("leadId");
           const auto body = ctx.json();
           reject_unknown(body, {"name", "description", "phone"});
           const auto name = get_string(body, "name", false, 1000);
           const auto description = get_string(body, "description", false, 10000);
           auto phone = get_string(body, "phone", false, 64);
           if (phone) {
             auto clean = clean_phone(*phone);
             if (clean.empty()) invalid("phone", "phone must have 3 to 20 digits");
             phone = clean;
           }
           return s.db.with([&](pqxx::connection& c) {
             pqxx::work tx(c);
             authorize_campaign(tx, ctx, id, true);
             require_stopped(tx, id);
             auto rows = tx.exec_prepared("lead_update", id, lead, name, description, phone);
             if (rows.empty()) fail(404, "not_found", "no such lead");
             s.audit(tx, ctx, "update", "lead/" + std::to_string(lead), body);
             tx.commit();
             return json_response(lead_json(rows[0]));
           });
         }});

  r.add({"GET", "/api/v1/campaigns/{id}/calls", "read the call log (paged; leadId filter)", kReaders, "",
         [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           const auto page = ctx.query_int("page", 1, 1, 1000000);
           const auto size = ctx.query_int("pageSize", 100, 1, 1000);
           std::optional<long long> lead;
           if (!ctx.query("leadId").empty()) lead = ctx.query_int("leadId", 0, 1, INT64_MAX);
           return s.db.with([&](pqxx::connection& c) {
             pqxx::read_transaction tx(c);
             authorize_campaign(tx, ctx, id, false);
             json::array out;
             for (auto row : tx.exec_prepared("attempts_page", id, lead, size, (page - 1) * size)) out.push_back(attempt_json(row));
             const auto total = tx.exec_prepared1("attempts_count", id, lead)[0].as<long long>();
             return json_response(json::object{{"calls", std::move(out)}, {"page", page}, {"pageSize", size}, {"total", total}});
           });
         }});

  r.add({"GET", "/api/v1/campaigns/{id}/calls.csv", "export the call log as CSV", kReaders, "", [&s](ApiContext& ctx) {
           const auto id = ctx.id("id");
           return s.db.with([&](pqxx::connection& c) {
             pqxx::read_transaction tx(c);
             authorize_campaign(tx, ctx, id, false);
             HttpResponse res;
             res.content_type = "text/csv; charset=utf-8";
             res.headers.push_back({"Content-Disposition", "attachment; filename=\"campaign-" + std::to_string(id) + "-calls.csv\""});
             res.body = "id,lead_id,number,state,dialed_at,answered_at,ended_at,sip_code,sip_reason,amd_verdict,amd_cause,result,cause\r\n";
             long long after = 0;
             for (;;) {  // by key, so a big log never sits in one result set
               auto rows = tx.exec_prepared("attempts_after", id, after, 10000);
               for (auto row : rows) {
                 for (int i = 0; i < 13; ++i) {
                   if (i) res.body += ',';
                   if (!row[i].is_null()) res.body += csv_field(row[i].as<std::string>());
                 }
                 res.body += "\r\n";
                 after = row["id"].as<long long>();
               }
               if (rows.size() < 10000) break;
             }
             return res;
           });
         }});
}

}  // namespace hark::control
