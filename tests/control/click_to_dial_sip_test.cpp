// Click-to-dial end to end (issue 16 part 2): POST /api/v1/calls on a control server whose
// process dials (a real CampaignRunner on PostgreSQL driving hark's SipAgent), the callee
// simulator as the carrier (fixtures/callee-map.txt). Agent first: the agent's extension rings
// and answers, then receives the REFER to the customer's number; customer first: the AMD hears a
// person, who is referred to the campaign's pilot; an agent sees the call it placed and hangs it
// up through the command bus. Loopback addresses 127.0.0.200 (hark) and 127.0.0.201 (carrier).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "control/api_fixture.h"
#include "control/campaign/call_command_listener.h"
#include "control/campaign/campaign_runner.h"
#include "media/media_engine.h"
#include "test_media.h"
#include "signaling/callee_simulator.h"
#include "test_paths.h"

using namespace hark;
namespace json = boost::json;
using namespace std::chrono_literals;
using test::Api;

namespace {

using test::engine_on;

/// What call control does on this process's SipAgent (hang-up and blind transfer; the rest is
/// not this test's).
struct AgentControl : control::CallControl {
  signaling::SipAgent& a;
  explicit AgentControl(signaling::SipAgent& agent) : a(agent) {}
  control::ControlOutcome hangup(uint64_t id) override { return a.hangup(id), control::ControlOutcome{}; }
  control::ControlOutcome transfer(uint64_t id, const std::string& t) override { return a.transfer(id, t), control::ControlOutcome{}; }
  control::ControlOutcome hold(uint64_t) override { return {501, "no"}; }
  control::ControlOutcome resume(uint64_t) override { return {501, "no"}; }
  control::ControlOutcome consult(uint64_t, const std::string&) override { return {501, "no"}; }
  control::ControlOutcome complete_consult(uint64_t) override { return {501, "no"}; }
  control::ControlOutcome cancel_consult(uint64_t) override { return {501, "no"}; }
};

struct ClickToDialSip : Api {
  static inline std::unique_ptr<media::MediaEngine> carrier_media, media;
  static inline std::unique_ptr<signaling::CalleeSimulator> sim;
  static inline std::unique_ptr<signaling::SipAgent> agent;
  static inline control::DncIndex dnc;
  static inline control::Metrics metrics;
  static inline std::unique_ptr<control::CampaignRunner> runner;
  static inline std::unique_ptr<AgentControl> call_control;
  static inline std::unique_ptr<control::CallCommandListener> commands;

  static void SetUpTestSuite() {
    Api::SetUpTestSuite();
    carrier_media = engine_on("127.0.0.201", 20000, 20999, 100);
    std::vector<signaling::CalleeRule> rules;
    ASSERT_TRUE(signaling::read_callee_rules(hark::test::source_file("fixtures/callee-map.txt"), rules).empty());
    sim = std::make_unique<signaling::CalleeSimulator>("sip:127.0.0.201:5070", "127.0.0.201", rules, *carrier_media);
    ASSERT_EQ(sim->start(), "");
    media = engine_on("127.0.0.200", 22000, 22999, 100);
    signaling::TrunkSettings t;
    t.bind_url = "sip:127.0.0.200:5060";
    t.domain = "127.0.0.201:5070";
    t.media_ip = "127.0.0.200";
    t.ring_timeout_s = 30;
    agent = std::make_unique<signaling::SipAgent>(t, *media, [](const signaling::CallEvent& e) {
      if (runner) runner->on_call_event(e);
    });
    control::RunnerOptions ro;
    ro.tick_ms = 100;
    runner = std::make_unique<control::CampaignRunner>(db->url(), dnc, metrics, ro, [](signaling::CallRequest r) {
      return agent->originate(std::move(r));
    });
    ASSERT_EQ(agent->start(), "");
    runner->start();
    call_control = std::make_unique<AgentControl>(*agent);
    commands = std::make_unique<control::CallCommandListener>(
        db->url(), runner->instance_id(), [](long long id) { return runner->owned_call(id); }, *call_control);
    commands->start();
    server->set_runner(runner.get());
  }
  static void TearDownTestSuite() {
    if (server) server->set_runner(nullptr);
    commands.reset();
    if (runner) runner->pause();
    if (agent) agent->stop();
    if (runner) runner->stop();
    runner.reset();
    agent.reset();
    media.reset();
    if (sim) sim->stop();
    sim.reset();
    carrier_media.reset();
    Api::TearDownTestSuite();
  }

  /// Waits (generously) until `pred` holds.
  template <class F>
  static bool eventually(F pred, std::chrono::seconds limit = 40s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (pred()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return pred();
  }
  /// The REFER the call to `number` received, if any.
  static std::optional<signaling::ReferSeen> refer_of(const std::string& number) {
    for (const auto& r : sim->counters().refers_seen())
      if (r.number == number) return r;
    return std::nullopt;
  }
  static std::string attempt(long long id, const std::string& col) {
    const auto r = db->exec("SELECT " + col + " FROM call_attempts WHERE id = " + std::to_string(id));
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
  }
  static long long user_id(const std::string& name) {
    return db->exec("SELECT id FROM users WHERE username = '" + name + "'")[0][0].as<long long>();
  }
};

TEST_F(ClickToDialSip, AgentFirstRingsTheAgentThenRefersItToTheCustomer) {
  auto r = post("/api/v1/calls", "campaign_admin", R"({"number":"+1 201 555 0123","agent":"1000123"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto id = r.json().at("id").as_int64();
  // The agent's extension answered (1000*: after 1.5 s), and was referred to the customer.
  ASSERT_TRUE(eventually([] { return refer_of("1000123").has_value(); })) << "no REFER reached the agent";
  const auto refer = *refer_of("1000123");
  EXPECT_NE(refer.target.find("+12015550123@"), std::string::npos) << refer.target;
  // The call log: the customer's number, under the group's click-to-dial campaign, transferred.
  ASSERT_TRUE(eventually([&] { return attempt(id, "state") == "DONE"; })) << attempt(id, "state");
  EXPECT_EQ(attempt(id, "number"), "+12015550123");
  EXPECT_EQ(attempt(id, "result"), "SUCCESS") << attempt(id, "cause");
  EXPECT_NE(attempt(id, "cause").find("transferred"), std::string::npos) << attempt(id, "cause");
  const auto camp = db->exec("SELECT c.name FROM call_attempts a JOIN campaigns c ON c.id = a.campaign_id WHERE a.id = " +
                             std::to_string(id));
  EXPECT_EQ(camp[0][0].as<std::string>(), "click-to-dial (group " + std::to_string(g1) + ")");
  EXPECT_EQ(db->exec("SELECT placed_by FROM live_calls WHERE id = " + std::to_string(id))[0][0].as<long long>(),
            user_id("adm"));
  // The lead made for the call stays done: campaign dialing never takes it.
  EXPECT_TRUE(db->exec("SELECT l.done FROM leads l JOIN call_attempts a ON a.lead_id = l.id WHERE a.id = " +
                       std::to_string(id))[0][0].as<bool>());
}

TEST_F(ClickToDialSip, CustomerFirstRefersAPersonToThePilot) {
  const auto campaign = make_campaign("click-sip");  // pilot 5000, AMD on, internalLength 7
  auto r = post("/api/v1/calls", "campaign_admin",
                json::serialize(json::object{{"number", "1000456"}, {"campaignId", campaign}}));
  ASSERT_EQ(r.status, 201) << r.body;
  const auto id = r.json().at("id").as_int64();
  ASSERT_TRUE(eventually([] { return refer_of("1000456").has_value(); })) << "the person was not transferred";
  EXPECT_EQ(refer_of("1000456")->target.rfind("sip:5000@", 0), 0u) << refer_of("1000456")->target;
  ASSERT_TRUE(eventually([&] { return attempt(id, "state") == "DONE"; }));
  EXPECT_EQ(attempt(id, "amd_verdict"), "human");  // the AMD ran: customer first
  EXPECT_EQ(attempt(id, "result"), "SUCCESS") << attempt(id, "cause");
}

TEST_F(ClickToDialSip, AnAgentSeesAndHangsUpTheCallItPlaced) {
  // 5000*: rings until cancelled, so the call stays up until the agent hangs it up.
  auto r = post("/api/v1/calls", "agent", R"({"number":"+12015550124","agent":"5000777"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto id = r.json().at("id").as_int64();
  const auto mine = [&] {
    const auto list = get("/api/v1/calls", "agent").json();  // kept: the loop reads into it
    for (const auto& c : list.at("calls").as_array())
      if (c.at("id").as_int64() == id) return true;
    return false;
  };
  ASSERT_TRUE(eventually(mine)) << "the agent does not see its call";
  const auto call = get("/api/v1/calls/" + std::to_string(id), "agent");
  ASSERT_EQ(call.status, 200) << call.body;
  EXPECT_EQ(call.json().at("placedBy").as_int64(), user_id("agt"));
  EXPECT_EQ(call.json().at("number"), "+12015550124");
  // Another group's admin neither sees nor controls it.
  EXPECT_EQ(get("/api/v1/calls/" + std::to_string(id), "admin2").status, 404);
  ASSERT_TRUE(commands->listening() || eventually([] { return commands->listening(); }, 10s));
  auto h = post("/api/v1/calls/" + std::to_string(id) + "/hangup", "agent");
  ASSERT_EQ(h.status, 202) << h.body;
  ASSERT_TRUE(eventually([&] { return attempt(id, "state") == "DONE"; }));
  EXPECT_EQ(db->exec("SELECT state FROM live_calls WHERE id = " + std::to_string(id))[0][0].as<std::string>(), "ended");
  EXPECT_FALSE(mine());
}

TEST_F(ClickToDialSip, ACallThatCannotBePlacedClosesItsAttempt) {
  // The campaign plays a prompt this runner cannot find (its prompts folder is not the API's):
  // the attempt is written, then the call cannot be planned. It is closed, not left DIALING.
  const auto up = upload_prompt("click-vm", "campaign_admin", wav(200));
  ASSERT_EQ(up.status, 201) << up.body;
  const auto campaign = make_campaign("click-no-prompt");
  ASSERT_EQ(patch("/api/v1/campaigns/" + std::to_string(campaign), "campaign_admin",
                  json::serialize(json::object{{"voicemailPromptId", up.json().at("id").as_int64()}})).status, 200);
  auto r = post("/api/v1/calls", "campaign_admin", json::serialize(json::object{{"number", "1000999"}, {"campaignId", campaign}}));
  EXPECT_EQ(r.status, 503) << r.body;
  const auto rows = db->exec("SELECT a.state, a.result, a.cause, l.in_progress, l.done FROM call_attempts a "
                             "JOIN leads l ON l.id = a.lead_id WHERE a.campaign_id = " + std::to_string(campaign));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].as<std::string>(), "DONE");
  EXPECT_EQ(rows[0][1].as<std::string>(), "UNKNOWN");
  EXPECT_NE(rows[0][2].as<std::string>().find("not placed"), std::string::npos) << rows[0][2].as<std::string>();
  EXPECT_FALSE(rows[0][3].as<bool>());
  EXPECT_TRUE(rows[0][4].as<bool>());  // the lead made for the call stays done
  EXPECT_EQ(refer_of("1000999"), std::nullopt);
}

}  // namespace
