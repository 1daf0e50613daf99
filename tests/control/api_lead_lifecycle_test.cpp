// A lead's life through the REST API on a real PostgreSQL (issue 20): files from other dialers
// (column mapping, delimiters, Latin-1), one lead as JSON, deleting and disabling, recycling
// (same campaign twice, then a new one: no duplicate, rounds counted, the summary adds up),
// scheduled callbacks (claimed at their time, before the other due leads) and clones.
#include <gtest/gtest.h>

#include <algorithm>

#include "control/api/multipart.h"
#include "control/campaign/runner_rules.h"
#include "control/api_fixture.h"
#include "sql/campaign_store.h"
#include "sql/db_pool.h"

using namespace hark;
using test::Api;
namespace json = boost::json;

namespace {

std::string path(long long id, const std::string& tail = "") { return "/api/v1/campaigns/" + std::to_string(id) + tail; }

test::HttpResult upload(long long id, const std::string& query, const std::string& csv) {
  return Api::req("POST", path(id, "/leads" + query), "campaign_admin", csv, "text/csv");
}

long long count(const std::string& sql) { return test::count(Api::db->url(), sql); }

/// Sets every lead of campaign `id` whose phone is in `phones` to `status`, as the runner would
/// after a last attempt (done).
void finish(long long id, const std::string& phones, const std::string& status) {
  Api::db->exec("UPDATE leads SET status = '" + status + "', done = true, attempts = 1 WHERE campaign_id = " +
                std::to_string(id) + " AND phone = ANY('{" + phones + "}')");
}

json::object summary(long long id) { return Api::get(path(id, "/summary"), "campaign_supervisor").json().at("leads").as_object(); }

long long sum(const json::object& o) {
  long long n = 0;
  for (auto& [k, v] : o) n += v.as_int64();
  return n;
}

TEST_F(Api, OmniLeadsFileWithSemicolonsTelefonoTel1Tel2AndLatin1Name) {
  const auto id = make_campaign("omnileads-file");
  // OMniLeads' headers, semicolons, saved by a spreadsheet as Latin-1 (é = 0xE9 on line 3).
  const std::string csv =
      "nombre;telefono;tel1;tel2;id\n"
      "Ana;5491155550001;5491155550002;;o-1\n"
      "Jos\xe9;5491155550003;;5491155550004;o-2\n"
      "Sin tel\xe9" "fono;;;;o-3\n";
  auto r = upload(id, "", csv);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.error_code(), "not_utf8");
  EXPECT_NE(r.body.find("line 3 has the byte 0xE9"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("charset=latin1"), std::string::npos) << r.body;
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE campaign_id = " + std::to_string(id)), 0);

  r = upload(id, "?charset=latin1&phoneColumns=telefono,tel1,tel2&nameColumn=nombre&externalIdColumn=id", csv);
  ASSERT_EQ(r.status, 200) << r.body;
  auto out = r.json().as_object();
  EXPECT_EQ(out.at("imported"), 2);
  EXPECT_EQ(out.at("rejectedCount"), 1);
  EXPECT_EQ(out.at("rejected").at(0).at("line"), 4);
  EXPECT_EQ(out.at("mapping").at("delimiter"), ";");
  EXPECT_EQ(out.at("mapping").at("phoneColumns"), (json::array{"telefono", "tel1", "tel2"}));
  auto leads = get(path(id, "/leads"), "campaign_admin").json().at("leads").as_array();
  ASSERT_EQ(leads.size(), 2u);
  EXPECT_EQ(leads[1].at("name"), "José");
  EXPECT_EQ(leads[1].at("externalId"), "o-2");
  EXPECT_EQ(leads[1].at("extraPhones"), json::array{"+5491155550004"});

  // Without a mapping the same names are recognised, and the answer says how.
  const auto id2 = make_campaign("omnileads-auto");
  r = upload(id2, "?charset=latin1", csv);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("imported"), 2);
  EXPECT_EQ(r.json().at("mapping").at("nameColumn"), "nombre");
  EXPECT_EQ(r.json().at("mapping").at("externalIdColumn"), "id");
  // A mapping naming a column the file lacks is refused whole.
  r = upload(id2, "?phoneColumns=tel9", "nombre,tel1\nAna,5550001\n");
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("no column tel9"), std::string::npos) << r.body;
}

/// A multipart/form-data body as `curl -F file=@leads.csv -F mapping=...` sends it.
std::string form(const std::string& boundary, const std::vector<std::pair<std::string, std::string>>& parts) {
  std::string body = "preamble, ignored\r\n";
  for (auto& [name, content] : parts) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"";
    if (name == "file") body += "; filename=\"leads.csv\"\r\nContent-Type: text/csv";
    body += "\r\n\r\n" + content + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

TEST(Multipart, PartsWithTheirNamesFileNamesAndBytes) {
  const auto b = control::multipart_boundary("multipart/form-data; boundary=\"x-42\"");
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, "x-42");
  EXPECT_FALSE(control::multipart_boundary("text/csv"));
  EXPECT_FALSE(control::multipart_boundary("multipart/form-data"));  // no boundary
  const std::string body = form("x-42", {{"file", "a,b\r\n--x-4 not a delimiter\r\n"}, {"mapping", "{}"}});
  const auto parts = control::parse_multipart(body, "x-42");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "file");
  EXPECT_EQ((*parts)[0].filename, "leads.csv");
  EXPECT_EQ((*parts)[0].content_type, "text/csv");
  EXPECT_EQ((*parts)[0].body, "a,b\r\n--x-4 not a delimiter\r\n");
  EXPECT_EQ((*parts)[1].name, "mapping");
  EXPECT_EQ((*parts)[1].body, "{}");
  EXPECT_FALSE(control::parse_multipart(body.substr(0, body.size() - 10), "x-42"));  // no closing delimiter
  EXPECT_FALSE(control::parse_multipart(body, "other"));
}

TEST_F(Api, MultipartUploadWithTheMappingAsJson) {
  const auto id = make_campaign("multipart-file");
  // Column names hark would not recognise by itself: only the mapping part says what they hold.
  const std::string csv = "who;primary;secondary;ref\nAna;3125550101;3125550102;m-1\nBob;;3125550104;m-2\n";
  const std::string mapping = R"({"phoneColumns":["primary","secondary"],"nameColumn":"who","externalIdColumn":"ref"})";
  auto send = [&](const std::string& query, const std::vector<std::pair<std::string, std::string>>& parts) {
    return Api::req("POST", path(id, "/leads" + query), "campaign_admin", form("b0undary", parts),
                    "multipart/form-data; boundary=b0undary");
  };
  auto r = send("", {{"file", csv}});
  EXPECT_EQ(r.status, 422) << r.body;  // without the mapping no row has a number hark can find
  EXPECT_EQ(send("", {{"mapping", mapping}}).status, 422);  // no file part
  EXPECT_EQ(send("?phoneColumns=primary", {{"file", csv}, {"mapping", mapping}}).status, 422);  // two mappings
  r = send("", {{"file", csv}, {"mapping", R"({"phoneColumns":["primary"],"agent":"x"})"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("unknown mapping field 'agent'"), std::string::npos) << r.body;
  EXPECT_EQ(Api::req("POST", path(id, "/leads"), "campaign_admin", "--b0undary\r\nno end",
                     "multipart/form-data; boundary=b0undary").status, 400);
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE campaign_id = " + std::to_string(id)), 0);

  r = send("", {{"file", csv}, {"mapping", mapping}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("imported"), 1);
  EXPECT_EQ(r.json().at("rejectedCount"), 1);  // Bob has no main number
  EXPECT_EQ(r.json().at("rejected").at(0).at("line"), 3);
  EXPECT_EQ(r.json().at("mapping").at("phoneColumns"), (json::array{"primary", "secondary"}));
  EXPECT_EQ(r.json().at("mapping").at("nameColumn"), "who");
  EXPECT_EQ(r.json().at("mapping").at("delimiter"), ";");
  auto lead = get(path(id, "/leads"), "campaign_admin").json().at("leads").at(0);
  EXPECT_EQ(lead.at("name"), "Ana");
  EXPECT_EQ(lead.at("externalId"), "m-1");
  EXPECT_EQ(lead.at("phone"), "+13125550101");
  EXPECT_EQ(lead.at("extraPhones"), json::array{"+13125550102"});
  // The OpenAPI document offers both bodies.
  const auto doc = get("/openapi.json", "").json();
  const auto& content = doc.at("paths").at("/api/v1/campaigns/{id}/leads").at("post").at("requestBody").at("content").as_object();
  EXPECT_TRUE(content.contains("text/csv"));
  EXPECT_TRUE(content.contains("multipart/form-data"));
}

TEST_F(Api, VicidialTabFileWithTheMappingGiven) {
  const auto id = make_campaign("vicidial-file");
  const std::string csv =
      "vendor_lead_code\tphone_number\tfirst_name\tlast_name\talt_phone\n"
      "V1\t3125550101\tMary\tJones\t3125550199\n"
      "V2\tcall me\tBob\tBad\t\n"
      "V3\t3125550103\tJoe\tDoe\t\n";
  auto r = upload(id, "?phoneColumns=phone_number,alt_phone&nameColumn=first_name&externalIdColumn=vendor_lead_code", csv);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("imported"), 2);
  EXPECT_EQ(r.json().at("rejected").at(0).at("line"), 3);
  EXPECT_EQ(r.json().at("mapping").at("delimiter"), "tab");
  auto lead = get(path(id, "/leads"), "campaign_admin").json().at("leads").at(0);
  EXPECT_EQ(lead.at("name"), "Mary");
  EXPECT_EQ(lead.at("externalId"), "V1");
  EXPECT_EQ(lead.at("extraPhones"), json::array{"+13125550199"});
  EXPECT_EQ(lead.at("fields").at("last_name"), "Jones");
}

TEST_F(Api, OneLeadAsJsonDeleteAndDisable) {
  const auto id = make_campaign("single-leads");
  auto r = post(path(id, "/leads.json"), "campaign_admin",
                R"({"name":"Ana","phone":"+54 9 11 5555-0001","extraPhones":["+54 9 11 5555-0002"],"externalId":"x1","fields":{"city":"Rosario"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto lead = r.json().at("id").as_int64();
  EXPECT_EQ(r.json().at("phone"), "+5491155550001");
  EXPECT_EQ(r.json().at("extraPhones"), json::array{"+5491155550002"});
  EXPECT_EQ(r.json().at("round"), 1);
  EXPECT_EQ(post(path(id, "/leads.json"), "campaign_admin", R"({"phone":"call me"})").status, 422);
  EXPECT_EQ(post(path(id, "/leads.json"), "campaign_admin", R"({"phone":"5550003","externalId":"x1"})").status, 409);
  EXPECT_EQ(post(path(id, "/leads.json"), "campaign_supervisor", R"({"phone":"5550003"})").status, 403);

  // Disabled: never dialed, kept; enabled again: due.
  r = patch(path(id, "/leads/" + std::to_string(lead)), "campaign_admin", R"({"disabled":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().at("disabled").as_bool());
  EXPECT_TRUE(r.json().at("done").as_bool());
  EXPECT_EQ(summary(id).at("disabled"), 1);
  r = patch(path(id, "/leads/" + std::to_string(lead)), "campaign_admin", R"({"disabled":false})");
  EXPECT_FALSE(r.json().at("done").as_bool());

  // Deleted while never called; one with calls keeps its records.
  const auto called = post(path(id, "/leads.json"), "campaign_admin", R"({"phone":"5550009"})").json().at("id").as_int64();
  db->exec("INSERT INTO call_attempts (campaign_id, lead_id, number, state, result) VALUES (" + std::to_string(id) + ", " +
           std::to_string(called) + ", '5550009', 'DONE', 'BUSY')");
  EXPECT_EQ(req("DELETE", path(id, "/leads/" + std::to_string(called)), "campaign_admin").status, 409);
  EXPECT_EQ(req("DELETE", path(id, "/leads/" + std::to_string(lead)), "campaign_admin").status, 204);
  EXPECT_EQ(get(path(id, "/leads/" + std::to_string(lead)), "campaign_admin").status, 404);
  EXPECT_EQ(req("DELETE", path(id, "/leads/" + std::to_string(lead)), "campaign_admin").status, 404);
}

TEST_F(Api, RecycleIntoTheSameCampaignTwiceThenANewOneWithoutDuplicates) {
  const auto id = make_campaign("recycle-src");
  ASSERT_EQ(upload(id, "", "name,phone,external_id\nA,5550001,e1\nB,5550002,e2\nC,5550003,e3\nD,5550004,e4\nE,5550005,e5\n").status, 200);
  finish(id, "5550001", "BUSY");
  finish(id, "5550002", "NO_ANSWER");
  finish(id, "5550003", "SUCCESS");
  finish(id, "5550004", "DNC");
  const std::string body = R"({"statuses":["BUSY","NO_ANSWER"],"target":"same"})";
  // Only while stopped; DNC is never recycled.
  db->exec("UPDATE campaigns SET state = 'STARTED' WHERE id = " + std::to_string(id));
  EXPECT_EQ(post(path(id, "/recycle"), "campaign_admin", body).status, 409);
  db->exec("UPDATE campaigns SET state = 'STOPPED' WHERE id = " + std::to_string(id));
  EXPECT_EQ(post(path(id, "/recycle"), "campaign_admin", R"({"statuses":["DNC"]})").status, 422);

  auto r = post(path(id, "/recycle"), "campaign_admin", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("recycled"), 2);
  auto s = summary(id);
  EXPECT_EQ(s.at("total"), 5);
  EXPECT_EQ(s.at("byStatus").at("NOT_CALLED"), 3);  // the two recycled and E
  EXPECT_EQ(s.at("byRound"), (json::object{{"1", 3}, {"2", 2}}));
  // The attempts stay in the call log, with their round; the next one is of round 2.
  const auto lead = db->exec("SELECT id FROM leads WHERE phone = '5550001' AND campaign_id = " + std::to_string(id))[0][0].as<long long>();
  auto one = get(path(id, "/leads/" + std::to_string(lead)), "campaign_admin").json();
  EXPECT_EQ(one.at("round"), 2);
  EXPECT_EQ(one.at("attempts"), 0);
  EXPECT_EQ(one.at("status"), "NOT_CALLED");

  // A second round of the same: they are BUSY again after their round-2 calls.
  finish(id, "5550001,5550002", "BUSY");
  r = post(path(id, "/recycle"), "campaign_admin", body);
  EXPECT_EQ(r.json().at("recycled"), 2);
  s = summary(id);
  EXPECT_EQ(s.at("byRound"), (json::object{{"1", 3}, {"3", 2}}));
  EXPECT_EQ(s.at("total"), 5);
  EXPECT_EQ(sum(s.at("byStatus").as_object()), 5);  // the summary adds up
  EXPECT_EQ(sum(s.at("byRound").as_object()), 5);
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE campaign_id = " + std::to_string(id)), 5);  // no duplicate

  // Into a new campaign: copies linked to their origin, in the next round.
  finish(id, "5550001", "BUSY");
  finish(id, "5550002", "NO_ANSWER");
  r = post(path(id, "/recycle"), "campaign_admin",
           R"({"statuses":["BUSY","NO_ANSWER"],"target":{"newCampaign":{"name":"recycle-new","maxAttempts":2}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto fresh = r.json().at("campaignId").as_int64();
  EXPECT_EQ(r.json().at("recycled"), 2);
  EXPECT_EQ(r.json().at("newCampaign").at("maxAttempts"), 2);
  s = summary(fresh);
  EXPECT_EQ(s.at("total"), 2);
  EXPECT_EQ(s.at("byStatus").at("NOT_CALLED"), 2);
  EXPECT_EQ(s.at("byRound"), (json::object{{"4", 2}}));
  const auto copy = get(path(fresh, "/leads"), "campaign_admin").json().at("leads").at(0);
  EXPECT_EQ(copy.at("originLeadId"), lead);
  EXPECT_EQ(copy.at("externalId"), "e1");
  EXPECT_EQ(summary(id).at("total"), 5);  // the source keeps its leads

  // Recycling the recycled campaign into itself never duplicates ...
  finish(fresh, "5550001,5550002", "BUSY");
  EXPECT_EQ(post(path(fresh, "/recycle"), "campaign_admin", body).json().at("recycled"), 2);
  EXPECT_EQ(summary(fresh).at("total"), 2);
  // ... and a copy of the copies names the first lead of each chain: one row per contact there.
  finish(fresh, "5550001,5550002", "NO_ANSWER");
  r = post(path(fresh, "/recycle"), "campaign_admin",
           R"({"statuses":["NO_ANSWER"],"target":{"newCampaign":{"name":"recycle-new-2"}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto third = r.json().at("campaignId").as_int64();
  EXPECT_EQ(r.json().at("recycled"), 2);
  EXPECT_EQ(summary(third).at("byRound"), (json::object{{"6", 2}}));
  EXPECT_EQ(count("SELECT count(*) FROM leads l JOIN leads o ON o.id = l.root_lead_id WHERE l.campaign_id = " +
                  std::to_string(third) + " AND o.campaign_id = " + std::to_string(id)), 2);
  // ... and the schema refuses a second row of one contact in a campaign, whatever the route.
  EXPECT_THROW(db->exec("INSERT INTO leads (campaign_id, phone, origin_lead_id, root_lead_id) SELECT campaign_id, phone, id, "
                        "root_lead_id FROM leads WHERE campaign_id = " + std::to_string(fresh) + " LIMIT 1"),
               pqxx::unique_violation);
}

TEST_F(Api, ACopiedCampaignsLeadsAreNewInTheirRoundBeforeTheyHaveDialingRowsAndAreClaimedOnceStarted) {
  // A recycle's copies get their dialing rows when their campaign starts (migration 0023):
  // until then a lead without one counts, lists and changes as a new lead of its round.
  const auto id = make_campaign("lazy-src");
  ASSERT_EQ(upload(id, "", "name,phone\nA,5550001\nB,5550002\nC,5550003\nD,5550004\n").status, 200);
  finish(id, "5550001,5550002,5550003", "BUSY");
  finish(id, "5550004", "SUCCESS");
  auto r = post(path(id, "/recycle"), "campaign_admin", R"({"statuses":["BUSY"],"target":{"newCampaign":{"name":"lazy-new"}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto fresh = r.json().at("campaignId").as_int64();
  const auto fs = std::to_string(fresh);
  EXPECT_EQ(r.json().at("recycled"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM lead_dialing WHERE campaign_id = " + fs), 0);
  EXPECT_EQ(count("SELECT count(*) FROM campaigns WHERE dialing_rows_pending AND id = " + fs), 1);
  // An upload into it waits the same way.
  ASSERT_EQ(upload(fresh, "", "name,phone\nE,5550005\n").status, 200);
  auto s = summary(fresh);
  EXPECT_EQ(s.at("total"), 4);
  EXPECT_EQ(s.at("byStatus").at("NOT_CALLED"), 4);
  EXPECT_EQ(sum(s.at("byStatus").as_object()), 4);
  EXPECT_EQ(s.at("byRound"), (json::object{{"1", 1}, {"2", 3}}));
  const auto page = get(path(fresh, "/leads?status=NOT_CALLED"), "campaign_admin").json();
  EXPECT_EQ(page.at("total"), 4);
  EXPECT_EQ(page.at("leads").at(0).at("round"), 2);
  EXPECT_EQ(page.at("leads").at(0).at("status"), "NOT_CALLED");
  EXPECT_EQ(page.at("leads").at(0).at("attempts"), 0);
  // One of them disabled: its row is made for it, the others still wait.
  const auto b = db->exec("SELECT id FROM leads WHERE phone = '5550002' AND campaign_id = " + fs)[0][0].as<long long>();
  r = req("PATCH", path(fresh, "/leads/" + std::to_string(b)), "campaign_admin", R"({"disabled":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("disabled"), true);
  EXPECT_EQ(r.json().at("round"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM lead_dialing WHERE campaign_id = " + fs), 1);
  s = summary(fresh);
  EXPECT_EQ(s.at("disabled"), 1);
  EXPECT_EQ(sum(s.at("byStatus").as_object()), 4);  // the summary adds up
  EXPECT_EQ(sum(s.at("byRound").as_object()), 4);

  // Started: every lead has its row, and the runner claims the new ones in id order (the
  // first two of the three it may call; within one claim the rows come in no set order).
  ASSERT_EQ(post(path(fresh, "/start"), "campaign_admin").status, 200);
  EXPECT_EQ(count("SELECT count(*) FROM lead_dialing WHERE campaign_id = " + fs), 4);
  EXPECT_EQ(count("SELECT count(*) FROM lead_dialing WHERE round = 2 AND campaign_id = " + fs), 3);
  EXPECT_EQ(count("SELECT count(*) FROM campaigns WHERE dialing_rows_pending AND id = " + fs), 0);
  auto conn = sql::open_prepared(db->url());
  pqxx::work tx(*conn);
  std::vector<std::string> claimed;
  for (auto& l : sql::claim_leads(tx, fresh, 2)) claimed.push_back(l.phone);
  std::sort(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed, (std::vector<std::string>{"5550001", "5550003"}));
  ASSERT_EQ(sql::claim_leads(tx, fresh, 10).size(), 1u);  // and then E; never the disabled B
}

TEST_F(Api, ThreeNumbersFirstBusySecondAnswersEndsSuccessAndTheCallLogShowsBoth) {
  auto b = campaign_body("every-number", g1);
  b["dialEveryNumber"] = true;
  auto created = post("/api/v1/campaigns", "campaign_admin", json::serialize(b));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = created.json().at("id").as_int64();
  ASSERT_EQ(upload(id, "?phoneColumns=tel1,tel2,tel3", "name;tel1;tel2;tel3\nAna;3125550101;3125550102;3125550103\n").status, 200);
  // The runner's store calls on the real database: claim, dial, finish, with the next number
  // the runner's rule picks (runner_rules next_number: after BUSY, the next one, due at once).
  auto conn = sql::open_prepared(db->url());
  auto call = [&](const std::string& result, bool done) {
    pqxx::work tx(*conn);
    auto claimed = sql::claim_leads(tx, id, 10);
    EXPECT_EQ(claimed.size(), 1u);
    if (claimed.empty()) return std::string();
    sql::AttemptEnd e;
    e.attempt_id = sql::start_attempt(tx, id, claimed[0], "me");
    tx.commit();
    e.answered = done, e.result = result, e.cause = result;
    const auto next = control::next_number(result, claimed[0].phone_index, claimed[0].numbers, true);
    EXPECT_TRUE(sql::finish_attempt(*conn, e, sql::LeadOutcome{claimed[0].id, result, done, 0, true, next.phone_index}));
    return claimed[0].phone;
  };
  EXPECT_EQ(call("BUSY", false), "+13125550101");
  EXPECT_EQ(call("SUCCESS", true), "+13125550102");
  const auto lead = get(path(id, "/leads"), "campaign_admin").json().at("leads").at(0);
  EXPECT_EQ(lead.at("status"), "SUCCESS");
  EXPECT_EQ(lead.at("attempts"), 2);
  auto calls = get(path(id, "/calls"), "campaign_supervisor").json().at("calls").as_array();
  ASSERT_EQ(calls.size(), 2u);
  std::vector<std::string> log;
  for (auto& c : calls) log.push_back(std::string(c.at("number").as_string()) + ":" + std::string(c.at("result").as_string()));
  std::sort(log.begin(), log.end());
  EXPECT_EQ(log, (std::vector<std::string>{"+13125550101:BUSY", "+13125550102:SUCCESS"}));
  EXPECT_EQ(summary(id).at("byStatus").at("SUCCESS"), 1);
}

TEST_F(Api, ACallbackIsDueAtItsTimeAheadOfTheOtherDueLeads) {
  // All day in a zone where it is noon: "a minute ago" and "tomorrow at noon" are in its hours
  // at whatever hour the test runs.
  auto b = all_day_campaign_body("callbacks", g1);
  const std::string zone(b.at("timeZone").as_string());
  auto created = post("/api/v1/campaigns", "campaign_admin", json::serialize(b));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = created.json().at("id").as_int64();
  ASSERT_EQ(upload(id, "", "name,phone\nA,5550001\nB,5550002\nC,5550003\nD,5550004\n").status, 200);
  const auto ids = db->exec("SELECT id FROM leads WHERE campaign_id = " + std::to_string(id) + " ORDER BY id");
  const auto lead = [&](int i) { return std::to_string(ids[i][0].as<long long>()); };
  db->exec("UPDATE leads SET status = 'BUSY', attempts = 1, next_attempt_at = now() - interval '1 hour' WHERE id = " + lead(1));
  const auto now = db->exec("SELECT to_char(now() AT TIME ZONE 'UTC' - interval '1 minute', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                            "to_char(((now() AT TIME ZONE '" + zone + "')::date + 1 + time '12:00') AT TIME ZONE '" + zone +
                            "' AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                            "to_char(now() AT TIME ZONE 'UTC' + interval '400 days', 'YYYY-MM-DD\"T\"12:00:00\"Z\"')")[0];
  const std::string due = now[0].as<std::string>(), tomorrow = now[1].as<std::string>(), outside = now[2].as<std::string>();

  auto r = post(path(id, "/leads/" + lead(3) + "/callback"), "campaign_admin", R"({"at":")" + due + R"(","agent":"maria"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("callbackAgent"), "maria");
  EXPECT_FALSE(r.json().at("callbackAt").is_null());
  EXPECT_EQ(post(path(id, "/leads/" + lead(2) + "/callback"), "campaign_admin", R"({"at":")" + tomorrow + R"("})").status, 200);
  EXPECT_EQ(post(path(id, "/leads/" + lead(0) + "/callback"), "campaign_admin", R"({"at":")" + outside + R"("})").status, 422);
  EXPECT_EQ(post(path(id, "/leads/" + lead(0) + "/callback"), "campaign_admin", R"({"at":"next tuesday"})").status, 422);
  // The agent becomes a transfer target: nothing that could break out of a SIP URI.
  r = post(path(id, "/leads/" + lead(0) + "/callback"), "campaign_admin", R"({"at":")" + due + R"(","agent":"maria>;x=1"})");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.error_field(), "agent");
  EXPECT_EQ(summary(id).at("callbacksPending"), 2);

  // The runner's claim: the due callback first, then the overdue retry, then lead A; the
  // callback of tomorrow waits for its time.
  auto conn = sql::open_prepared(db->url());
  pqxx::work tx(*conn);
  std::vector<std::string> claimed, agents;
  for (auto& l : sql::claim_leads(tx, id, 10)) claimed.push_back(l.phone), agents.push_back(l.callback_agent);
  EXPECT_EQ(claimed, (std::vector<std::string>{"5550004", "5550002", "5550001"}));
  // The callback's agent rides with its claim (the runner transfers a person there, not to the
  // pilot); the other claims have none.
  EXPECT_EQ(agents, (std::vector<std::string>{"maria", "", ""}));
}

TEST_F(Api, ACloneHasTheSettingsScheduleAndDoNotCallChoiceButNoLeads) {
  auto list = post("/api/v1/dnc/lists", "campaign_admin", json::serialize(json::object{{"name", "clone-dnc"}, {"groupId", g1}}));
  ASSERT_EQ(list.status, 201) << list.body;
  auto b = campaign_body("clone-src", g1);
  b["dncListId"] = list.json().at("id");
  b["retryRules"] = json::object{{"BUSY", json::object{{"maxAttempts", 3}}}};
  b["dialEveryNumber"] = true;
  const auto src = post("/api/v1/campaigns", "campaign_admin", json::serialize(b)).json().at("id").as_int64();
  ASSERT_EQ(upload(src, "", "A,5550001\n").status, 200);
  auto r = post(path(src, "/clone"), "campaign_admin", R"({"name":"clone-copy"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto copy = r.json().as_object();
  const auto orig = get(path(src), "campaign_admin").json().as_object();
  for (const char* k : {"dncListId", "retryRules", "dialEveryNumber", "startTime", "endTime", "weekdays", "endDate",
                        "pilotNumber", "maxAttempts", "amdParams"})
    EXPECT_EQ(copy.at(k), orig.at(k)) << k;
  EXPECT_EQ(copy.at("state"), "STOPPED");
  EXPECT_EQ(copy.at("schedules").as_array().size(), get(path(src, "/schedules"), "campaign_admin").json().at("schedules").as_array().size());
  EXPECT_EQ(summary(copy.at("id").as_int64()).at("total"), 0);
  EXPECT_EQ(post(path(src, "/clone"), "campaign_admin", R"({"name":"clone-copy"})").status, 409);  // name taken
  EXPECT_EQ(post(path(src, "/clone"), "campaign_supervisor", "{}").status, 403);
  EXPECT_EQ(post(path(src, "/clone"), "admin2", "{}").status, 404);  // another group's campaign
}

}  // namespace
