// A dialer for the trunk tests (tests/signaling/sip_trunks_test.cpp against callee simulators,
// kamailio_test.cpp against a real Kamailio): hark's SipAgent and its media engine on 127.0.0.90,
// whose calls are dialed one at a time and waited for.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "media/media_engine.h"
#include "signaling/sip_agent.h"

namespace hark::test {

using namespace hark::signaling;
using namespace std::chrono_literals;

/// hark's SIP agent on 127.0.0.90 (SIP 5060, RTP 36000-36200) dialing through `trunks`, keeping
/// each call's end; `tweak` changes its settings (TLS files, timers) before it starts.
struct Dialer {
  std::unique_ptr<media::MediaEngine> media;
  std::unique_ptr<SipAgent> agent;
  std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, CallEvent> ended;

  explicit Dialer(std::vector<Trunk> trunks, const std::function<void(TrunkSettings&)>& tweak = {}) {
    media::MediaEngineOptions mo;
    mo.workers = 1;
    mo.bind_ip = "127.0.0.90";
    mo.port_min = 36000;
    mo.port_max = 36200;
    mo.max_streams = 64;
    media = std::make_unique<media::MediaEngine>(mo);
    TrunkSettings t;
    t.bind_url = "sip:127.0.0.90:5060";
    t.media_ip = "127.0.0.90";
    t.trunks = std::move(trunks);
    t.calls_per_second = 50;
    t.ring_timeout_s = 15;
    if (tweak) tweak(t);
    agent = std::make_unique<SipAgent>(t, *media, [this](const CallEvent& e) {
      if (e.state != CallState::ended) return;
      std::lock_guard<std::mutex> g(mu);
      ended[e.call_id] = e;
      cv.notify_all();
    });
    EXPECT_EQ(agent->start(), "");
  }
  ~Dialer() { agent->stop(); }

  /// Waits (bounded) until every trunk's registrar accepted the REGISTER.
  bool wait_registered() {
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until && !agent->registered()) std::this_thread::sleep_for(50ms);
    return agent->registered();
  }

  /// Dials `number` on `route` and waits (bounded) for its end.
  CallEvent call(const std::string& number, std::vector<std::string> route) {
    CallRequest r;
    r.number = number;
    r.amd = false;  // whoever answers is a person: hung up at once (no pilot number)
    r.plan = CallPlan::campaign("", nullptr);
    r.trunks = std::move(route);
    const auto id = agent->originate(std::move(r));
    std::unique_lock<std::mutex> g(mu);
    EXPECT_TRUE(cv.wait_for(g, 40s, [&] { return ended.count(id) > 0; })) << number << " on " << (route.empty() ? std::string("any trunk") : route.front());
    return ended[id];
  }

  TrunkStatus status(const std::string& name) const {
    for (const auto& s : agent->trunk_status())
      if (s.name == name) return s;
    ADD_FAILURE() << "no trunk " << name;
    return {};
  }
  /// Waits (bounded) until the trunk's reachability is `want`.
  bool wait_reachable(const std::string& name, bool want, std::chrono::seconds limit = 20s) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (status(name).reachable == want) return true;
      std::this_thread::sleep_for(50ms);  // polling a flag, not waiting a fixed time
    }
    return false;
  }
};

}  // namespace hark::test
