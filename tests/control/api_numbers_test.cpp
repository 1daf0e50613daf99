// Issue 15, numbers: leads and do-not-call numbers through the REST API and a real PostgreSQL,
// parsed once at import with the campaign's (or list's) defaultRegion, stored as E.164 with the
// raw text kept; invalid numbers rejected by line with their reason; DNC matching on E.164.
#include <gtest/gtest.h>

#include <set>

#include "api_fixture.h"
#include "control/campaign/dnc_index.h"
#include "sql/db_pool.h"

namespace hark::test {
namespace {

struct ApiNumbers : Api {
  /// A stopped campaign reading numbers from `region` (4-digit extensions).
  static std::string campaign(const std::string& name, const std::string& region) {
    auto b = campaign_body(name, g1);
    b["defaultRegion"] = region;
    b["internalLength"] = 4;
    auto r = post("/api/v1/campaigns", "campaign_admin", json::serialize(b));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::to_string(r.json().at("id").as_int64()) : "0";
  }
  static test::HttpResult upload(const std::string& id, const std::string& csv) {
    return req("POST", "/api/v1/campaigns/" + id + "/leads", "campaign_admin", csv, "text/csv");
  }
  /// phone -> phone_raw of the campaign's leads, as stored.
  static std::map<std::string, std::string> stored(const std::string& id) {
    std::map<std::string, std::string> out;
    for (auto row : db->exec("SELECT name, phone, COALESCE(phone_raw, '') FROM leads WHERE campaign_id = " + id))
      out[row[0].as<std::string>()] = row[1].as<std::string>() + " | " + row[2].as<std::string>();
    return out;
  }
};

TEST_F(ApiNumbers, CampaignsHaveADefaultRegionAndRefuseUnknownOnes) {
  const auto id = make_campaign("numbers-default");
  auto c = get("/api/v1/campaigns/" + std::to_string(id), "campaign_admin").json();
  EXPECT_EQ(c.at("defaultRegion"), "US");
  auto b = campaign_body("numbers-bad-region", g1);
  b["defaultRegion"] = "XX";
  EXPECT_EQ(post("/api/v1/campaigns", "campaign_admin", json::serialize(b)).error_field(), "defaultRegion");
  b["defaultRegion"] = "gb";  // any case; stored upper case
  auto ok = post("/api/v1/campaigns", "campaign_admin", json::serialize(b));
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.json().at("defaultRegion"), "GB");
  const auto gb = std::to_string(ok.json().at("id").as_int64());
  auto changed = patch("/api/v1/campaigns/" + gb, "campaign_admin", R"({"defaultRegion":"BR","internalLength":5})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json().at("defaultRegion"), "BR");
  EXPECT_EQ(changed.json().at("internalLength"), 5);
}

TEST_F(ApiNumbers, LeadsInNationalInternationalAndFormattedFormsImportAsE164) {
  const auto id = campaign("numbers-gb", "GB");
  auto r = upload(id,
                  "name,phone\n"
                  "national,01615527789\n"
                  "international,+44 161 552 7789\n"
                  "no plus,441615527789\n"
                  "formatted,\"(0161) 552-7789\"\n"
                  "idd,00 44 161 552 7789\n"
                  "us,+1 (201) 555-0123\n"
                  "extension,2001\n"
                  "too short,+44 161\n"
                  "words,call me\n"
                  "bad country,+999 1234 5678\n"
                  "too long,0161 552 7789 1234 5678\n");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.json();
  EXPECT_EQ(j.at("imported"), 7);
  const auto& rejected = j.at("rejected").as_array();
  ASSERT_EQ(rejected.size(), 4u) << r.body;
  EXPECT_EQ(rejected[0], json::parse(R"({"line":9,"reason":"phone '+44 161' is too short for GB"})"));
  EXPECT_EQ(rejected[1], json::parse(R"({"line":10,"reason":"phone 'call me' is not a phone number"})"));
  EXPECT_EQ(rejected[2], json::parse(R"({"line":11,"reason":"phone '+999 1234 5678' has no valid country code"})"));
  EXPECT_EQ(rejected[3], json::parse(R"({"line":12,"reason":"phone '0161 552 7789 1234 5678' is too long for GB"})"));
  EXPECT_EQ(j.at("rejectedByReason"),
            json::parse(R"({"too_short":1,"not_a_number":1,"bad_country_code":1,"too_long":1})"));

  const auto s = stored(id);
  EXPECT_EQ(s.at("national"), "+441615527789 | 01615527789");
  EXPECT_EQ(s.at("international"), "+441615527789 | +44 161 552 7789");
  EXPECT_EQ(s.at("no plus"), "+441615527789 | 441615527789");
  EXPECT_EQ(s.at("formatted"), "+441615527789 | (0161) 552-7789");
  EXPECT_EQ(s.at("idd"), "+441615527789 | 00 44 161 552 7789");
  EXPECT_EQ(s.at("us"), "+12015550123 | +1 (201) 555-0123");
  EXPECT_EQ(s.at("extension"), "2001 | ");  // kept as written: no raw text of its own
  EXPECT_EQ(s.count("too short"), 0u);

  // The API shows both: what is dialed and what was written.
  auto lead = get("/api/v1/campaigns/" + id + "/leads?pageSize=1", "campaign_supervisor").json().at("leads").as_array()[0];
  EXPECT_EQ(lead.at("phone"), "+441615527789");
  EXPECT_EQ(lead.at("phoneRaw"), "01615527789");
  // An edit is parsed the same way; a bad one is refused with its reason.
  const auto lid = std::to_string(lead.at("id").as_int64());
  auto edited = patch("/api/v1/campaigns/" + id + "/leads/" + lid, "campaign_admin", R"({"phone":"0161 552 7790"})");
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json().at("phone"), "+441615527790");
  EXPECT_EQ(edited.json().at("phoneRaw"), "0161 552 7790");
  auto bad = patch("/api/v1/campaigns/" + id + "/leads/" + lid, "campaign_admin", R"({"phone":"+44 161"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.error_field(), "phone");
  EXPECT_NE(bad.body.find("is too short for GB"), std::string::npos) << bad.body;

  // A file with only invalid numbers imports nothing and still lists every line.
  auto none = upload(id, "a,12345\nb,nope\n");
  EXPECT_EQ(none.status, 422);
  EXPECT_EQ(none.json().at("rejected").as_array().size(), 2u);
}

// The same text is another number, or none, in another region.
TEST_F(ApiNumbers, TheCampaignsRegionReadsNationalNumbers) {
  const auto us = campaign("numbers-us", "US");
  auto r = upload(us, "gb national,01615527789\nus national,(201) 555-0123\ngb no plus,441615527789\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("imported"), 2);
  ASSERT_EQ(r.json().at("rejected").as_array().size(), 1u);
  EXPECT_EQ(r.json().at("rejected").as_array()[0].at("line"), 1);
  const auto s = stored(us);
  EXPECT_EQ(s.at("us national"), "+12015550123 | (201) 555-0123");
  EXPECT_EQ(s.at("gb no plus"), "+441615527789 | 441615527789");
}

// A do-not-call entry in one format blocks a lead written in another: the list (GB) stores
// E.164, the leads (any campaign, any form) store E.164, and the index the runner asks matches.
TEST_F(ApiNumbers, ADncEntryInOneFormatBlocksALeadWrittenInAnother) {
  auto l = post("/api/v1/dnc/lists", "campaign_admin", R"({"name":"numbers-gb","defaultRegion":"GB"})");
  ASSERT_EQ(l.status, 201) << l.body;
  EXPECT_EQ(l.json().at("defaultRegion"), "GB");
  const auto list = l.json().at("id").as_int64();
  const auto lpath = "/api/v1/dnc/lists/" + std::to_string(list) + "/numbers";
  auto up = req("POST", lpath, "campaign_admin", "number\n+44 161 552 7789\n01615527789\n+44 161\n", "text/csv");
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.json().at("added"), 1);           // two forms, one number
  EXPECT_EQ(up.json().at("alreadyListed"), 1);
  ASSERT_EQ(up.json().at("rejected").as_array().size(), 1u);
  EXPECT_EQ(up.json().at("rejected").as_array()[0],
            json::parse(R"({"line":4,"reason":"'+44 161' is too short for GB"})"));
  EXPECT_EQ(up.json().at("rejectedByReason"), json::parse(R"({"too_short":1})"));
  auto rows = db->exec("SELECT number, raw FROM dnc_numbers WHERE list_id = " + std::to_string(list));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].as<std::string>(), "+441615527789");
  EXPECT_EQ(rows[0][1].as<std::string>(), "+44 161 552 7789");

  // Leads in other forms, in a GB and a US campaign.
  const auto gb = campaign("numbers-dnc-gb", "GB"), us = campaign("numbers-dnc-us", "US");
  ASSERT_EQ(upload(gb, "national,01615527789\nother,01615527790\n").status, 200);
  ASSERT_EQ(upload(us, "no plus,441615527789\nidd,011 44 161 552 7789\n").status, 200);
  control::DncIndex index;  // as a runner process loads it
  ASSERT_GE(index.refresh(*sql::open_prepared(db->url())), 1);
  auto listed = [&](const std::string& campaign) {
    std::set<std::string> out;
    for (auto row : db->exec("SELECT name, phone FROM leads WHERE campaign_id = " + campaign))
      if (index.listed(list, row[1].as<std::string>())) out.insert(row[0].as<std::string>());
    return out;
  };
  EXPECT_EQ(listed(gb), (std::set<std::string>{"national"}));
  EXPECT_EQ(listed(us), (std::set<std::string>{"no plus", "idd"}));

  // Single checks, adds and removes read the list's region too.
  auto check = [&](const std::string& n) { return get(lpath + "/" + n, "campaign_supervisor").json().at("doNotCall"); };
  EXPECT_EQ(check("441615527789"), true);
  EXPECT_EQ(check("%2B441615527789"), true);
  EXPECT_EQ(check("01615527790"), false);
  EXPECT_EQ(req("PUT", lpath + "/01615527790", "campaign_admin").status, 200);
  EXPECT_EQ(check("%2B441615527790"), true);
  EXPECT_EQ(req("DELETE", lpath + "/441615527790", "campaign_admin").status, 200);
  EXPECT_EQ(check("01615527790"), false);
  EXPECT_EQ(get(lpath + "/%2B44%20161", "campaign_admin").status, 422);
  // The integrated service: every visible list, each read with its own region.
  EXPECT_EQ(post("/donotcall", "campaign_supervisor", R"({"number":"01615527789"})").json().at("doNotCall"), true);
  EXPECT_EQ(post("/donotcall", "campaign_supervisor", R"({"number":"+44 161 552 7789"})").json().at("doNotCall"), true);
  EXPECT_EQ(post("/donotcall", "campaign_supervisor", R"({"number":"+44 161 552 7790"})").json().at("doNotCall"), false);
  EXPECT_EQ(post("/donotcall", "campaign_supervisor", R"({"number":"call me"})").status, 422);
  EXPECT_EQ(post("/api/v1/dnc/lists", "campaign_admin", R"({"name":"numbers-xx","defaultRegion":"XX"})").error_field(),
            "defaultRegion");
}

// Rows stored before migration 0009 (digits, no raw text) still read and match.
TEST_F(ApiNumbers, RowsFromBeforeTheMigrationStillMatch) {
  const auto id = campaign("numbers-legacy", "GB");
  db->exec("INSERT INTO leads (campaign_id, name, phone) VALUES (" + id + ", 'old', '441615527789')");
  auto lead = get("/api/v1/campaigns/" + id + "/leads", "campaign_supervisor").json().at("leads").as_array()[0];
  EXPECT_EQ(lead.at("phone"), "441615527789");
  EXPECT_EQ(lead.at("phoneRaw"), "441615527789");  // NULL raw text reads as the phone
  auto l = post("/api/v1/dnc/lists", "campaign_admin", R"({"name":"numbers-legacy","defaultRegion":"GB"})");
  const auto list = std::to_string(l.json().at("id").as_int64());
  db->exec("INSERT INTO dnc_numbers (list_id, number) VALUES (" + list + ", '441615527789')");
  db->exec("UPDATE dnc_lists SET version = version + 1 WHERE id = " + list);
  control::DncIndex index;
  index.refresh(*sql::open_prepared(db->url()));
  EXPECT_TRUE(index.listed(std::stoll(list), "+441615527789"));  // the index compares digits
  // Removing the number in its new form removes the old row too.
  EXPECT_EQ(req("DELETE", "/api/v1/dnc/lists/" + list + "/numbers/01615527789", "campaign_admin").status, 200);
  EXPECT_EQ(db->exec("SELECT count(*) FROM dnc_numbers WHERE list_id = " + list)[0][0].as<int>(), 0);
}

}  // namespace
}  // namespace hark::test
