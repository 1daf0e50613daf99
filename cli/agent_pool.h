// A simulated contact center for the callee simulator (`hark simulate-callee --agents N`): N
// agents, each with an extension, who take the people hark transfers to them. A REFER to an
// agent's extension (or to the pilot number: the agent ready longest) makes that agent
// `talking` for its talk time (lognormal around a mean, seeded, or fixed), then `wrapup` for
// the wrap-up time, then `ready` again; every change is reported, in order, by the `Report`
// the pool is given (AgentReporter: PUT /api/v1/campaigns/{id}/agents/{agentId}), on the
// pool's own thread, so the SIP thread that hands over a REFER never waits for HTTP.
// At start every agent is reported `ready` with its extension.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace hark::cli {

struct AgentPoolOptions {
  int agents = 10;
  int first_extension = 7001;  ///< agent i (0-based) answers at first_extension + i
  std::string pilot;           ///< REFERs to this number go to the agent ready longest ("": none)
  double talk_mean_s = 20;     ///< mean talk time
  double talk_sigma = 0.8;     ///< lognormal σ of the talk time; 0: every call lasts the mean
  double wrapup_s = 5;         ///< wrap-up after each call
  uint64_t seed = 1;           ///< talk times are drawn from this seed, in transfer order
};

/// Talk times as the pool draws them: lognormal with mean talk_mean_s and σ talk_sigma, from
/// the seed; the mean itself when σ is 0.
class TalkTimes {
 public:
  explicit TalkTimes(const AgentPoolOptions& o);
  /// The next talk time, seconds.
  double next();

 private:
  double mean_, sigma_;
  std::mt19937_64 rng_;
  std::lognormal_distribution<double> d_;
};

/// One agent as the pool sees it.
struct PoolAgent {
  std::string id;         ///< agent01, agent02, ...
  std::string extension;  ///< "7001", ...
  std::string state;      ///< ready | talking | wrapup
  int calls = 0;          ///< transfers taken
};

/// What the pool did so far.
struct AgentPoolCounts {
  uint64_t transfers = 0;      ///< REFERs an agent took
  uint64_t missed = 0;         ///< REFERs to an agent not ready, or to no agent of the pool
  uint64_t reports = 0;        ///< state changes reported
  uint64_t report_errors = 0;  ///< of those, refused or unanswered (logged, not retried)
};

class AgentPool {
 public:
  /// Reports one agent's state (on the pool's thread); returns an error, empty on success.
  using Report = std::function<std::string(const PoolAgent&)>;
  AgentPool(AgentPoolOptions o, Report report);
  ~AgentPool();
  AgentPool(const AgentPool&) = delete;
  AgentPool& operator=(const AgentPool&) = delete;

  /// Reports every agent ready and starts the pool's thread.
  void start();
  /// Stops the thread; reports still queued are dropped.
  void stop();
  /// A REFER's Refer-To URI (any thread; never blocks on I/O): the agent at its extension, or
  /// for the pilot the agent ready longest, goes talking. Returns that agent's id; "" when the
  /// target is no agent of the pool or its agent is not ready (counted as missed).
  std::string on_refer(const std::string& refer_to);

  AgentPoolCounts counts() const;
  std::vector<PoolAgent> agents() const;
  /// Waits at most `limit` until every queued report was sent; true when it got there.
  bool wait_reported(std::chrono::milliseconds limit) const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Agent {
    PoolAgent a;
    Clock::time_point next{Clock::time_point::max()};  ///< when talking or wrapup ends
    Clock::time_point ready_since{};
  };
  void run();
  void change(size_t i, const char* state);  ///< under mu_

  AgentPoolOptions o_;
  Report report_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<Agent> agents_;
  std::deque<PoolAgent> queue_;  ///< changes to report, in order
  bool sending_ = false;         ///< a report is being sent (outside the lock)
  bool stop_ = false;
  TalkTimes talk_;  ///< under mu_
  AgentPoolCounts counts_;
  std::thread thread_;
};

/// The user part of a SIP URI: "7001" of "sip:7001@10.0.0.1:5070;transport=udp".
std::string sip_user(const std::string& uri);

}  // namespace hark::cli
