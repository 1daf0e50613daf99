// Trunks in the API (issue 15): a campaign names a configured trunk group (422 otherwise),
// /healthz and /metrics show each trunk's state, and GET /api/v1/logs is the master's alone.
#include <gtest/gtest.h>

#include "control/api_fixture.h"

using namespace hark;
using test::Api;
namespace json = boost::json;

TEST_F(Api, ACampaignNamesAConfiguredTrunkGroupOr422) {
  auto body = campaign_body("trunked", g1);
  body["trunkGroup"] = "nope";
  auto r = post("/api/v1/campaigns", "campaign_admin", json::serialize(body));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.error_field(), "trunkGroup");
  EXPECT_NE(r.body.find("main, backup"), std::string::npos) << r.body;
  body["trunkGroup"] = "backup";
  r = post("/api/v1/campaigns", "campaign_admin", json::serialize(body));
  ASSERT_EQ(r.status, 201) << r.body;
  const auto id = r.json().at("id").as_int64();
  EXPECT_EQ(get("/api/v1/campaigns/" + std::to_string(id), "campaign_admin").json().at("trunkGroup").as_string(), "backup");
  r = patch("/api/v1/campaigns/" + std::to_string(id), "campaign_admin", R"({"trunkGroup":"elsewhere"})");
  EXPECT_EQ(r.status, 422) << r.body;
  r = patch("/api/v1/campaigns/" + std::to_string(id), "campaign_admin", R"({"trunkGroup":""})");
  EXPECT_EQ(r.status, 200) << r.body;  // empty: the configuration's first group
}

TEST_F(Api, HealthAndMetricsShowEachTrunksState) {
  auto h = get("/healthz", "");
  ASSERT_EQ(h.status, 200) << h.body;
  const auto doc = h.json();
  const auto& t = doc.at("trunks").as_array().at(0).as_object();
  EXPECT_EQ(t.at("name").as_string(), "carrier-a");
  EXPECT_EQ(t.at("reachable").as_bool(), false);
  EXPECT_EQ(t.at("registered").as_bool(), true);
  EXPECT_EQ(t.at("callsUp").as_int64(), 2);
  const auto m = get("/metrics", "").body;
  EXPECT_NE(m.find("hark_trunk_reachable{trunk=\"carrier-a\"} 0"), std::string::npos) << m;
  EXPECT_NE(m.find("hark_trunk_registered{trunk=\"carrier-a\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("hark_trunk_calls_up{trunk=\"carrier-a\"} 2"), std::string::npos) << m;
}

TEST_F(Api, LogsAreTheMastersAndNeedALogFile) {
  EXPECT_EQ(get("/api/v1/logs", "campaign_admin").status, 403);
  EXPECT_EQ(get("/api/v1/logs", "master").status, 404);  // no [log] file in this server's options
  EXPECT_NE(get("/openapi.json", "").body.find("/api/v1/logs"), std::string::npos);
}
