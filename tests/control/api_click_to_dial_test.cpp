// Click-to-dial (POST /api/v1/calls, issue 16) against a real PostgreSQL, up to the runner: who
// may place a call, how the number is read and checked, which campaign and lead the call is
// logged under, and what the runner is asked to place. The runner here records the request and
// answers it; the SIP side (agent first, customer first, hang-up) is in click_to_dial_sip_test.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "control/api_fixture.h"
#include "control/campaign/call_command_listener.h"

using namespace hark;
namespace json = boost::json;
using test::Api;

namespace {

/// A runner that records each click-to-dial and answers it with `answer_id` (0: refuses).
struct RecordingRunner : test::FakeRunner {
  std::mutex mu;
  std::vector<control::ClickToDial> asked;
  long long answer_id = 4242;
  void place_call(control::ClickToDial req, control::ClickPlaced done) override {
    {
      std::lock_guard lk(mu);
      asked.push_back(req);
    }
    if (answer_id) done(answer_id, "");
    else done(0, "the database is unreachable");
  }
  control::ClickToDial last() {
    std::lock_guard lk(mu);
    return asked.empty() ? control::ClickToDial{} : asked.back();
  }
  size_t count() {
    std::lock_guard lk(mu);
    return asked.size();
  }
};

struct ClickToDial : Api {
  static inline RecordingRunner runner;
  static inline long long campaign = 0, other = 0;

  static void SetUpTestSuite() {
    Api::SetUpTestSuite();
    server->set_runner(&runner);
    campaign = make_campaign("click");  // g1, defaultRegion US, internalLength 7
    other = make_campaign("click-g2", g2, "admin2");
  }
  void SetUp() override {
    Api::SetUp();
    runner.answer_id = 4242;
  }
  static test::HttpResult dial(const std::string& who, json::object body) {
    return post("/api/v1/calls", who, json::serialize(body));
  }
  static long long user_id(const std::string& name) {
    return db->exec("SELECT id FROM users WHERE username = '" + name + "'")[0][0].as<long long>();
  }
};

TEST_F(ClickToDial, OnlyAdminsAndAgentsPlaceCalls) {
  const json::object body{{"number", "+1 201 555 0123"}, {"campaignId", campaign}};
  EXPECT_EQ(dial("campaign_supervisor", body).status, 403);
  EXPECT_EQ(dial("group_manager", body).status, 403);
  EXPECT_EQ(dial("master", body).status, 403);
  const auto before = runner.count();
  EXPECT_EQ(dial("campaign_admin", body).status, 201);
  EXPECT_EQ(dial("agent", body).status, 201);
  EXPECT_EQ(runner.count(), before + 2);
}

TEST_F(ClickToDial, BadInputIsRefusedNamingTheField) {
  const auto before = runner.count();
  auto r = dial("campaign_admin", {{"number", "call me"}, {"campaignId", campaign}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json().at("error").at("field"), "number");
  r = dial("campaign_admin", {{"number", "+999 1234 5678"}, {"campaignId", campaign}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("country code"), std::string::npos) << r.body;
  r = dial("campaign_admin", {{"number", "+12015550123"}});  // neither agent nor campaign
  EXPECT_EQ(r.status, 422) << r.body;
  r = dial("campaign_admin", {{"number", "+12015550123"}, {"agent", "1000<script>"}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json().at("error").at("field"), "agent");
  r = dial("campaign_admin", {{"number", "+12015550123"}, {"campaignId", campaign}, {"bogus", 1}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(runner.count(), before);  // nothing was placed
}

TEST_F(ClickToDial, AnotherGroupsCampaignOrLeadIs404) {
  const auto before = runner.count();
  EXPECT_EQ(dial("campaign_admin", {{"number", "+12015550123"}, {"campaignId", other}}).status, 404);
  EXPECT_EQ(dial("agent", {{"number", "+12015550123"}, {"campaignId", other}}).status, 404);
  EXPECT_EQ(dial("campaign_admin", {{"number", "+12015550123"}, {"campaignId", 999999}}).status, 404);
  EXPECT_EQ(dial("agent", {{"number", "+12015550123"}, {"agent", "1000"}, {"groupId", g2}}).status, 404);
  const auto lead2 = db->exec("INSERT INTO leads (campaign_id, phone) VALUES (" + std::to_string(other) +
                              ", '+12015550999') RETURNING id")[0][0].as<long long>();
  EXPECT_EQ(dial("campaign_admin", {{"number", "+12015550123"}, {"leadId", lead2}}).status, 404);
  // A lead of another campaign than the one named.
  EXPECT_EQ(dial("admin2", {{"number", "+12015550123"}, {"leadId", lead2}, {"campaignId", other + 100000}}).status, 404);
  EXPECT_EQ(runner.count(), before);
}

TEST_F(ClickToDial, ANumberOnTheDoNotCallListIsRefused) {
  const auto c = make_campaign("click-dnc");
  const auto list = post("/api/v1/dnc/lists", "campaign_admin", R"({"name":"click-dnc"})").json().at("id").as_int64();
  ASSERT_EQ(req("PUT", "/api/v1/dnc/lists/" + std::to_string(list) + "/numbers/2015554444", "campaign_admin").status, 200);
  ASSERT_EQ(patch("/api/v1/campaigns/" + std::to_string(c), "campaign_admin",
                  json::serialize(json::object{{"dncListId", list}})).status, 200);
  const auto before = runner.count();
  // Written another way, the same E.164 number.
  auto r = dial("agent", {{"number", "(201) 555-4444"}, {"campaignId", c}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.error_code(), "do_not_call");
  EXPECT_EQ(runner.count(), before);
  EXPECT_EQ(dial("agent", {{"number", "(201) 555-4445"}, {"campaignId", c}}).status, 201);
}

TEST_F(ClickToDial, CustomerFirstLogsTheCallUnderANewDoneLeadOfTheCampaign) {
  auto r = dial("campaign_admin", {{"number", "+1 (201) 555-0123"}, {"campaignId", campaign}});
  ASSERT_EQ(r.status, 201) << r.body;
  const auto j = r.json();
  EXPECT_EQ(j.at("id").as_int64(), 4242);  // the runner's answer: the attempt id
  EXPECT_EQ(j.at("mode"), "customer_first");
  EXPECT_EQ(j.at("number"), "+12015550123");
  const auto asked = runner.last();
  EXPECT_EQ(asked.campaign_id, campaign);
  EXPECT_EQ(asked.number, "+12015550123");
  EXPECT_TRUE(asked.agent.empty());
  EXPECT_EQ(asked.placed_by, user_id("adm"));
  EXPECT_TRUE(asked.new_lead);
  EXPECT_EQ(j.at("leadId").as_int64(), asked.lead_id);
  // The lead exists, is done (campaign dialing never takes it) and says where it came from.
  const auto lead = db->exec("SELECT campaign_id, phone, done, fields->>'source' FROM leads WHERE id = " +
                             std::to_string(asked.lead_id));
  ASSERT_EQ(lead.size(), 1u);
  EXPECT_EQ(lead[0][0].as<long long>(), campaign);
  EXPECT_EQ(lead[0][1].as<std::string>(), "+12015550123");
  EXPECT_TRUE(lead[0][2].as<bool>());
  EXPECT_EQ(lead[0][3].as<std::string>(), "click-to-dial");
}

TEST_F(ClickToDial, AGivenLeadIsUsedAsItIs) {
  const auto lead = db->exec("INSERT INTO leads (campaign_id, phone) VALUES (" + std::to_string(campaign) +
                             ", '+12015550177') RETURNING id")[0][0].as<long long>();
  auto r = dial("agent", {{"number", "+12015550177"}, {"leadId", lead}, {"agent", "1001"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const auto asked = runner.last();
  EXPECT_EQ(asked.campaign_id, campaign);  // the lead's
  EXPECT_EQ(asked.lead_id, lead);
  EXPECT_FALSE(asked.new_lead);
  EXPECT_EQ(asked.agent, "1001");
  EXPECT_EQ(r.json().at("mode"), "agent_first");
  EXPECT_FALSE(db->exec("SELECT done FROM leads WHERE id = " + std::to_string(lead))[0][0].as<bool>());
}

TEST_F(ClickToDial, AgentFirstWithoutACampaignUsesTheGroupsClickToDialCampaign) {
  auto r = dial("agent", {{"number", "+12015550188"}, {"agent", "1000123"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const auto first = runner.last();
  EXPECT_EQ(first.agent, "1000123");
  EXPECT_EQ(first.placed_by, user_id("agt"));
  const auto row = db->exec("SELECT name, group_id, state FROM campaigns WHERE id = " + std::to_string(first.campaign_id));
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0][0].as<std::string>(), "click-to-dial (group " + std::to_string(g1) + ")");
  EXPECT_EQ(row[0][1].as<long long>(), g1);
  EXPECT_EQ(row[0][2].as<std::string>(), "STOPPED");  // never started: the runner never dials it
  // Made once: the next call goes to the same campaign.
  ASSERT_EQ(dial("campaign_admin", {{"number", "+12015550189"}, {"agent", "1000124"}}).status, 201);
  EXPECT_EQ(runner.last().campaign_id, first.campaign_id);
}

TEST_F(ClickToDial, ARunnerThatCannotPlaceTheCallIs503) {
  runner.answer_id = 0;
  auto r = dial("campaign_admin", {{"number", "+12015550123"}, {"campaignId", campaign}});
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("not placed"), std::string::npos) << r.body;
}

/// No call control in the bus test's dialing process: only its dial requests matter.
struct NoControl : control::CallControl {
  control::ControlOutcome hangup(uint64_t) override { return {501, ""}; }
  control::ControlOutcome transfer(uint64_t, const std::string&) override { return {501, ""}; }
  control::ControlOutcome hold(uint64_t) override { return {501, ""}; }
  control::ControlOutcome resume(uint64_t) override { return {501, ""}; }
  control::ControlOutcome consult(uint64_t, const std::string&) override { return {501, ""}; }
  control::ControlOutcome complete_consult(uint64_t) override { return {501, ""}; }
  control::ControlOutcome cancel_consult(uint64_t) override { return {501, ""}; }
};

TEST_F(ClickToDial, AProcessWithoutARunnerSendsTheRequestToADialingOne) {
  // This server stands for an API-only process; the "dialing process" is a command listener
  // whose runner is the recording one, answering with call id 777.
  server->set_runner(nullptr);
  runner.answer_id = 777;
  NoControl none;
  control::CallCommandListener dialing(db->url(), "dialer-x", [](long long) { return std::nullopt; }, none);
  dialing.on_dial([](control::ClickToDial req, control::ClickPlaced done) { runner.place_call(std::move(req), std::move(done)); });
  dialing.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!dialing.listening() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(dialing.listening());
  auto r = dial("agent", {{"number", "+1 201 555 0166"}, {"campaignId", campaign}});
  dialing.stop();
  server->set_runner(&runner);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("id").as_int64(), 777);
  const auto asked = runner.last();
  EXPECT_EQ(asked.number, "+12015550166");
  EXPECT_EQ(asked.campaign_id, campaign);
  EXPECT_EQ(asked.placed_by, user_id("agt"));
  EXPECT_TRUE(asked.new_lead);
  EXPECT_EQ(r.json().at("leadId").as_int64(), asked.lead_id);
}

TEST_F(ClickToDial, WithoutADialingProcessItIs503) {
  // No runner here and no dialing process listening: nobody answers within the wait (0.5 s
  // here rather than the 5 s default: nobody could answer at all).
  server->set_runner(nullptr);
  server->services().command_timeout_ms = 500;
  auto r = dial("campaign_admin", {{"number", "+12015550123"}, {"campaignId", campaign}});
  server->services().command_timeout_ms = 5000;
  server->set_runner(&runner);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.error_code(), "no_dialing_process");
}

}  // namespace
