// Calling hours through the REST API on a real PostgreSQL (issue 18 part 4): the campaign
// setting callingHours, the zones an upload records, zones filled in at start for leads without,
// and the summary's leads waiting for their window.
#include <gtest/gtest.h>

#include "control/api_fixture.h"

using namespace hark;
using test::Api;
namespace json = boost::json;

namespace {

std::string path(long long id, const std::string& tail = "") { return "/api/v1/campaigns/" + std::to_string(id) + tail; }

std::string zones_of(long long campaign, const std::string& phone) {
  auto r = Api::db->exec("SELECT COALESCE(time_zones::text, 'NULL') FROM leads WHERE campaign_id = " +
                         std::to_string(campaign) + " AND phone = '" + phone + "'");
  return r.empty() ? "no such lead" : r[0][0].as<std::string>();
}

/// HH:MM in `zone`, `hours` from now.
std::string local_time(const std::string& zone, int hours) {
  return Api::db->exec("SELECT to_char((now() AT TIME ZONE '" + zone + "') + make_interval(hours => " +
                       std::to_string(hours) + "), 'HH24:MI')")[0][0].as<std::string>();
}

}  // namespace

TEST_F(Api, CallingHoursSettingUploadZonesAndTheLeadsWaitingForTheirWindow) {
  const auto id = make_campaign("calling-hours");
  EXPECT_TRUE(get(path(id), "campaign_admin").json().at("callingHours").is_null());  // off by default
  EXPECT_EQ(patch(path(id), "campaign_admin", R"({"callingHours": {"start": "08:00", "end": "8:00"}})").status, 422);
  EXPECT_EQ(patch(path(id), "campaign_admin", R"({"callingHours": {"start": "08:00", "end": "08:00"}})").status, 422);

  // An upload records each lead's zones from its numbers.
  auto r = Api::req("POST", path(id, "/leads"), "campaign_admin",
                    "name,phone\nny,+12125551234\nla,+13105551234\nlondon,+442079460000\n", "text/csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(zones_of(id, "+12125551234"), "{America/New_York}");
  EXPECT_EQ(zones_of(id, "+13105551234"), "{America/Los_Angeles}");
  EXPECT_EQ(zones_of(id, "+442079460000"), "{Europe/London}");
  // A lead from before the zones were kept: none recorded.
  Api::db->exec("INSERT INTO leads (campaign_id, phone) VALUES (" + std::to_string(id) + ", '+12125550000')");
  EXPECT_EQ(zones_of(id, "+12125550000"), "NULL");

  // Two hours around New York's time now: Los Angeles (3 h behind) and London (5 h ahead) wait.
  const auto hours = json::object{{"start", local_time("America/New_York", -1)}, {"end", local_time("America/New_York", 1)}};
  r = patch(path(id), "campaign_admin", json::serialize(json::object{{"callingHours", hours}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("callingHours"), hours);
  ASSERT_EQ(post(path(id, "/start"), "campaign_admin").status, 200);
  EXPECT_EQ(zones_of(id, "+12125550000"), "{America/New_York}");  // filled in at start
  const auto listed = get(path(id, "/leads"), "campaign_admin").json().at("leads").as_array();
  ASSERT_EQ(listed.size(), 4u);
  EXPECT_EQ(listed[1].at("timeZones"), (json::array{"America/Los_Angeles"}));  // GET .../leads shows them

  const auto leads = get(path(id, "/summary"), "campaign_supervisor").json().at("leads").as_object();
  EXPECT_EQ(leads.at("waitingForWindow"), 2);
  ASSERT_TRUE(leads.at("windowOpensAt").is_string()) << json::serialize(leads);
  EXPECT_EQ(leads.at("windowOpensAt").as_string().size(), 20u);  // 2026-12-02T08:00:00Z

  // Off again: nobody waits.
  ASSERT_EQ(post(path(id, "/stop"), "campaign_admin").status, 200);
  ASSERT_EQ(patch(path(id), "campaign_admin", R"({"callingHours": null})").status, 200);
  const auto after = get(path(id, "/summary"), "campaign_supervisor").json().at("leads").as_object();
  EXPECT_EQ(after.at("waitingForWindow"), 0);
  EXPECT_TRUE(after.at("windowOpensAt").is_null());
}
