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
#include "test_machine_lock.h"
#include "test_thread_stacks.h"
#include "test_sim_media.h"
#include "test_paths.h"

using namespace hark;
using namespace hark::signaling;

namespace {
// Every CallRequest of this file is built here: when CallRequest changes, this is the one edit.
CallRequest request(const std::string& number, const std::string& transfer_to = "") {
  CallRequest r;
  r.number = number;
  r.plan = CallPlan::campaign(transfer_to, nullptr);  // a person to `transfer_to` (empty: none)
  return r;
}

struct Fixture {
  std::filesystem::path dir;
  uint16_t base;
  std::unique_ptr<media::MediaEngine> caller_media;
  std::unique_ptr<CalleeSimulator> sim;
  std::unique_ptr<SipAgent> agent;
  std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, CallEvent> ended;
  std::map<uint64_t, std::vector<CallState>> states;
  std::function<void(const CallEvent&)> on_state;  // runs on the SIP thread

  // Each test uses its own block of 1000 ports (slot 0-14), so ctest may run them side by side;
  // the 300-call test's media ranges take two (slots 2 and 3).
  // `trunk` adjusts the dialer's settings; it gets the block's first port.
  // `ip`: the loopback address everything binds to (issue 18's tests use 127.0.0.190).
  explicit Fixture(int slot, int max_calls = 50, double cps = 50, bool srtp = false,
                   std::function<void(TrunkSettings&, uint16_t base)> trunk = {}, const std::string& ip = "127.0.0.1") {
    base = uint16_t(2000 + slot * 1000);  // below the ephemeral range (see media_engine_test.cpp)
    dir = std::filesystem::temp_directory_path() / ("hark-sip-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::vector<int16_t> human, machine, silence;
    test::add_silence(silence, 500);
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
    media::write_wav((dir / "silence.wav").string(), silence);
    // A machine the AMD takes for a person: a short "hello", a pause past the human cap, then
    // its beep (after the person verdict: a late_machine event).
    std::vector<int16_t> late_beep;
    test::add_silence(late_beep, 300);
    test::add_babble(late_beep, 600, -20);
    test::add_silence(late_beep, 2000);
    test::add_tone(late_beep, {1000}, 500, -20);
    test::add_silence(late_beep, 4000);
    media::write_wav((dir / "late-beep.wav").string(), late_beep);
    const std::string map = (dir / "map.txt").string();
    {
      std::ofstream f(map);
      f << "1000* answer " << (dir / "human.wav").string() << " ring=2500\n"
        << "2000* answer " << (dir / "machine.wav").string() << " ring=2500\n"
        // Failures after a few seconds of ringing, as real ones come: the calls overlap.
        << "3000* busy ring=3000\n4000* reject ring=3000\n5000* no-answer\n6000* unavailable ring=3000\n"
        << "7000* not-found ring=3000\n"
        << "9100* announce " << hark::test::source_file("fixtures/samples/sit-001.ul") << "\n"
        << "8000* answer " << (dir / "human.wav").string() << " ring=700\n"
        << "1400* answer " << (dir / "late-beep.wav").string() << " ring=200\n"
        // Dead air; dead air hung up by the callee before any verdict can come.
        << "1100* answer " << (dir / "silence.wav").string() << " ring=200\n"
        << "1200* answer " << (dir / "silence.wav").string() << " ring=200 hold=400\n"
        // Only a number dialed with the prefix 77 is refused.
        << "771000 reject\n"
        // Keys pressed after a short silence (RFC 4733, the oRTP stack), then the callee hangs up.
        << "1300* answer " << (dir / "silence.wav").string() << " ring=200 hold=3000 dtmf=159#\n";
    }
    std::vector<CalleeRule> rules;
    EXPECT_TRUE(read_callee_rules(map, rules).empty());

    media::MediaEngineOptions mo;
    mo.workers = 1;
    mo.port_min = uint16_t(base + 10);
    mo.port_max = uint16_t(mo.port_min + 2 * max_calls + 20);
    mo.max_streams = size_t(max_calls) + 8;
    mo.bind_ip = ip;
    // The simulator's RTP: oRTP or hark's engine (HARK_SIM_RTP_STACK, test_sim_media.h).
    auto callee_media = test::sim_media(mo);
    mo.port_min = uint16_t(mo.port_max + 2);
    mo.port_max = uint16_t(mo.port_min + 2 * max_calls + 20);
    caller_media = std::make_unique<media::MediaEngine>(mo);

    const std::string sim_url = "sip:" + ip + ":" + std::to_string(base);
    sim = std::make_unique<CalleeSimulator>(sim_url, ip, rules, std::move(callee_media));
    EXPECT_EQ(sim->start(), "");

    TrunkSettings t;
    t.bind_url = "sip:" + ip + ":" + std::to_string(base + 1);
    t.domain = ip + ":" + std::to_string(base);
    t.media_ip = ip;
    t.calls_per_second = cps;
    t.max_concurrent = max_calls;
    t.ring_timeout_s = 15;
    t.srtp = srtp;
    if (trunk) trunk(t, base);
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
  /// Waits until the simulator has closed the streams of `answered` calls (it counts what it
  /// received as each ends), up to `seconds`.
  bool wait_sim_streams_closed(int seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (sim->counters().rtp_received.load() == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return sim->counters().rtp_received.load() > 0;
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
      {"6000", LeadStatus::service_temporarily_unavailable, false},
      {"7000", LeadStatus::failure, false},
      {"8000", LeadStatus::success, false},
  };
  std::map<uint64_t, Case> by_id;
  for (const auto& c : cases) {
    CallRequest r = request(c.number, "9999");
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
  }
  EXPECT_EQ(f.sim->counters().refers.load(), 2u);
  EXPECT_EQ(f.agent->calls_in_progress(), 0u);
}

// Apart from the other behaviours: it waits the 15 s ring timeout doing nothing, so ctest runs
// it outside the realtime lock (tests/CMakeLists.txt: *RingTimeout*).
TEST(SipCalls, NoAnswerIsCancelledAtTheRingTimeout) {
  // A 3 s ring timeout (the floor lowered as only tests may): the CANCEL is the same at 15 s.
  Fixture f(6, 50, 50, false, [](TrunkSettings& t, uint16_t) { t.min_ring_timeout_s = t.ring_timeout_s = 3; });
  const uint64_t id = f.agent->originate(request("5000", "9999"));
  ASSERT_TRUE(f.wait_ended(1, 40));
  std::lock_guard<std::mutex> g(f.mu);
  const auto& e = f.ended.at(id);
  EXPECT_EQ(to_string(e.outcome), "NO_ANSWER") << e.cause << " (SIP " << e.sip_code << ")";
  EXPECT_NE(e.cause.find("ring timeout after 3 s"), std::string::npos) << e.cause;
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
  const uint64_t id = f.agent->originate(request("1000", "9999"));
  ASSERT_TRUE(f.wait_ended(1, 20));
  std::lock_guard<std::mutex> lock(f.mu);
  EXPECT_EQ(to_string(f.ended.at(id).outcome), "SUCCESS") << f.ended.at(id).cause;
}

TEST(SipCalls, ThreeHundredConcurrentCallsEndAsTheirNumbersSay) {
  const test::MachineLock heavy("300-calls");  // not beside the other run's (test_machine_lock.h)
  Fixture f(2, 320, 300);
  // Peak concurrency, exactly: the SIP thread counts a call up before it reports `dialing`.
  std::atomic<size_t> peak{0};
  f.on_state = [&](const CallEvent& e) {
    if (e.state == CallState::dialing) peak = std::max(peak.load(), f.agent->calls_up());
  };
  struct Kind { const char* prefix; LeadStatus want; };
  // No no-answers here: they would hold the realtime lock for the 15 s ring timeout, which
  // SipCalls.NoAnswerIsCancelledAtTheRingTimeout checks on its own.
  const Kind kinds[] = {{"1000", LeadStatus::success}, {"2000", LeadStatus::amd}, {"3000", LeadStatus::busy},
                        {"4000", LeadStatus::rejected}, {"6000", LeadStatus::service_temporarily_unavailable},
                        {"7000", LeadStatus::failure}, {"8000", LeadStatus::success}};
  std::map<uint64_t, LeadStatus> want;
  std::map<uint64_t, std::string> number;
  for (int i = 0; i < 300; ++i) {
    // Mostly answered calls (they stay up the longest), a few of each failure. All are dialed
    // within about a second at 300 calls/s, before the first can end (rings of 0.7-3 s).
    const Kind& k = i < 120 ? kinds[0] : i < 220 ? kinds[1] : kinds[2 + (i % 5)];
    const CallRequest r = request(std::string(k.prefix) + std::to_string(1000 + i), "9999");
    const uint64_t id = f.agent->originate(r);
    want[id] = k.want;
    number[id] = r.number;
  }
  ASSERT_TRUE(f.wait_ended(300, 60)) << f.ended.size() << " of 300 ended";
  {
    std::lock_guard<std::mutex> lock(f.mu);
    int right = 0;
    for (auto& [id, w] : want) {
      const auto& e = f.ended.at(id);
      if (e.outcome == w) ++right;
      else
        ADD_FAILURE() << number[id] << ": " << to_string(e.outcome) << " (" << e.cause << "), wanted " << to_string(w)
                      << "; " << e.rtp_received << " RTP packets received, " << e.rtp_lost << " lost";
    }
    EXPECT_EQ(right, 300);
    EXPECT_EQ(peak.load(), 300u) << "the 300 calls were not all up at once";
  }
  // 300 oRTP streams under ASan, beside another test run and the fuzzers, took over 10 s to
  // end (the count comes as each stream ends); the wait returns as soon as one has.
  // (Which way it failed, when it does: streams never closed, or closed having received
  // nothing, one-way audio. Under ASan it failed about one clean-clone run in four, both
  // before and after the 300-call tests stopped overlapping across the two runs.)
  if (!f.wait_sim_streams_closed(30)) {
    ADD_FAILURE() << "the simulator (" << f.sim->rtp_stack() << ") received no RTP: " << f.sim->counters().answered.load()
                  << " calls answered, " << f.sim->counters().streams_ended.load() << " streams ended; hark's media ("
                  << f.caller_media->io_path() << ") had " << f.caller_media->send_errors() << " sends refused";
    test::print_thread_stacks();  // a stalled thread (which, where) or one-way audio (none)
  }
  std::printf("peak concurrent calls: %zu; hark's media (%s): %llu sends refused\n", peak.load(),
              f.caller_media->io_path().c_str(), static_cast<unsigned long long>(f.caller_media->send_errors()));
}

TEST(SipCalls, SrtpCallsCarryAudioBothWays) {
  // SDES-keyed SRTP offer and answer: the AMD can only hear the person or the machine (and
  // its beep) if the audio decrypts.
  Fixture f(11, 50, 50, /*srtp=*/true);
  const CallRequest human = request("1000", "9999"), machine = request("2000");
  const uint64_t h = f.agent->originate(human), m = f.agent->originate(machine);
  ASSERT_TRUE(f.wait_ended(2, 30));
  std::lock_guard<std::mutex> lock(f.mu);
  EXPECT_EQ(to_string(f.ended.at(h).outcome), "SUCCESS") << f.ended.at(h).cause;
  EXPECT_EQ(f.ended.at(h).verdict, amd::Verdict::human);
  EXPECT_EQ(to_string(f.ended.at(m).outcome), "AMD") << f.ended.at(m).cause;
  EXPECT_GT(f.ended.at(h).rtp_received, 0u);
  // The other way: the simulator decrypted what hark sent, and nothing failed authentication.
  EXPECT_TRUE(f.wait_sim_streams_closed(10)) << "the simulator (" << f.sim->rtp_stack() << ") received no RTP";
  EXPECT_EQ(f.sim->counters().srtp_failures.load(), 0u);
}

TEST(SipCalls, TheCalleesDtmfDigitsReachTheCall) {
  // RFC 4733 telephone events from the callee (oRTP's rtp_session_send_dtmf) after its
  // greeting: hark's receiver reports each digit once, in order. hark's own engine only
  // receives DTMF, so on that stack the simulator has no keys to press.
  if (test::sim_rtp_stack() != RtpStack::ortp) GTEST_SKIP() << "the simulator on hark's engine sends no DTMF";
  Fixture f(14);
  const uint64_t id = f.agent->originate(request("1300"));
  ASSERT_TRUE(f.wait_ended(1, 20));
  std::lock_guard<std::mutex> lock(f.mu);
  const auto& e = f.ended.at(id);
  EXPECT_TRUE(e.answered) << e.cause;
  EXPECT_EQ(e.dtmf, "159#") << e.cause;
}

TEST(SipCalls, TransferOnRequest) {
  Fixture f(4);
  std::atomic<uint64_t> id{0};
  f.on_state = [&](const CallEvent& e) {
    if (e.state == CallState::answered) f.agent->transfer(e.call_id, "7777");
  };
  id = f.agent->originate(request("1000"));  // no transfer target: only transfer() connects the person
  ASSERT_TRUE(f.wait_ended(1, 20));
  std::lock_guard<std::mutex> lock(f.mu);
  const auto& e = f.ended.at(id);
  EXPECT_EQ(to_string(e.outcome), "SUCCESS") << e.cause;
  EXPECT_NE(e.cause.find("transferred to 7777"), std::string::npos) << e.cause;
  // The simulator logs each REFER with the number its call was placed to and the Refer-To.
  const auto seen = f.sim->counters().refers_seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].number, "1000");
  EXPECT_EQ(seen[0].target.rfind("sip:7777@", 0), 0u) << seen[0].target;
}

TEST(SipCalls, SitInEarlyMediaIsAFailureBeforeAnyAnswer) {
  // 183 with SDP, SIT then "not in service" as early media: the dialer hears the SIT, cancels,
  // and the lead is FAILURE (an invalid number) without waiting for the 404.
  Fixture f(5);
  const uint64_t id = f.agent->originate(request("9100"));
  ASSERT_TRUE(f.wait_ended(1, 20));
  std::lock_guard<std::mutex> lock(f.mu);
  const auto& e = f.ended.at(id);
  EXPECT_EQ(to_string(e.outcome), "FAILURE") << e.cause;
  EXPECT_NE(e.cause.find("SIT in early media"), std::string::npos) << e.cause;
  const auto& st = f.states.at(id);
  EXPECT_NE(std::find(st.begin(), st.end(), CallState::early_media), st.end());
  EXPECT_EQ(std::find(st.begin(), st.end(), CallState::answered), st.end());
}

TEST(SipCalls, DeadAirAndAnUnsureVerdictWithoutATransferTargetAreUnknown) {
  // The README's outcome table: dead air, and a person (or an unsure verdict, treated as one)
  // that cannot be transferred, are UNKNOWN.
  Fixture f(7);
  CallRequest dead = request("1100", "9999");
  dead.amd_params.initial_silence_ms = 1500;  // dead air sooner than the default 5 s
  // The machine's 4 s greeting, cut short by the analysis time and never long enough to be a
  // machine: the AMD gives up unsure. The fixed-silence rules give `unknown` at the analysis
  // timeout; the learned decision (hark's default) decides there by its model instead, so the
  // rules are asked for: this test is about what signaling does with an unsure verdict.
  CallRequest unsure = request("2000"), unsure_transferred = request("2000", "9999");
  for (CallRequest* r : {&unsure, &unsure_transferred}) {
    r->amd_params.learned_decision = false;
    r->amd_params.greeting_ms = 10000;
    r->amd_params.total_analysis_ms = 2000;
  }
  const uint64_t d = f.agent->originate(dead), u = f.agent->originate(unsure);
  const uint64_t ut = f.agent->originate(unsure_transferred);
  ASSERT_TRUE(f.wait_ended(3, 30));
  std::lock_guard<std::mutex> lock(f.mu);
  const auto& de = f.ended.at(d);
  EXPECT_EQ(de.verdict, amd::Verdict::silence) << de.amd_cause;
  EXPECT_EQ(to_string(de.outcome), "UNKNOWN") << de.cause;
  EXPECT_EQ(de.cause, "dead air");
  const auto& ue = f.ended.at(u);
  EXPECT_EQ(ue.verdict, amd::Verdict::unknown) << ue.amd_cause;
  EXPECT_EQ(to_string(ue.outcome), "UNKNOWN") << ue.cause;
  EXPECT_NE(ue.cause.find("no transfer target"), std::string::npos) << ue.cause;
  // With a pilot number the unsure verdict is transferred like a person.
  const auto& te = f.ended.at(ut);
  EXPECT_EQ(te.verdict, amd::Verdict::unknown) << te.amd_cause;
  EXPECT_EQ(to_string(te.outcome), "SUCCESS") << te.cause;
}

TEST(SipCalls, CalleeHangingUpBeforeAVerdictIsUnknown) {
  Fixture f(8);
  const uint64_t id = f.agent->originate(request("1200", "9999"));  // BYE 0.4 s after the answer
  ASSERT_TRUE(f.wait_ended(1, 20));
  std::lock_guard<std::mutex> lock(f.mu);
  const auto& e = f.ended.at(id);
  EXPECT_TRUE(e.answered);
  EXPECT_FALSE(e.has_verdict) << e.amd_cause;
  EXPECT_EQ(to_string(e.outcome), "UNKNOWN") << e.cause;
  EXPECT_EQ(e.cause, "callee hung up before a verdict");
}

TEST(SipCalls, NothingListeningIsA503ServiceUnavailable) {
  // The trunk's port has no socket: sofia reports the transport failure as 503.
  Fixture f(9, 50, 50, false,
            [](TrunkSettings& t, uint16_t base) { t.domain = "127.0.0.1:" + std::to_string(base + 7); });
  const uint64_t id = f.agent->originate(request("1000", "9999"));
  ASSERT_TRUE(f.wait_ended(1, 45));
  std::lock_guard<std::mutex> lock(f.mu);
  const auto& e = f.ended.at(id);
  EXPECT_EQ(e.sip_code, 503) << e.cause;
  EXPECT_EQ(to_string(e.outcome), "SERVICE_TEMPORARILY_UNAVAILABLE") << e.cause;
  EXPECT_EQ(f.sim->counters().invites.load(), 0u);
}

TEST(SipCalls, CallsGoThroughTheOutboundProxy) {
  // The trunk's own address has nothing listening; only the proxy (the simulator) can answer.
  Fixture f(10, 50, 50, false, [](TrunkSettings& t, uint16_t base) {
    t.domain = "127.0.0.1:" + std::to_string(base + 7);
    t.proxy = "sip:127.0.0.1:" + std::to_string(base);
  });
  const uint64_t id = f.agent->originate(request("3000", "9999"));
  ASSERT_TRUE(f.wait_ended(1, 20));
  std::lock_guard<std::mutex> lock(f.mu);
  const auto& e = f.ended.at(id);
  EXPECT_EQ(e.sip_code, 486) << e.cause;
  EXPECT_EQ(to_string(e.outcome), "BUSY") << e.cause;
  EXPECT_EQ(f.sim->counters().invites.load(), 1u);
}

TEST(SipCalls, TheDialPrefixIsDialed) {
  // 1000 alone is a person; only 771000, the number with the prefix, is refused.
  Fixture f(12, 50, 50, false, [](TrunkSettings& t, uint16_t) { t.dial_prefix = "77"; });
  const uint64_t id = f.agent->originate(request("1000", "9999"));
  ASSERT_TRUE(f.wait_ended(1, 20));
  std::lock_guard<std::mutex> lock(f.mu);
  const auto& e = f.ended.at(id);
  EXPECT_EQ(e.number, "771000");
  EXPECT_EQ(e.sip_code, 603) << e.cause;
  EXPECT_EQ(to_string(e.outcome), "REJECTED") << e.cause;
}

// Issue 18: a person the AMD finds takes the agent the gate gives, or hears the identification
// message and the call ends ABANDONED; an agent freed while a person waits takes them.
TEST(SipCalls, APersonTakesAFreeAgentOrHearsTheIdentificationMessageAndIsAbandoned) {
  Fixture f(13, 50, 50, false, {}, "127.0.0.190");
  struct Gate : AgentGate {
    std::atomic<int> free{1};
    std::string take(uint64_t) override {
      int n = free.load();
      while (n > 0)
        if (free.compare_exchange_weak(n, n - 1)) return "7001";
      return {};
    }
  };
  auto gate = std::make_shared<Gate>();
  std::vector<int16_t> msg;
  test::add_tone(msg, {600}, 700, -20);
  const media::Prompt identification = media::Prompt::from_pcm(msg);
  auto req = [&](const std::string& number) {
    CallRequest r = request(number);
    r.plan.person = Reaction::to_agent(gate, 1200, &identification);
    return r;
  };
  // Two people answer within 2 s of each other: one agent is free.
  const uint64_t a = f.agent->originate(req("1000"));
  const uint64_t b = f.agent->originate(req("8000"));
  ASSERT_TRUE(f.wait_ended(2, 30));
  std::lock_guard<std::mutex> lock(f.mu);
  int transferred = 0, abandoned = 0;
  for (uint64_t id : {a, b}) {
    const auto& e = f.ended.at(id);
    if (e.outcome == LeadStatus::success) {
      ++transferred;
      EXPECT_NE(e.cause.find("transferred to 7001"), std::string::npos) << e.cause;
    } else {
      ++abandoned;
      EXPECT_EQ(to_string(e.outcome), "ABANDONED") << e.cause;
      EXPECT_NE(e.cause.find("identification message played"), std::string::npos) << e.cause;
      const auto& st = f.states.at(id);
      EXPECT_NE(std::find(st.begin(), st.end(), CallState::playing_message), st.end());
      EXPECT_EQ(std::find(st.begin(), st.end(), CallState::transferring), st.end());
    }
  }
  EXPECT_EQ(transferred, 1);
  EXPECT_EQ(abandoned, 1);
}

// A machine the AMD called a person, whose beep came while the person waited for an agent (none
// free): it gets the machine's voicemail, not the identification message, and ends a machine
// (AMD), not ABANDONED. No agent is asked for once the beep is heard.
TEST(SipCalls, ALateBeepWhileWaitingForAnAgentLeavesTheVoicemail) {
  Fixture f(13, 50, 50, false, {}, "127.0.0.195");
  struct Gate : AgentGate {
    std::atomic<bool> free{false};
    std::atomic<int> asked{0};
    std::string take(uint64_t) override {
      ++asked;
      return free ? "7001" : "";
    }
  };
  auto gate = std::make_shared<Gate>();
  std::vector<int16_t> id_pcm, vm_pcm;
  test::add_tone(id_pcm, {600}, 700, -20);
  test::add_tone(vm_pcm, {800}, 900, -20);
  const media::Prompt identification = media::Prompt::from_pcm(id_pcm);
  const media::Prompt voicemail = media::Prompt::from_pcm(vm_pcm);
  CallRequest r = request("1400");
  r.plan.person = Reaction::to_agent(gate, 4000, &identification);
  r.plan.machine = Reaction::voicemail(&voicemail);
  // Once the voicemail plays, an agent comes free: the call, a machine now, must not take it.
  std::atomic<int> asked_at_message{-1};
  f.on_state = [&](const CallEvent& e) {
    if (e.state == CallState::playing_message && asked_at_message < 0) {
      asked_at_message = gate->asked.load();
      gate->free = true;
    }
  };
  const uint64_t id = f.agent->originate(r);
  ASSERT_TRUE(f.wait_ended(1, 30));
  std::lock_guard<std::mutex> lock(f.mu);
  const auto& e = f.ended.at(id);
  // The person verdict came first (the late cause is only ever set after one); the verdict
  // recorded is then a machine's, from the late beep.
  EXPECT_EQ(e.amd_late_cause.rfind("late-beep-", 0), 0u) << e.amd_late_cause;
  EXPECT_EQ(e.verdict, amd::Verdict::machine) << e.amd_cause;
  EXPECT_EQ(e.amd_cause.rfind("late-beep-", 0), 0u) << e.amd_cause;
  EXPECT_EQ(to_string(e.outcome), "AMD") << e.cause;
  EXPECT_NE(e.cause.find("message left after the beep"), std::string::npos) << e.cause;
  const auto& st = f.states.at(id);
  EXPECT_NE(std::find(st.begin(), st.end(), CallState::playing_message), st.end());
  EXPECT_EQ(std::find(st.begin(), st.end(), CallState::transferring), st.end());
  EXPECT_GT(asked_at_message.load(), 0);                // the person did wait at the gate first
  EXPECT_EQ(gate->asked.load(), asked_at_message.load());  // and no more once a machine
}
