// Calls through the SIP agent to the callee simulator, over loopback: every behaviour ends in
// the lead status the outcome table gives.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <fstream>
#include <random>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

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
  std::function<void(const CallEvent&)> on_state;  // runs on the SIP thread

  // Each test uses its own block of ports (slot), so ctest may run them side by side.
  explicit Fixture(int slot, int max_calls = 50, double cps = 50, bool srtp = false) {
    base = uint16_t(2000 + slot * 2400);  // below the ephemeral range (see media_engine_test.cpp)
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
      f << "1000* answer " << (dir / "human.wav").string() << " ring=2500\n"
        << "2000* answer " << (dir / "machine.wav").string() << " ring=2500\n"
        // Failures after a few seconds of ringing, as real ones come: the calls overlap.
        << "3000* busy ring=3000\n4000* reject ring=3000\n5000* no-answer\n6000* unavailable ring=3000\n"
        << "7000* not-found ring=3000\n"
        << "9100* announce " << HARK_SOURCE_DIR << "/fixtures/samples/sit-001.ul\n"
        << "8000* answer " << (dir / "human.wav").string() << " ring=700\n";
    }
    std::vector<CalleeRule> rules;
    EXPECT_TRUE(read_callee_rules(map, rules).empty());

    media::MediaEngineOptions mo;
    mo.workers = 1;
    mo.port_min = uint16_t(base + 10);
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
    t.srtp = srtp;
    agent = std::make_unique<SipAgent>(t, *caller_media, [this](const CallEvent& e) {
      if (on_state) on_state(e);
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
  Fixture f(0);
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
    r.plan.person = Reaction::transfer("9999");
    if (c.voicemail) r.plan.machine = Reaction::voicemail(&message);
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

TEST(SipCalls, MalformedSipIsDroppedAndCallsStillWork) {
  Fixture f(1);
  // Garbage, a request without its mandatory headers, random bytes, an INVITE with a broken
  // SDP: at both the agent and the simulator.
  const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
  std::mt19937 g(11);
  std::vector<std::string> junk = {
      "garbage", "INVITE sip:1000@127.0.0.1 SIP/2.0\r\n\r\n",
      "SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n",
      "INVITE sip:1000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\n"
      "To: <sip:1000@127.0.0.1>\r\nCall-ID: junk1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n"
      "Content-Length: 12\r\n\r\nv=0\r\nm=audi"};
  for (int i = 0; i < 50; ++i) {
    std::string r(g() % 300, '\0');
    for (auto& ch : r) ch = char(g());
    junk.push_back(r);
  }
  for (uint16_t port : {uint16_t(f.base), uint16_t(f.base + 1)}) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (const auto& j : junk) ::sendto(s, j.data(), j.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }
  ::close(s);
  CallRequest r;
  r.number = "1000";
  r.plan.person = Reaction::transfer("9999");
  const uint64_t id = f.agent->originate(r);
  ASSERT_TRUE(f.wait_ended(1, 20));
  std::lock_guard<std::mutex> lock(f.mu);
  EXPECT_EQ(to_string(f.ended.at(id).outcome), "SUCCESS") << f.ended.at(id).cause;
}

TEST(SipCalls, ThreeHundredConcurrentCallsEndAsTheirNumbersSay) {
  Fixture f(2, 320, 300);
  struct Kind { const char* prefix; LeadStatus want; };
  const Kind kinds[] = {{"1000", LeadStatus::success}, {"2000", LeadStatus::amd}, {"3000", LeadStatus::busy},
                        {"4000", LeadStatus::rejected}, {"6000", LeadStatus::service_temporarily_unavailable},
                        {"7000", LeadStatus::failure}, {"8000", LeadStatus::success}, {"5000", LeadStatus::no_answer}};
  std::map<uint64_t, LeadStatus> want;
  std::map<uint64_t, std::string> number;
  for (int i = 0; i < 300; ++i) {
    // Mostly answered calls (they stay up the longest), a few of each failure, 5 no-answers.
    const Kind& k = i < 120 ? kinds[0] : i < 220 ? kinds[1] : i < 295 ? kinds[2 + (i % 5)] : kinds[7];
    CallRequest r;
    r.number = std::string(k.prefix) + std::to_string(1000 + i);
    r.plan.person = Reaction::transfer("9999");
    const uint64_t id = f.agent->originate(r);
    want[id] = k.want;
    number[id] = r.number;
  }
  // Peak concurrency: sample how many calls are up while they run.
  size_t peak = 0;
  for (int i = 0; i < 100 && !f.wait_ended(300, 0); ++i) {
    peak = std::max(peak, f.agent->calls_up());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(f.wait_ended(300, 60)) << f.ended.size() << " of 300 ended";
  std::lock_guard<std::mutex> lock(f.mu);
  int right = 0;
  for (auto& [id, w] : want) {
    const auto& e = f.ended.at(id);
    if (e.outcome == w) ++right;
    else ADD_FAILURE() << number[id] << ": " << to_string(e.outcome) << " (" << e.cause << "), wanted " << to_string(w);
  }
  EXPECT_EQ(right, 300);
  EXPECT_GE(peak, 280u) << "the calls did not overlap as intended (peak " << peak << ")";
  std::printf("peak concurrent calls: %zu\n", peak);
}

TEST(SipCalls, SrtpCallsCarryAudioBothWays) {
  // SDES-keyed SRTP offer and answer: the AMD can only hear the person or the machine (and
  // its beep) if the audio decrypts.
  Fixture f(3, 50, 50, /*srtp=*/true);
  CallRequest human, machine;
  human.number = "1000";
  human.plan.person = Reaction::transfer("9999");
  machine.number = "2000";
  const uint64_t h = f.agent->originate(human), m = f.agent->originate(machine);
  ASSERT_TRUE(f.wait_ended(2, 30));
  std::lock_guard<std::mutex> lock(f.mu);
  EXPECT_EQ(to_string(f.ended.at(h).outcome), "SUCCESS") << f.ended.at(h).cause;
  EXPECT_EQ(f.ended.at(h).verdict, amd::Verdict::human);
  EXPECT_EQ(to_string(f.ended.at(m).outcome), "AMD") << f.ended.at(m).cause;
}

TEST(SipCalls, TransferOnRequest) {
  Fixture f(4);
  std::atomic<uint64_t> id{0};
  f.on_state = [&](const CallEvent& e) {
    if (e.state == CallState::answered) f.agent->transfer(e.call_id, "7777");
  };
  CallRequest r;
  r.number = "1000";  // no transfer in the plan: only the explicit transfer() connects the person
  id = f.agent->originate(r);
  ASSERT_TRUE(f.wait_ended(1, 20));
  std::lock_guard<std::mutex> lock(f.mu);
  const auto& e = f.ended.at(id);
  EXPECT_EQ(to_string(e.outcome), "SUCCESS") << e.cause;
  EXPECT_NE(e.cause.find("transferred to 7777"), std::string::npos) << e.cause;
}

TEST(SipCalls, SitInEarlyMediaIsAFailureBeforeAnyAnswer) {
  // 183 with SDP, SIT then "not in service" as early media: the dialer hears the SIT, cancels,
  // and the lead is FAILURE (an invalid number) without waiting for the 404.
  Fixture f(5);
  CallRequest r;
  r.number = "9100";
  const uint64_t id = f.agent->originate(r);
  ASSERT_TRUE(f.wait_ended(1, 20));
  std::lock_guard<std::mutex> lock(f.mu);
  const auto& e = f.ended.at(id);
  EXPECT_EQ(to_string(e.outcome), "FAILURE") << e.cause;
  EXPECT_NE(e.cause.find("SIT in early media"), std::string::npos) << e.cause;
  const auto& st = f.states.at(id);
  EXPECT_NE(std::find(st.begin(), st.end(), CallState::early_media), st.end());
  EXPECT_EQ(std::find(st.begin(), st.end(), CallState::answered), st.end());
}
