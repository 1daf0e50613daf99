// Trunks in a group, over loopback against callee simulators (addresses 127.0.0.90-99 are this
// file's): a trunk answering 503 or not reachable fails over to the next trunk of the route, a
// busy or rejecting one does not; OPTIONS keep-alive marks a stopped trunk down, the agent skips
// it, and uses it again once it answers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "media/audio_file.h"
#include "signaling/callee_simulator.h"
#include "signaling/sip_agent.h"
#include "signaling/trunk_dialer.h"
#include "test_audio.h"
#include "test_sim_media.h"

using namespace hark;
using namespace hark::signaling;
using namespace std::chrono_literals;

namespace {

using test::Dialer;

// A simulator on 127.0.0.<host>:5070 answering by the map's lines.
struct Peer {
  media::MediaEngineOptions media_options;  // the simulator's RTP (its stack: test_sim_media.h)
  std::unique_ptr<CalleeSimulator> sim;
  std::vector<CalleeRule> rules;
  std::string url, ip;

  Peer(int host, const std::string& map_path, uint16_t rtp_base) {
    EXPECT_TRUE(read_callee_rules(map_path, rules).empty());
    media::MediaEngineOptions mo;
    mo.workers = 1;
    mo.bind_ip = "127.0.0." + std::to_string(host);
    mo.port_min = rtp_base;
    mo.port_max = uint16_t(rtp_base + 100);
    mo.max_streams = 40;
    media_options = mo;
    ip = "127.0.0." + std::to_string(host);
    url = "sip:" + ip + ":5070";
    start();
  }
  void start() {
    sim = std::make_unique<CalleeSimulator>(url, ip, rules, test::sim_media(media_options));
    ASSERT_EQ(sim->start(), "");
  }
  void stop() {
    sim->stop();
    sim.reset();
  }
  ~Peer() {
    if (sim) sim->stop();
  }
};

Trunk trunk(const std::string& name, int host) {
  Trunk t;
  t.name = name;
  t.host = "127.0.0." + std::to_string(host);
  t.port = 5070;
  return t;
}


struct Maps {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("hark-trunks-" + std::to_string(::getpid()));
  std::string failing, good;
  Maps() {
    std::filesystem::create_directories(dir);
    std::vector<int16_t> human;
    test::add_silence(human, 300);
    test::add_babble(human, 600, -20);
    test::add_silence(human, 3000);
    media::write_wav((dir / "human.wav").string(), human);
    failing = (dir / "failing.txt").string();
    good = (dir / "good.txt").string();
    // The failing carrier: 503 to everything but busy and rejected numbers.
    std::ofstream(failing) << "3* busy ring=100\n4* reject ring=100\n1* unavailable ring=100\n";
    std::ofstream(good) << "1* answer " << (dir / "human.wav").string() << " ring=100\n3* answer "
                        << (dir / "human.wav").string() << " ring=100\n4* answer " << (dir / "human.wav").string()
                        << " ring=100\n";
  }
  ~Maps() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST(SipTrunks, A503FailsOverToTheNextTrunkAndTheEndNamesBoth) {
  Maps m;
  Peer a(91, m.failing, 36300), b(92, m.good, 36500);
  Dialer d({trunk("a", 91), trunk("b", 92)});
  const auto e = d.call("1001", {"a", "b"});
  EXPECT_TRUE(e.answered) << e.cause;
  EXPECT_EQ(e.trunk, "b");
  ASSERT_EQ(e.failed_over.size(), 1u);
  EXPECT_EQ(e.failed_over[0].first, "a");
  EXPECT_EQ(e.failed_over[0].second, 503);
  EXPECT_EQ(d.status("a").failovers, 1u);
  EXPECT_EQ(d.status("b").calls_placed, 1u);
  // The route's order is the caller's: b first, and b carries it without any failover.
  const auto e2 = d.call("1002", {"b", "a"});
  EXPECT_EQ(e2.trunk, "b");
  EXPECT_TRUE(e2.failed_over.empty());
}

TEST(SipTrunks, BusyAndRejectNeverFailOver) {
  Maps m;
  Peer a(91, m.failing, 36300), b(92, m.good, 36500);
  Dialer d({trunk("a", 91), trunk("b", 92)});
  const auto busy = d.call("3001", {"a", "b"});
  EXPECT_EQ(busy.outcome, LeadStatus::busy);
  EXPECT_EQ(busy.trunk, "a");
  EXPECT_TRUE(busy.failed_over.empty());
  const auto rejected = d.call("4001", {"a", "b"});
  EXPECT_EQ(rejected.outcome, LeadStatus::rejected);
  EXPECT_EQ(rejected.trunk, "a");
  EXPECT_EQ(d.status("b").calls_placed, 0u);
}

TEST(SipTrunks, ATrunkNobodyListensOnFailsOverAsATransportError) {
  Maps m;
  Peer b(92, m.good, 36500);
  Dialer d({trunk("dead", 93), trunk("b", 92)});  // nothing on 127.0.0.93:5070
  const auto e = d.call("1003", {"dead", "b"});
  EXPECT_TRUE(e.answered) << e.cause;
  EXPECT_EQ(e.trunk, "b");
  ASSERT_EQ(e.failed_over.size(), 1u);
  EXPECT_EQ(e.failed_over[0].first, "dead");
  EXPECT_GE(e.failed_over[0].second, 500);
}

TEST(SipTrunks, OptionsMarksAStoppedTrunkDownItIsSkippedThenUsedAgain) {
  Maps m;
  Peer a(94, m.good, 36700), b(92, m.good, 36500);
  auto ta = trunk("a", 94);
  ta.options_interval_s = 1;
  ta.options_timeout_s = 2;
  Dialer d({ta, trunk("b", 92)});
  ASSERT_TRUE(d.wait_reachable("a", true));
  EXPECT_TRUE(d.status("a").watched);
  EXPECT_EQ(d.call("1004", {"a", "b"}).trunk, "a");

  a.stop();
  ASSERT_TRUE(d.wait_reachable("a", false)) << "a stopped trunk was never marked down";
  const auto skipped = d.call("1005", {"a", "b"});
  EXPECT_EQ(skipped.trunk, "b");
  EXPECT_TRUE(skipped.failed_over.empty()) << "a down trunk is skipped, not tried";
  EXPECT_TRUE(skipped.answered);

  a.start();
  ASSERT_TRUE(d.wait_reachable("a", true)) << "the trunk never came back";
  EXPECT_EQ(d.call("1006", {"a", "b"}).trunk, "a");
}

TEST(SipTrunks, EveryTrunkDownEndsTheCallAsUnavailableWithoutDialing) {
  Maps m;
  auto ta = trunk("a", 95);  // nothing listens there
  ta.options_interval_s = 1;
  ta.options_timeout_s = 1;
  Dialer d({ta});
  ASSERT_TRUE(d.wait_reachable("a", false));
  const auto e = d.call("1007", {"a"});
  EXPECT_EQ(e.outcome, LeadStatus::service_temporarily_unavailable);
  EXPECT_TRUE(e.trunk.empty());
  EXPECT_NE(e.cause.find("no trunk up"), std::string::npos) << e.cause;
  EXPECT_EQ(d.status("a").calls_placed, 0u);
}

TEST(SipTrunks, AnUnknownTrunkNameEndsTheCall) {
  Dialer d({trunk("a", 96)});
  const auto e = d.call("1008", {"nope"});
  EXPECT_NE(e.cause.find("no trunk named 'nope'"), std::string::npos) << e.cause;
}
