// Calls through the SIP agent to the callee simulator, over loopback: every behaviour ends in
// the lead status the outcome table gives.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <fstream>
#include <thread>

#include "media/audio_file.h"
#include "signaling/callee_simulator.h"
#include "signaling/sip_agent.h"
#include "test_audio.h"

using namespace hark;
using namespace hark::signaling;

namespace {
struct Fixture {
  std::filesystem::path dir;
  uint16_t base;
  std::unique_ptr<media::MediaEngine> callee_media, caller_media;
  std::unique_ptr<CalleeSimulator> sim;
  std::unique_ptr<SipAgent> agent;
  std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, CallEvent> ended;
  std::map<uint64_t, std::vector<CallState>> states;

  explicit Fixture(int max_calls = 50, double cps = 50) {
    base = uint16_t(15000 + (::getpid() % 200) * 20);
    dir = std::filesystem::temp_directory_path() / ("hark-sip-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::vector<int16_t> human, machine;
    test::add_silence(human, 300);
    test::add_babble(human, 600, -20);
    test::add_silence(human, 5000);
    test::add_silence(machine, 200);
    test::add_babble(machine, 4000, -20);
    test::add_silence(machine, 400);
    test::add_tone(machine, {1000}, 400, -20);
    test::add_silence(machine, 3000);
    media::write_wav((dir / "human.wav").string(), human);
    media::write_wav((dir / "machine.wav").string(), machine);
    const std::string map = (dir / "map.txt").string();
    {
      std::ofstream f(map);
      f << "1000* answer " << (dir / "human.wav").string() << "\n"
        << "2000* answer " << (dir / "machine.wav").string() << "\n"
        << "3000* busy\n4000* reject\n5000* no-answer\n6000* unavailable\n7000* not-found\n"
        << "8000* answer " << (dir / "human.wav").string() << " ring=700\n";
    }
    std::vector<CalleeRule> rules;
    EXPECT_TRUE(read_callee_rules(map, rules).empty());

    media::MediaEngineOptions mo;
    mo.workers = 1;
    mo.port_min = uint16_t(base + 1000);
    mo.port_max = uint16_t(mo.port_min + 2 * max_calls + 20);
    mo.max_streams = size_t(max_calls) + 8;
    callee_media = std::make_unique<media::MediaEngine>(mo);
    mo.port_min = uint16_t(mo.port_max + 2);
    mo.port_max = uint16_t(mo.port_min + 2 * max_calls + 20);
    caller_media = std::make_unique<media::MediaEngine>(mo);

    const std::string sim_url = "sip:127.0.0.1:" + std::to_string(base);
    sim = std::make_unique<CalleeSimulator>(sim_url, "127.0.0.1", rules, *callee_media);
    EXPECT_EQ(sim->start(), "");

    TrunkSettings t;
    t.bind_url = "sip:127.0.0.1:" + std::to_string(base + 1);
    t.domain = "127.0.0.1:" + std::to_string(base);
    t.calls_per_second = cps;
    t.max_concurrent = max_calls;
    t.ring_timeout_s = 15;
    agent = std::make_unique<SipAgent>(t, *caller_media, [this](const CallEvent& e) {
      std::lock_guard<std::mutex> g(mu);
      states[e.call_id].push_back(e.state);
      if (e.state == CallState::ended) {
        ended[e.call_id] = e;
        cv.notify_all();
      }
    });
    EXPECT_EQ(agent->start(), "");
  }
  ~Fixture() {
    agent->stop();
    sim->stop();
    std::filesystem::remove_all(dir);
  }
  bool wait_ended(size_t n, int seconds) {
    std::unique_lock<std::mutex> g(mu);
    return cv.wait_for(g, std::chrono::seconds(seconds), [&] { return ended.size() >= n; });
  }
};
}  // namespace

TEST(SipCalls, EveryBehaviourEndsWithItsLeadStatus) {
  Fixture f;
  std::vector<int16_t> msg;
  test::add_tone(msg, {600}, 500, -15);
  const media::Prompt message = media::Prompt::from_pcm(msg);
  struct Case { std::string number; LeadStatus want; bool voicemail; };
  const std::vector<Case> cases = {
      {"1000", LeadStatus::success, false},
      {"2000", LeadStatus::amd, false},
      {"20001", LeadStatus::amd, true},
      {"3000", LeadStatus::busy, false},
      {"4000", LeadStatus::rejected, false},
      {"5000", LeadStatus::no_answer, false},
      {"6000", LeadStatus::service_temporarily_unavailable, false},
      {"7000", LeadStatus::failure, false},
      {"8000", LeadStatus::success, false},
  };
  std::map<uint64_t, Case> by_id;
  for (const auto& c : cases) {
    CallRequest r;
    r.number = c.number;
    r.transfer_to = "9999";
    if (c.voicemail) r.voicemail = &message;
    by_id[f.agent->originate(r)] = c;
  }
  ASSERT_TRUE(f.wait_ended(cases.size(), 40)) << f.ended.size() << " of " << cases.size() << " ended";
  std::lock_guard<std::mutex> g(f.mu);
  for (auto& [id, c] : by_id) {
    const auto& e = f.ended.at(id);
    EXPECT_EQ(to_string(e.outcome), to_string(c.want)) << c.number << ": " << e.cause << " (SIP " << e.sip_code << ")";
  }
  // The person was transferred by REFER, the machine got its message after the beep.
  for (auto& [id, c] : by_id) {
    const auto& e = f.ended.at(id);
    if (c.number == "1000") {
      EXPECT_EQ(e.verdict, amd::Verdict::human);
      EXPECT_NE(e.cause.find("transferred"), std::string::npos) << e.cause;
    }
    if (c.number == "20001") {
      EXPECT_NE(e.cause.find("message left"), std::string::npos) << e.cause;
    }
    if (c.number == "3000") {
      EXPECT_EQ(e.sip_code, 486);
    }
    if (c.number == "6000") {
      EXPECT_EQ(e.sip_code, 503);
    }
    if (c.number == "5000") {
      EXPECT_NE(e.cause.find("ring timeout"), std::string::npos) << e.cause;
    }
  }
  EXPECT_EQ(f.sim->counters().refers.load(), 2u);
  EXPECT_EQ(f.agent->calls_in_progress(), 0u);
}
