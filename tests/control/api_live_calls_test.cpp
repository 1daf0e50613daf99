// Calls as a resource across processes (issue 16) against a real PostgreSQL: the live_calls
// table read through GET /calls, commands through the database bus (call_commands + NOTIFY) to
// an owner's CallCommandListener driving a fake CallControl, the 409/404/422/501/504 answers,
// the agent role, the figures from the database and the recovery of a dead owner's calls.
// The SIP end of the bus (a real SipAgent in another process) is in hark_calls_two_process_test.
#include <gtest/gtest.h>

#include <mutex>

#include "control/api_fixture.h"
#include "control/campaign/call_command_listener.h"
#include "sql/campaign_store.h"
#include "sql/db_pool.h"
#include "sql/live_call_store.h"

using namespace hark;
namespace json = boost::json;
using test::Api;

namespace {

/// Records what the owner was asked; hold answers 501 as a build without it does.
struct FakeControl : control::CallControl {
  std::mutex mu;
  std::vector<std::string> seen;  // "hangup 7", "transfer 7 5551234"
  control::ControlOutcome note(std::string what) {
    std::lock_guard lk(mu);
    seen.push_back(std::move(what));
    return {};
  }
  control::ControlOutcome hangup(uint64_t id) override { return note("hangup " + std::to_string(id)); }
  control::ControlOutcome transfer(uint64_t id, const std::string& t) override {
    return note("transfer " + std::to_string(id) + " " + t);
  }
  control::ControlOutcome hold(uint64_t) override { return {501, "hold is not available in this build"}; }
  control::ControlOutcome resume(uint64_t id) override { return note("resume " + std::to_string(id)); }
  control::ControlOutcome consult(uint64_t id, const std::string& t) override {
    return note("consult " + std::to_string(id) + " " + t);
  }
  control::ControlOutcome complete_consult(uint64_t id) override { return note("complete " + std::to_string(id)); }
  control::ControlOutcome cancel_consult(uint64_t id) override { return note("cancel " + std::to_string(id)); }
  std::vector<std::string> calls() {
    std::lock_guard lk(mu);
    return seen;
  }
};

/// The owner process's calls as its runner would report them (attempt id -> SIP id, state).
struct OwnedCalls {
  std::mutex mu;
  std::map<long long, control::OwnedCall> calls;
  void set(long long id, uint64_t sip, std::string state) {
    std::lock_guard lk(mu);
    calls[id] = {sip, std::move(state)};
  }
  std::optional<control::OwnedCall> find(long long id) {
    std::lock_guard lk(mu);
    auto it = calls.find(id);
    return it == calls.end() ? std::nullopt : std::optional<control::OwnedCall>(it->second);
  }
};

struct LiveCalls : Api {
  static inline FakeControl control;
  static inline OwnedCalls owned;
  static inline std::unique_ptr<control::CallCommandListener> owner;
  static inline long long campaign = 0, other_campaign = 0, lead = 0, agent_id = 0;

  static void SetUpTestSuite() {
    Api::SetUpTestSuite();
    campaign = make_campaign("bus");
    other_campaign = make_campaign("bus-g2", g2, "admin2");
    lead = db->exec("INSERT INTO leads (campaign_id, phone) VALUES (" + std::to_string(campaign) + ", '5550001') RETURNING id")[0][0]
               .as<long long>();
    agent_id = db->exec("SELECT id FROM users WHERE username = 'agt'")[0][0].as<long long>();
    owner = std::make_unique<control::CallCommandListener>(
        db->url(), "owner-a", [](long long id) { return owned.find(id); }, control);
    owner->start();
  }
  static void TearDownTestSuite() {
    owner.reset();
    Api::TearDownTestSuite();
  }

  /// A call up in process `instance`: its attempt and live row (as the runner's claim writes them).
  static long long add_call(const std::string& state, const std::string& instance = "owner-a", long long camp = 0,
                            std::optional<long long> placed_by = std::nullopt) {
    camp = camp ? camp : campaign;
    const auto lead_id = camp == campaign ? lead
                                          : db->exec("INSERT INTO leads (campaign_id, phone) VALUES (" + std::to_string(camp) +
                                                     ", '5550002') RETURNING id")[0][0].as<long long>();
    const auto id = db->exec("INSERT INTO call_attempts (campaign_id, lead_id, number, instance_id) VALUES (" +
                             std::to_string(camp) + ", " + std::to_string(lead_id) + ", '5550001', '" + instance +
                             "') RETURNING id")[0][0].as<long long>();
    auto c = sql::open_prepared(db->url());
    pqxx::work tx(*c);
    sql::insert_live_call(tx, id, camp, lead_id, "5550001", instance, placed_by);
    tx.commit();
    if (state != "dialing") sql::update_live_calls(*c, {{id, state, "carrier-a", ""}});
    return id;
  }
  static std::string path(long long id, const std::string& cmd = "") {
    return "/api/v1/calls/" + std::to_string(id) + (cmd.empty() ? "" : "/" + cmd);
  }
};

TEST_F(LiveCalls, ListsTheCallsUpOfTheCallersGroups) {
  const auto mine = add_call("ringing");
  const auto theirs = add_call("connected", "owner-b", other_campaign);
  auto r = get("/api/v1/calls?campaign=" + std::to_string(campaign), "campaign_supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  bool found = false;
  const auto listed = r.json();
  for (const auto& c : listed.at("calls").as_array()) {
    EXPECT_NE(c.at("id").as_int64(), theirs);  // another group's call is not listed
    if (c.at("id").as_int64() != mine) continue;
    found = true;
    EXPECT_EQ(c.at("state"), "ringing");
    EXPECT_EQ(c.at("process"), "owner-a");
    EXPECT_EQ(c.at("trunk"), "carrier-a");
    EXPECT_EQ(c.at("leadId").as_int64(), lead);
  }
  EXPECT_TRUE(found) << r.body;
  // Filters: state; a bad state is 422.
  const auto connected = get("/api/v1/calls?state=connected", "campaign_admin").json();
  for (const auto& c : connected.at("calls").as_array()) EXPECT_EQ(c.at("state"), "connected");
  EXPECT_EQ(get("/api/v1/calls?state=bogus", "campaign_admin").status, 422);
  // One call: 200 for its group, 404 for another group and for an agent who did not place it.
  EXPECT_EQ(get(path(mine), "campaign_admin").json().at("state"), "ringing");
  EXPECT_EQ(get(path(mine), "admin2").status, 404);
  EXPECT_EQ(get(path(mine), "agent").status, 404);
  EXPECT_EQ(get(path(theirs), "admin2").status, 200);
  EXPECT_EQ(get(path(999999), "campaign_admin").status, 404);
}

TEST_F(LiveCalls, HangupAndTransferReachTheOwner) {
  const auto id = add_call("connected");
  owned.set(id, 4242, "connected");
  auto r = post(path(id, "hangup"), "campaign_admin", "");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.json().at("command"), "hangup");
  EXPECT_EQ(control.calls().back(), "hangup 4242");
  // The outcome is in the command row, written by the owner.
  EXPECT_EQ(db->exec("SELECT status FROM call_commands WHERE call_id = " + std::to_string(id))[0][0].as<int>(), 202);
  // Transfer: the target normalised like the campaign's leads (7 digits: an extension here).
  r = post(path(id, "transfer"), "campaign_admin", R"({"target":"555-1234"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(control.calls().back(), "transfer 4242 5551234");
  r = post(path(id, "transfer"), "campaign_admin", R"({"target":"sip:desk@pbx.example"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(control.calls().back(), "transfer 4242 sip:desk@pbx.example");
}

TEST_F(LiveCalls, BadCommandsAreRefused) {
  const auto ringing = add_call("ringing");
  owned.set(ringing, 1, "ringing");
  const auto n = control.calls().size();
  // Malformed targets: 422, nothing sent.
  EXPECT_EQ(post(path(ringing, "transfer"), "campaign_admin", R"({"target":"not a number"})").status, 422);
  EXPECT_EQ(post(path(ringing, "transfer"), "campaign_admin", R"({"target":"sip:nohost"})").status, 422);
  EXPECT_EQ(post(path(ringing, "transfer"), "campaign_admin", R"({})").status, 422);
  // A command the state does not allow: 409 (hold on ringing).
  auto r = post(path(ringing, "hold"), "campaign_admin", "");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(post(path(ringing, "complete"), "campaign_admin", "").status, 409);
  // The owner's own state counts too: the row says connected, the owner knows it is ringing.
  const auto stale = add_call("connected");
  owned.set(stale, 2, "ringing");
  EXPECT_EQ(post(path(stale, "hold"), "campaign_admin", "").status, 409);
  // An ended call: 409 (the row, or the owner no longer has it).
  const auto ended = add_call("connected");
  db->exec("UPDATE live_calls SET state = 'ended', ended_at = now() WHERE id = " + std::to_string(ended));
  EXPECT_EQ(post(path(ended, "hangup"), "campaign_admin", "").status, 409);
  const auto gone = add_call("connected");  // the owner's runner has no such call any more
  EXPECT_EQ(post(path(gone, "hangup"), "campaign_admin", "").status, 409);
  // Another group's call, or none: 404. A supervisor: 403.
  const auto theirs = add_call("connected", "owner-a", other_campaign);
  owned.set(theirs, 3, "connected");
  EXPECT_EQ(post(path(theirs, "hangup"), "campaign_admin", "").status, 404);
  EXPECT_EQ(post(path(999999, "hangup"), "campaign_admin", "").status, 404);
  EXPECT_EQ(post(path(ringing, "hangup"), "campaign_supervisor", "").status, 403);
  EXPECT_EQ(control.calls().size(), n);  // none of these reached the SIP side
}

TEST_F(LiveCalls, NotInThisBuildIs501AndASilentOwnerIs504) {
  const auto id = add_call("connected");
  owned.set(id, 9, "connected");
  auto r = post(path(id, "hold"), "campaign_admin", "");
  EXPECT_EQ(r.status, 501) << r.body;
  // A call of a process that listens to nobody: the API gives up after its timeout.
  const auto orphan = add_call("connected", "owner-silent");
  server->services().command_timeout_ms = 500;
  r = post(path(orphan, "hangup"), "campaign_admin", "");
  server->services().command_timeout_ms = 5000;
  EXPECT_EQ(r.status, 504) << r.body;
}

TEST_F(LiveCalls, AnOwnerCatchesUpOnCommandsSentWhileAway) {
  const auto id = add_call("connected", "owner-late");
  db->exec("INSERT INTO call_commands (call_id, instance_id, kind) VALUES (" + std::to_string(id) + ", 'owner-late', 'hangup')");
  db->exec("INSERT INTO call_commands (call_id, instance_id, kind, created_at) VALUES (" + std::to_string(id) +
           ", 'owner-late', 'hangup', now() - interval '1 hour')");
  FakeControl late_control;
  control::CallCommandListener late(db->url(), "owner-late", [&](long long c) {
    return c == id ? std::optional<control::OwnedCall>({77, "connected"}) : std::nullopt;
  }, late_control);
  late.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (late.answered() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // waiting for the event, bounded
  late.stop();
  ASSERT_EQ(late.answered(), 2u);
  EXPECT_EQ(late_control.calls(), std::vector<std::string>{"hangup 77"});  // the old one is not run
  auto rows = db->exec("SELECT status FROM call_commands WHERE instance_id = 'owner-late' ORDER BY created_at");
  EXPECT_EQ(rows[0][0].as<int>(), 504);
  EXPECT_EQ(rows[1][0].as<int>(), 202);
}

TEST_F(LiveCalls, AnAgentControlsOnlyTheCallsItPlaced) {
  const auto its = add_call("connected", "owner-a", 0, agent_id);
  owned.set(its, 55, "connected");
  const auto not_its = add_call("connected");
  owned.set(not_its, 56, "connected");
  auto list = get("/api/v1/calls", "agent");
  ASSERT_EQ(list.status, 200);
  const auto listed = list.json();
  const auto& calls = listed.at("calls").as_array();
  ASSERT_EQ(calls.size(), 1u) << list.body;
  EXPECT_EQ(calls[0].at("id").as_int64(), its);
  EXPECT_EQ(post(path(its, "hangup"), "agent", "").status, 202);
  EXPECT_EQ(post(path(not_its, "hangup"), "agent", "").status, 404);
  // Nothing else: campaigns, leads, figures.
  EXPECT_EQ(get("/api/v1/campaigns", "agent").status, 403);
  EXPECT_EQ(get("/api/v1/live", "agent").status, 403);
}

TEST_F(LiveCalls, FiguresComeFromTheDatabaseWithoutARunner) {
  const auto c = make_campaign("figures");
  const auto lead_id =
      db->exec("INSERT INTO leads (campaign_id, phone) VALUES (" + std::to_string(c) + ", '5550003') RETURNING id")[0][0].as<long long>();
  // Two calls up in two processes, one finished transferred today.
  for (const char* inst : {"p1", "p2"}) {
    const auto id = db->exec("INSERT INTO call_attempts (campaign_id, lead_id, number, instance_id) VALUES (" +
                             std::to_string(c) + ", " + std::to_string(lead_id) + ", '5550003', '" + inst + "') RETURNING id")[0][0]
                        .as<long long>();
    db->exec("INSERT INTO live_calls (id, campaign_id, lead_id, number, instance_id, state) VALUES (" + std::to_string(id) +
             ", " + std::to_string(c) + ", " + std::to_string(lead_id) + ", '5550003', '" + inst + "', '" +
             (std::string(inst) == "p1" ? "ringing" : "connected") + "')");
  }
  db->exec("INSERT INTO call_attempts (campaign_id, lead_id, number, state, answered_at, ended_at, result) VALUES (" +
           std::to_string(c) + ", " + std::to_string(lead_id) + ", '5550003', 'DONE', now(), now(), 'SUCCESS')");
  server->set_runner(nullptr);
  auto live = get("/api/v1/campaigns/" + std::to_string(c) + "/live", "campaign_supervisor");
  ASSERT_EQ(live.status, 200) << live.body;
  const auto f = live.json().as_object();
  EXPECT_EQ(f.at("ringing").as_int64(), 1);
  EXPECT_EQ(f.at("connected").as_int64(), 1);
  EXPECT_EQ(f.at("callsUp").as_int64(), 2);
  EXPECT_EQ(f.at("placed").as_int64(), 3);
  EXPECT_EQ(f.at("answered").as_int64(), 1);
  EXPECT_EQ(f.at("transferredToAgents").as_int64(), 1);
  auto all = get("/api/v1/live", "campaign_supervisor");
  ASSERT_EQ(all.status, 200);
  bool found = false;
  const auto figures = all.json();
  for (const auto& x : figures.at("campaigns").as_array()) found = found || x.at("campaignId").as_int64() == c;
  EXPECT_TRUE(found);
  EXPECT_GE(all.json().at("total").at("callsUp").as_int64(), 2);
  EXPECT_EQ(get("/api/v1/campaigns/" + std::to_string(c) + "/summary", "campaign_supervisor").json().at("today").at("callsUp"), 2);
}

TEST_F(LiveCalls, RecoveryEndsTheCallsOfADeadProcess) {
  const auto id = add_call("connected", "owner-dead");
  const auto alive = add_call("connected", "owner-alive");
  auto c = sql::open_prepared(db->url());
  sql::runner_heartbeat(*c, "owner-alive", "host", 1);
  sql::runner_recover(*c, "recoverer", 10);
  EXPECT_EQ(get(path(id), "campaign_admin").json().at("state"), "ended");
  EXPECT_EQ(get(path(alive), "campaign_admin").json().at("state"), "connected");
}

TEST(CallCommands, StatesAllowTheirCommands) {
  using control::CallCommand;
  EXPECT_TRUE(control::command_allowed(CallCommand::hangup, "ringing"));
  EXPECT_FALSE(control::command_allowed(CallCommand::hold, "ringing"));
  EXPECT_TRUE(control::command_allowed(CallCommand::hold, "connected"));
  EXPECT_TRUE(control::command_allowed(CallCommand::resume, "on_hold"));
  EXPECT_FALSE(control::command_allowed(CallCommand::resume, "connected"));
  EXPECT_TRUE(control::command_allowed(CallCommand::complete, "consulting"));
  EXPECT_FALSE(control::command_allowed(CallCommand::cancel, "connected"));
  EXPECT_FALSE(control::command_allowed(CallCommand::hangup, "ended"));
  EXPECT_EQ(control::live_state(signaling::CallState::verdict), "connected");
  EXPECT_EQ(control::live_state(signaling::CallState::queued), "dialing");
  EXPECT_EQ(control::live_state(signaling::CallState::early_media), "early_media");
  EXPECT_EQ(control::call_command_from_string("consult"), CallCommand::consult);
  EXPECT_FALSE(control::call_command_from_string("park"));
}

}  // namespace
