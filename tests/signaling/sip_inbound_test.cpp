// The SIP agent's side of inbound calls (issue 16, part 3), without control or a database: an
// INVITE outside our calls becomes a CallEvent in state `inbound` with the caller, the called
// number and the trunk; route_inbound answers 302 (a number at the trunk it came from, or a
// sip: URI as it is) or 404. sipp is the caller (tests/sipp/uac_inbound.xml).
//
// Addresses: the agent on 127.0.0.182:5060, sipp on 127.0.0.183:5060 (the agent's trunk).
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <future>
#include <mutex>
#include <vector>

#include "signaling/sip_agent.h"
#include "test_paths.h"

using namespace hark;
using namespace hark::signaling;

namespace {

struct Events {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<CallEvent> seen;
};

// sipp calling the agent once as `caller`; its exit status and the final answer it logged.
std::future<std::pair<int, std::string>> call(const std::string& caller, const std::string& called) {
  return std::async(std::launch::async, [caller, called] {
    const std::string log = "/tmp/hark-sip-inbound-" + std::to_string(::getpid()) + ".log";
    std::remove(log.c_str());
    const std::string cmd = "timeout 60 sipp 127.0.0.182:5060 -sf " + std::string(hark::test::kSippDir) +
                            "/uac_inbound.xml -i 127.0.0.183 -p 5060 -mp 30200 -m 1 -nostdin -timeout 30s " +
                            "-timeout_error -key caller '" + caller + "' -key called '" + called +
                            "' -trace_logs -log_file " + log + " >/dev/null 2>&1";
    const int status = WEXITSTATUS(std::system(cmd.c_str()));
    std::string final;
    std::ifstream f(log);
    for (std::string line; std::getline(f, line);)
      if (auto at = line.find("final="); at != std::string::npos) final = line.substr(at);
    while (!final.empty() && (final.back() == '\r' || final.back() == ' ')) final.pop_back();
    std::remove(log.c_str());
    return std::pair{status, final};
  });
}

struct SipInbound : ::testing::Test {
  Events ev;
  std::unique_ptr<media::MediaEngine> engine;
  std::unique_ptr<SipAgent> agent;

  void SetUp() override {
    media::MediaEngineOptions mo;
    mo.workers = 1;
    mo.bind_ip = "127.0.0.182";
    mo.port_min = 30200;
    mo.port_max = 30209;
    mo.max_streams = 4;
    engine = std::make_unique<media::MediaEngine>(mo);
    TrunkSettings t;
    Trunk carrier;
    carrier.name = "carrier";
    carrier.host = "127.0.0.183";
    carrier.port = 5060;
    t.trunks = {carrier};
    t.bind_url = "sip:127.0.0.182:5060";
    t.media_ip = "127.0.0.182";
    agent = std::make_unique<SipAgent>(t, *engine, [this](const CallEvent& e) {
      std::lock_guard lk(ev.mu);
      ev.seen.push_back(e);
      ev.cv.notify_all();
    });
    ASSERT_EQ(agent->start(), "");
  }
  void TearDown() override {
    agent->stop();
    agent.reset();
  }

  // The first inbound event, waited for with a generous deadline.
  CallEvent wait_inbound() {
    std::unique_lock lk(ev.mu);
    EXPECT_TRUE(ev.cv.wait_for(lk, std::chrono::seconds(20), [&] {
      for (auto& e : ev.seen)
        if (e.state == CallState::inbound) return true;
      return false;
    }));
    for (auto& e : ev.seen)
      if (e.state == CallState::inbound) return e;
    return {};
  }
};

TEST_F(SipInbound, InviteOutsideOurCallsIsReportedAndRedirectedToANumberAtItsTrunk) {
  auto sipp = call("+14155550123", "8000");
  const CallEvent e = wait_inbound();
  EXPECT_NE(e.call_id, 0u);
  EXPECT_EQ(e.number, "+14155550123");
  EXPECT_EQ(e.called, "8000");
  EXPECT_EQ(e.trunk, "carrier");
  EXPECT_EQ(to_string(e.state), "inbound");
  agent->route_inbound(e.call_id, "6001");
  const auto [status, final] = sipp.get();
  EXPECT_EQ(status, 0);
  EXPECT_EQ(final, "final=302 contact=<sip:6001@127.0.0.183:5060>");
  EXPECT_EQ(agent->calls_in_progress(), 0u);  // inbound calls are none of the dialer's
}

TEST_F(SipInbound, SipUriTargetIsUsedAsItIsAndAnEmptyTargetIs404) {
  auto sipp = call("4155550123", "8000");
  CallEvent e = wait_inbound();
  agent->route_inbound(e.call_id, "sip:queue@pbx.example.com");
  auto [status, final] = sipp.get();
  EXPECT_EQ(status, 0);
  EXPECT_EQ(final, "final=302 contact=<sip:queue@pbx.example.com>");
  {
    std::lock_guard lk(ev.mu);
    ev.seen.clear();
  }
  auto second = call("4155550123", "8000");
  e = wait_inbound();
  agent->route_inbound(e.call_id, "");
  agent->route_inbound(e.call_id, "6001");  // answered already: ignored
  std::tie(status, final) = second.get();
  EXPECT_EQ(status, 0);
  EXPECT_EQ(final, "final=404");
}

}  // namespace
