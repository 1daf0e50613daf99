// Inbound callbacks, control's side: the SIP agent reports an INVITE that is none of our calls
// (CallEvent state `inbound`); this router, on a thread of its own (never the SIP thread),
// parses the caller like a lead's phone, looks up the leads with that number in PostgreSQL,
// decides the target (inbound_route.h), tells the agent (SipAgent::route_inbound: 302, or 404)
// and writes the call to the log (inbound_calls, and the call log of each matching campaign).
//
// The agent answers 480 by itself when no decision comes within 5 s, so a slow or absent
// database costs the caller a 480, never a call left ringing. A database error routes the
// caller to the default route when there is one (a callback still reaches people), and
// otherwise leaves the answer to that time-out.
#pragma once

#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "control/campaign/inbound_route.h"
#include "signaling/sip_agent.h"

namespace hark::control {

class InboundRouter {
 public:
  /// Carries out a decision: SipAgent::route_inbound (tests may record it instead).
  using Route = std::function<void(uint64_t call_id, const std::string& target)>;

  /// `instance_id` names this process in the rows it writes. `decision_ms` is the agent's
  /// TrunkSettings::inbound_decision_ms: a call queued longer has had its 480 already.
  InboundRouter(std::string database_url, InboundSettings settings, std::string instance_id, Route route,
                int decision_ms);
  ~InboundRouter();

  /// Feed SipAgent events here (any thread; cheap): those in state `inbound` are queued.
  void on_call_event(const signaling::CallEvent& e);
  void start();
  /// Stops the thread; calls still queued get no answer from here (the agent's 480 follows).
  void stop();
  /// Inbound calls decided so far (routed or refused).
  uint64_t decided() const { return decided_.load(); }

 private:
  void loop();
  void handle(const signaling::CallEvent& e);
  /// The agent answered 480 already: only logged (a burst must not keep the database busy
  /// with callers who are gone).
  void too_late(const signaling::CallEvent& e);

  std::string url_;
  InboundSettings settings_;
  std::string instance_;
  Route route_;
  int decision_ms_;
  std::unique_ptr<pqxx::connection> db_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  /// Inbound calls waiting, with when they arrived.
  std::deque<std::pair<signaling::CallEvent, std::chrono::steady_clock::time_point>> queue_;
  std::atomic<uint64_t> decided_{0};
};

}  // namespace hark::control
