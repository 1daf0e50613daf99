// The fixtures of the call control tests (issue 16) against sipp: sip_control_test.cpp (hold,
// resume, attended transfer, the callee's re-INVITEs) and sip_control_race_test.cpp (our
// re-INVITE in flight or waiting after a 491 while the call is asked to move on).
//
// Addresses (tests/README.md): the agent 127.0.0.170 (SIP 5070, RTP 40000-40039), sipp as the
// callee .171 (SIP 5071), the callee's media: the test's UDP socket .172:7000 (and .174:7000
// after it moves), sipp as the consult target .173 (SIP 5073).
#pragma once

#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "signaling/sip_agent.h"
#include "test_net.h"
#include "test_paths.h"

namespace hark::test::sipctl {
using namespace hark::signaling;
using namespace std::chrono_literals;

using Clock = std::chrono::steady_clock;
inline constexpr int kAgentSip = 5070, kCalleeSip = 5071, kTargetSip = 5073;

inline std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The callee's RTP as a test sees it: a UDP socket at the address the callee's SDP names.
struct RtpSink {
  int fd = -1;
  RtpSink(const char* ip, uint16_t port) {
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, ip, &a.sin_addr);
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << ip << ":" << port;
  }
  ~RtpSink() { ::close(fd); }
  // One packet within `within`: true with the payload's "music" verdict in `loud`.
  bool next(Clock::duration within, bool& loud) {
    pollfd p{fd, POLLIN, 0};
    const int ms = int(std::chrono::duration_cast<std::chrono::milliseconds>(within).count());
    if (::poll(&p, 1, ms) <= 0) return false;
    uint8_t buf[1500];
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 12 + 160) return next(within, loud);
    // μ-law: silence is 0xff/0x7f; the louder a sample, the smaller its low 7 bits.
    int strong = 0;
    for (ssize_t i = 12; i < n; ++i) strong += (buf[i] & 0x7f) < 0x60;
    loud = strong >= 20;
    return true;
  }
  // Waits (up to `deadline`) until `want` packets matched `pred(loud)`; returns how many did.
  int wait_for(int want, std::function<bool(bool)> pred, Clock::duration deadline = 15s) {
    int got = 0;
    const auto until = Clock::now() + deadline;
    bool loud = false;
    while (got < want && Clock::now() < until)
      if (next(until - Clock::now(), loud) && pred(loud)) ++got;
    return got;
  }
  // Packets arriving within `window` (draining what came before is the caller's job).
  int count_within(Clock::duration window) {
    int got = 0;
    const auto until = Clock::now() + window;
    bool loud = false;
    while (Clock::now() < until)
      if (next(until - Clock::now(), loud)) ++got;
    return got;
  }
  void drain() {
    uint8_t buf[1500];
    while (::recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
  }
};

// sipp as one UAS for one call; its messages are traced to a file the test reads.
struct Sipp {
  std::string log, messages;
  std::future<int> status;
  Sipp(const std::string& scenario, const char* ip, int port, const std::string& keys) {
    const std::string stem = "/tmp/hark-sipctl-" + std::to_string(::getpid()) + "-" + std::to_string(port);
    log = stem + ".err";
    messages = stem + ".msg";
    std::remove(messages.c_str());
    const std::string cmd = "timeout 60 sipp -sf " + std::string(hark::test::kSippDir) + "/" + scenario + " -i " + ip +
                            " -p " + std::to_string(port) + " -mp 6000 -m 1 -nostdin -timeout 50s -timeout_error" +
                            " -trace_err -error_file " + log + " -trace_msg -message_file " + messages + " " + keys +
                            " >/dev/null 2>&1";
    status = std::async(std::launch::async, [cmd] { return WEXITSTATUS(std::system(cmd.c_str())); });
    EXPECT_TRUE(test::wait_udp_bound(port)) << "sipp did not start listening on " << port;
  }
  // Waits until sipp's message trace holds `text` `times` times or more.
  bool wait_trace(const std::string& text, Clock::duration deadline = 20s, int times = 1) {
    const auto until = Clock::now() + deadline;
    while (Clock::now() < until) {
      const std::string m = slurp(messages);
      int n = 0;
      for (auto at = m.find(text); at != std::string::npos && n < times; at = m.find(text, at + 1)) ++n;
      if (n >= times) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  int finish() {
    const int s = status.get();
    if (s != 0) ADD_FAILURE() << "sipp: " << slurp(log);
    std::remove(log.c_str());
    return s;
  }
  ~Sipp() {
    if (status.valid()) status.wait();
    std::remove(messages.c_str());
  }
};

struct Agent {
  media::MediaEngine engine;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<CallEvent> events;
  SipAgent agent;

  static media::MediaEngineOptions media_options() {
    media::MediaEngineOptions mo;
    mo.workers = 1;
    mo.bind_ip = "127.0.0.170";
    mo.port_min = 40000;
    mo.port_max = 40039;
    mo.max_streams = 8;
    return mo;
  }
  static TrunkSettings trunk(const std::string& domain = "127.0.0.171:" + std::to_string(kCalleeSip)) {
    TrunkSettings t;
    t.bind_url = "sip:127.0.0.170:" + std::to_string(kAgentSip);
    t.domain = domain;
    t.media_ip = "127.0.0.170";
    return t;
  }
  explicit Agent(TrunkSettings t = trunk())
      : engine(media_options()), agent(std::move(t), engine, [this](const CallEvent& e) {
          std::lock_guard<std::mutex> g(mu);
          events.push_back(e);
          cv.notify_all();
        }) {
    EXPECT_EQ(agent.start(), "");
  }
  // A person-to-person call (no AMD) that stays up for two minutes unless ended before.
  uint64_t call() {
    CallRequest r;
    r.number = "5551234";
    r.amd = false;
    r.plan = CallPlan::load_test(120000);
    return agent.originate(r);
  }
  // Waits for the `nth` (1-based) event of call `id` in `state`; returns it.
  std::optional<CallEvent> wait(uint64_t id, CallState state, int nth = 1, Clock::duration deadline = 30s) {
    std::unique_lock<std::mutex> g(mu);
    std::optional<CallEvent> found;
    cv.wait_for(g, deadline, [&] {
      int n = 0;
      for (const auto& e : events)
        if (e.call_id == id && e.state == state && ++n == nth) return found = e, true;
      return false;
    });
    return found;
  }
  std::vector<CallState> states(uint64_t id) {
    std::lock_guard<std::mutex> g(mu);
    std::vector<CallState> out;
    for (const auto& e : events)
      if (e.call_id == id) out.push_back(e.state);
    return out;
  }
  std::vector<CallEvent> all() {
    std::lock_guard<std::mutex> g(mu);
    return events;
  }
};

inline std::string names(const std::vector<CallState>& v) {
  std::string s;
  for (auto st : v) s += std::string(s.empty() ? "" : " ") + std::string(to_string(st));
  return s;
}

inline const std::string kCalleeMedia = "-key rtp_ip 127.0.0.172 -key rtp_ip2 127.0.0.174 -key rtp_port 7000";
inline bool silent(bool loud) { return !loud; }
inline bool music(bool loud) { return loud; }

// The agent gate with one agent ("7001"), free once the test says so; it counts the times
// it gave the agent.
struct OneAgentGate : AgentGate {
  std::atomic<bool> free{false};
  std::atomic<int> taken{0};
  std::string take(uint64_t) override {
    if (!free.exchange(false)) return {};
    ++taken;
    return "7001";
  }
};

// A person's call to the agent gate `gate`: no AMD (whoever answers is a person), waiting
// `wait_ms` at most for an agent, then the `identification` message (none: hung up).
inline CallRequest to_the_gate(std::shared_ptr<AgentGate> gate, int wait_ms, const media::Prompt* identification) {
  CallRequest r;
  r.number = "5551234";
  r.amd = false;
  r.plan.person = Reaction::to_agent(std::move(gate), wait_ms, identification);
  return r;
}

// Places the call, and once it is answered consults the target at .173 until it answers.
inline uint64_t call_and_consult(Agent& a) {
  const uint64_t id = a.call();
  EXPECT_TRUE(a.wait(id, CallState::answered));
  a.agent.consult(id, "sip:7000@127.0.0.173:" + std::to_string(kTargetSip));
  EXPECT_TRUE(a.wait(id, CallState::consulting, 2)) << names(a.states(id));
  return id;
}

// Cancels the consultation of call `id`, which is answered again once the callee is
// resumed (or was never held), while the consult target gets its BYE; then hangs up.
inline void cancel_then_hang_up(Agent& a, uint64_t id, Sipp& target) {
  a.agent.cancel_consult(id);
  ASSERT_TRUE(a.wait(id, CallState::answered, 2)) << names(a.states(id));
  EXPECT_EQ(target.finish(), 0) << "the consult leg got its BYE";
  a.agent.hangup(id);
  ASSERT_TRUE(a.wait(id, CallState::ended));
}

}  // namespace hark::test::sipctl
