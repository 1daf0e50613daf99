// Interop against sipp (Debian's sip-tester) as the called party: each scenario in tests/sipp
// is a real UAS, and each call's outcome must be the one the outcome table gives. sipp's own
// exit status says whether it saw what it expected (ACKs, CANCEL, digest, REFER, BYE).
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "amd/ringback.h"
#include "media/audio_file.h"
#include "signaling/sip_agent.h"
#include "test_audio.h"
#include "test_net.h"
#include "test_paths.h"
#include "test_pcap.h"

using namespace hark;
using namespace hark::signaling;

namespace {
struct Result {
  CallEvent ended;
  int sipp_status = -1;
  std::string sipp_log;
};

// Ports by process and slot (0-15): sipp SIP 17000-20199 (+1: agent SIP, +2 and +4: sipp's
// audio and video media), the agent's media 21000-25799. A slot's ports span 8: at 4, one
// test's sipp video port was the next slot's SIP port, and two tests running side by side
// whose processes shared a block (pid % 50) failed to bind (errno 98, found by CI at 8572f1a).
int sipp_port(int slot) { return 17000 + (::getpid() % 25) * 128 + slot * 8; }
uint16_t media_port(int slot) { return uint16_t(21000 + (::getpid() % 50) * 96 + slot * 6); }

// Every CallRequest of this file is built here: when CallRequest changes, this is the one edit.
CallRequest request(const std::string& transfer_to = "") {
  CallRequest r;
  r.number = "5551234";
  r.plan = CallPlan::campaign(transfer_to, nullptr);  // a person to `transfer_to` (empty: none)
  return r;
}

// Starts sipp as the UAS of `scenario` for one call and waits until it listens; the future
// gives its exit status (0: it saw everything the scenario expects).
std::future<int> start_sipp(const std::string& scenario, int slot, const std::string& log) {
  const int base = sipp_port(slot);
  const std::string cmd = "timeout 60 sipp -sf " + std::string(hark::test::kSippDir) + "/" + scenario +
                          " -i 127.0.0.1 -p " + std::to_string(base) + " -mp " + std::to_string(base + 2) +
                          " -m 1 -nostdin -timeout 50s -timeout_error -trace_err -error_file " + log +
                          (std::getenv("HARK_SIPP_TRACE") ? " -trace_msg -message_file /tmp/hark-sipp-msgs.log" : "") +
                          " >/dev/null 2>&1";
  auto sipp = std::async(std::launch::async, [cmd] { return WEXITSTATUS(std::system(cmd.c_str())); });
  EXPECT_TRUE(test::wait_udp_bound(base)) << "sipp did not start listening on " << base;
  return sipp;
}

std::string read_and_remove(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::remove(path.c_str());
  return ss.str();
}

// Runs one call from the agent to sipp running `scenario`; `tweak` adjusts the request,
// `trunk` the agent's settings.
Result call_sipp(const std::string& scenario, int slot, std::function<void(CallRequest&)> tweak,
                 std::function<void(TrunkSettings&)> trunk = {}) {
  const int base = sipp_port(slot);
  const std::string log = "/tmp/hark-sipp-" + std::to_string(::getpid()) + "-" + std::to_string(slot) + ".log";
  auto sipp = start_sipp(scenario, slot, log);

  media::MediaEngineOptions mo;
  mo.workers = 1;
  mo.port_min = media_port(slot);
  mo.port_max = uint16_t(mo.port_min + 5);
  mo.max_streams = 4;
  media::MediaEngine engine(mo);
  TrunkSettings t;
  t.bind_url = "sip:127.0.0.1:" + std::to_string(base + 1);
  t.domain = "127.0.0.1:" + std::to_string(base);
  t.username = "hark";
  t.password = "s3cret";
  t.ring_timeout_s = 15;
  if (trunk) trunk(t);
  std::mutex mu;
  std::condition_variable cv;
  Result r;
  bool done = false;
  SipAgent agent(t, engine, [&](const CallEvent& e) {
    if (e.state != CallState::ended) return;
    std::lock_guard<std::mutex> g(mu);
    r.ended = e;
    done = true;
    cv.notify_all();
  });
  EXPECT_EQ(agent.start(), "");
  CallRequest req = request();
  tweak(req);
  agent.originate(req);
  {
    std::unique_lock<std::mutex> g(mu);
    EXPECT_TRUE(cv.wait_for(g, std::chrono::seconds(45), [&] { return done; })) << scenario << ": call did not end";
  }
  r.sipp_status = sipp.get();
  agent.stop();
  r.sipp_log = read_and_remove(log);
  return r;
}
}  // namespace

TEST(SippInterop, BusyIs486) {
  auto r = call_sipp("uas_486.xml", 0, [](CallRequest&) {});
  EXPECT_EQ(r.ended.sip_code, 486);
  EXPECT_EQ(to_string(r.ended.outcome), "BUSY");
  EXPECT_EQ(r.sipp_status, 0) << r.sipp_log;
}

TEST(SippInterop, DeclineIs603Rejected) {
  auto r = call_sipp("uas_603.xml", 1, [](CallRequest&) {});
  EXPECT_EQ(to_string(r.ended.outcome), "REJECTED");
  EXPECT_EQ(r.sipp_status, 0) << r.sipp_log;
}

TEST(SippInterop, ServiceUnavailableWithRetryAfterIsNotRetried) {
  auto r = call_sipp("uas_503_retry_after.xml", 2, [](CallRequest&) {});
  EXPECT_EQ(to_string(r.ended.outcome), "SERVICE_TEMPORARILY_UNAVAILABLE");
  EXPECT_EQ(r.sipp_status, 0) << "sipp saw a second INVITE: " << r.sipp_log;
}

TEST(SippInterop, NoAnswerIsCancelledAtTheRingTimeout) {
  // A 3 s ring timeout (the floor lowered as only tests may): the CANCEL is the same at 15 s.
  auto r = call_sipp("uas_no_answer.xml", 3, [](CallRequest&) {},
                     [](TrunkSettings& t) { t.min_ring_timeout_s = t.ring_timeout_s = 3; });
  EXPECT_EQ(to_string(r.ended.outcome), "NO_ANSWER");
  EXPECT_NE(r.ended.cause.find("ring timeout after 3 s"), std::string::npos) << r.ended.cause;
  EXPECT_GT(r.ended.setup_ms, 0);  // the 180's post-dial delay was measured
  EXPECT_EQ(r.sipp_status, 0) << r.sipp_log;
}

TEST(SippInterop, DigestChallengeIsAnswered) {
  auto r = call_sipp("uas_401_auth.xml", 4, [](CallRequest& q) { q.amd = false; });
  EXPECT_EQ(r.ended.sip_code, 200) << r.ended.cause;
  EXPECT_EQ(to_string(r.ended.outcome), "UNKNOWN");  // a person, and no transfer target
  EXPECT_EQ(r.sipp_status, 0) << "digest rejected or no BYE: " << r.sipp_log;
}

TEST(SippInterop, ReferIsAcceptedWithNotify) {
  auto r = call_sipp("uas_refer.xml", 5, [](CallRequest& q) {
    q.amd = false;
    q.plan.person = Reaction::transfer("9999");
  });
  EXPECT_EQ(to_string(r.ended.outcome), "SUCCESS") << r.ended.cause;
  EXPECT_EQ(r.sipp_status, 0) << r.sipp_log;
}

TEST(SippInterop, AnsweredPcapAudioIsAMachine) {
  // sipp's g711a.pcap is a long greeting: `hark amd /usr/share/sip-tester/g711a.pcap` says
  // machine (long-greeting), and the live call must hear the same.
  auto r = call_sipp("uas_answer_pcap.xml", 6, [](CallRequest&) {});
  ASSERT_TRUE(r.ended.has_verdict) << r.ended.cause;
  EXPECT_EQ(r.ended.verdict, amd::Verdict::machine) << r.ended.amd_cause;
  EXPECT_NE(r.ended.amd_cause.find("long-greeting"), std::string::npos) << r.ended.amd_cause;
  EXPECT_EQ(to_string(r.ended.outcome), "AMD") << r.ended.cause;
  EXPECT_EQ(r.sipp_status, 0) << r.sipp_log;
}

TEST(SippInterop, AnswerWithoutAudioEndsWithAClearCause) {
  auto r = call_sipp("uas_sdp_no_audio.xml", 7, [](CallRequest&) {});
  EXPECT_EQ(to_string(r.ended.outcome), "UNKNOWN");
  EXPECT_NE(r.ended.cause.find("bad SDP answer: SDP has no audio stream"), std::string::npos) << r.ended.cause;
  EXPECT_EQ(r.sipp_status, 0) << "no BYE: " << r.sipp_log;
}

TEST(SippInterop, AnswerWithUnknownCodecsOnlyEndsWithAClearCause) {
  auto r = call_sipp("uas_sdp_unknown_codec.xml", 8, [](CallRequest&) {});
  EXPECT_NE(r.ended.cause.find("no common codec: the peer offers only G729"), std::string::npos) << r.ended.cause;
  EXPECT_EQ(r.sipp_status, 0) << "no BYE: " << r.sipp_log;
}

TEST(SippInterop, RegistersWithDigestAndUnregistersOnStop) {
  const int slot = 9, base = sipp_port(slot);
  const std::string log = "/tmp/hark-sipp-" + std::to_string(::getpid()) + "-reg.log";
  auto sipp = start_sipp("uas_register.xml", slot, log);
  media::MediaEngineOptions mo;
  mo.workers = 1;
  mo.port_min = media_port(slot);
  mo.port_max = uint16_t(mo.port_min + 5);
  media::MediaEngine engine(mo);
  TrunkSettings t;
  t.bind_url = "sip:127.0.0.1:" + std::to_string(base + 1);
  t.domain = "127.0.0.1:" + std::to_string(base);
  t.registrar = "sip:127.0.0.1:" + std::to_string(base);
  t.username = "hark";
  t.password = "s3cret";
  SipAgent agent(t, engine, nullptr);
  ASSERT_EQ(agent.start(), "");
  for (int i = 0; i < 100 && !agent.registered(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(agent.registered());
  agent.stop();  // sends the un-REGISTER
  // (Read before the assertion: a streamed message is built only on failure, and a passing
  // run whose sipp wrote a warning, a watchdog's under load, left its error file in /tmp.)
  const int sipp_status = sipp.get();
  const std::string sipp_log = read_and_remove(log);
  EXPECT_EQ(sipp_status, 0) << sipp_log;
}

TEST(SippInterop, ProxyAuthenticationChallengeIsAnswered) {
  // 407 with Proxy-Authenticate: sipp checks the Proxy-Authorization digest (hark / s3cret).
  auto r = call_sipp("uas_407_proxy_auth.xml", 10, [](CallRequest& q) { q.amd = false; });
  EXPECT_EQ(r.ended.sip_code, 200) << r.ended.cause;
  EXPECT_EQ(to_string(r.ended.outcome), "UNKNOWN") << r.ended.cause;  // a person, and no transfer target
  EXPECT_EQ(r.sipp_status, 0) << "digest rejected or no BYE: " << r.sipp_log;
}

TEST(SippInterop, RefusedReferHangsUpAsUnknown) {
  // The callee answers REFER with 603: the person was not transferred (UNKNOWN) and hark
  // hangs up with the reason.
  auto r = call_sipp("uas_refer_refused.xml", 11, [](CallRequest& q) {
    q.amd = false;
    q.plan.person = Reaction::transfer("9999");
  });
  EXPECT_EQ(to_string(r.ended.outcome), "UNKNOWN") << r.ended.cause;
  EXPECT_NE(r.ended.cause.find("transfer was refused (603"), std::string::npos) << r.ended.cause;
  EXPECT_EQ(r.sipp_status, 0) << "no BYE after the refused REFER: " << r.sipp_log;
}

TEST(SippInterop, WatchdogEndsAnAnsweredCallThatSendsNothing) {
  // Answered, then no RTP and no BYE: without audio no verdict comes, and the watchdog hangs
  // up after the AMD's total analysis time (1 s here) + its margin (15 s by default, 3 s here).
  // Idle meanwhile: ctest runs it outside the realtime lock (*Watchdog*).
  auto r = call_sipp("uas_answer_silent.xml", 12, [](CallRequest& q) {
    q.plan.person = Reaction::transfer("9999");
    q.amd_params.total_analysis_ms = 1000;
  }, [](TrunkSettings& t) { t.watchdog_extra_ms = 3000; });
  EXPECT_TRUE(r.ended.answered);
  EXPECT_FALSE(r.ended.has_verdict) << r.ended.amd_cause;
  EXPECT_EQ(to_string(r.ended.outcome), "UNKNOWN") << r.ended.cause;
  EXPECT_EQ(r.ended.cause, "no progress for too long in state answered");
  EXPECT_EQ(r.sipp_status, 0) << "no BYE from the watchdog: " << r.sipp_log;
}

TEST(SippInterop, WatchdogWaitsThroughRingingPlayedAfterTheAnswer) {
  // The callee answers, then plays North American ringback three times (as an exchange does
  // while it forwards the call) and a person says "hello?" 14.5 s after the answer. The
  // watchdog allows 7 s of analysis + 6 s here: the AMD's `ringing` event after each ring
  // is progress, so the person is reached (without it the call is hung up at 13 s as stuck).
  // In the *Watchdog* group: idle most of the time, outside the realtime lock.
  std::vector<int16_t> audio;
  for (int ring = 0; ring < 3; ++ring) {
    test::add_tone(audio, {440, 480}, 2000, -19);
    test::add_silence(audio, ring < 2 ? 4000 : 500);
  }
  std::vector<int16_t> hello;
  ASSERT_EQ(media::read_audio(test::source_file("fixtures/samples/human-short-001.ul"), hello), "");
  audio.insert(audio.end(), hello.begin() + 750 * 8, hello.end());  // its "hello?" starts 800 ms in
  test::add_silence(audio, 4000);
  test::add_noise(audio, -62);
  // Written whole, then renamed: the ASan run beside this one writes the same bytes there.
  const std::string pcap = "/tmp/hark-sipp-ringback-then-hello.pcap";
  const std::string part = pcap + "." + std::to_string(::getpid());
  test::write_rtp_pcap(part, audio, media::G711Law::alaw);
  ASSERT_EQ(std::rename(part.c_str(), pcap.c_str()), 0);
  auto r = call_sipp("uas_answer_ringback.xml", 13, [](CallRequest&) {},
                     [](TrunkSettings& t) { t.watchdog_extra_ms = 6000; });
  ASSERT_TRUE(r.ended.has_verdict) << r.ended.cause;
  EXPECT_EQ(r.ended.verdict, amd::Verdict::human) << r.ended.amd_cause << " / " << r.ended.cause;
  EXPECT_GT(r.ended.amd_ms, 14500) << "decided on the person, after the ringing";
  EXPECT_EQ(r.sipp_status, 0) << r.sipp_log;
}
