// The simulated agent pool (cli/agent_pool.h) on its own: what it reports, in which order,
// which agent a transfer reaches, and the option parsing of `hark simulate-callee --agents`.
#include "cli/agent_pool.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "cli/agent_pool_cli.h"
#include "cli/agent_reporter.h"

using namespace hark;
using namespace std::chrono_literals;

namespace {

/// The pool's reports, as its Report sees them.
struct Log {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> seen;  // agent, state
  cli::AgentPool::Report report() {
    return [this](const cli::PoolAgent& a) {
      std::lock_guard lk(mu);
      seen.emplace_back(a.id, a.state);
      return std::string();
    };
  }
  std::vector<std::pair<std::string, std::string>> copy() {
    std::lock_guard lk(mu);
    return seen;
  }
};

cli::AgentPoolOptions quick(int agents) {
  cli::AgentPoolOptions o;
  o.agents = agents;
  o.talk_mean_s = 0.05;
  o.talk_sigma = 0;
  o.wrapup_s = 0.05;
  o.pilot = "5000";
  return o;
}

/// Waits (generously) until the pool's agents are all ready again and their reports sent.
bool settle(const cli::AgentPool& pool) {
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < until) {
    bool ready = true;
    for (const auto& a : pool.agents()) ready = ready && a.state == "ready";
    if (ready && pool.wait_reported(1s)) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace

TEST(AgentPool, ReportsEveryAgentReadyThenTalkingWrapupReadyForATransferToItsExtension) {
  Log log;
  cli::AgentPool pool(quick(3), log.report());
  pool.start();
  ASSERT_TRUE(pool.wait_reported(20s));
  EXPECT_EQ(log.copy(), (std::vector<std::pair<std::string, std::string>>{
                            {"agent01", "ready"}, {"agent02", "ready"}, {"agent03", "ready"}}));
  EXPECT_EQ(pool.agents()[1].extension, "7002");
  EXPECT_EQ(pool.on_refer("sip:7002@127.0.0.1:5070;transport=udp"), "agent02");
  ASSERT_TRUE(settle(pool));
  const auto seen = log.copy();
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[3], (std::pair<std::string, std::string>{"agent02", "talking"}));
  EXPECT_EQ(seen[4], (std::pair<std::string, std::string>{"agent02", "wrapup"}));
  EXPECT_EQ(seen[5], (std::pair<std::string, std::string>{"agent02", "ready"}));
  EXPECT_EQ(pool.counts().transfers, 1u);
  EXPECT_EQ(pool.agents()[1].calls, 1);
}

TEST(AgentPool, ABusyAgentOrAnUnknownExtensionMissesAndThePilotTakesTheAgentReadyLongest) {
  Log log;
  auto o = quick(3);
  o.talk_mean_s = 30;  // stays talking for the test
  cli::AgentPool pool(o, log.report());
  pool.start();
  EXPECT_EQ(pool.on_refer("sip:7001@h"), "agent01");
  EXPECT_EQ(pool.on_refer("sip:7001@h"), "");  // already talking
  EXPECT_EQ(pool.on_refer("sip:9999@h"), "");  // no such extension
  // The pilot: the agents ready since the start, the first of them (ties: the lowest).
  EXPECT_EQ(pool.on_refer("sip:5000@h"), "agent02");
  EXPECT_EQ(pool.on_refer("<sip:5000@h>"), "");  // a bracketed URI is not parsed as a user
  EXPECT_EQ(pool.on_refer("sip:5000@h"), "agent03");
  EXPECT_EQ(pool.on_refer("sip:5000@h"), "");  // nobody ready
  EXPECT_EQ(pool.counts().transfers, 3u);
  EXPECT_EQ(pool.counts().missed, 4u);
  pool.stop();
}

TEST(AgentPool, TalkTimesAreLognormalAroundTheMeanTheSameForTheSameSeedOrFixed) {
  auto o = quick(1);
  o.talk_mean_s = 20;
  o.talk_sigma = 0.8;
  o.seed = 7;
  cli::TalkTimes a(o), b(o);
  double sum = 0, below_mean = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_GT(x, 0);
    sum += x;
    below_mean += x < 20;
  }
  EXPECT_NEAR(sum / n, 20, 0.6);
  // Lognormal, not symmetric: about 66 % of the calls are shorter than the mean (σ 0.8).
  EXPECT_NEAR(below_mean / n, 0.655, 0.02);
  o.seed = 8;
  EXPECT_NE(cli::TalkTimes(o).next(), cli::TalkTimes(quick(1)).next());
  o.talk_sigma = 0;
  cli::TalkTimes fixed(o);
  EXPECT_EQ(fixed.next(), 20);
  EXPECT_EQ(fixed.next(), 20);
}

TEST(AgentPool, SipUserIsTheUserPartOfTheUri) {
  EXPECT_EQ(cli::sip_user("sip:7001@10.0.0.1:5070;transport=udp"), "7001");
  EXPECT_EQ(cli::sip_user("sips:7001@host"), "7001");
  EXPECT_EQ(cli::sip_user("sip:5000;user=phone@h"), "5000");
  EXPECT_EQ(cli::sip_user("7001"), "7001");
}

TEST(AgentPoolCli, OptionsAreTakenCheckedAndNeedTheApi) {
  cli::AgentPoolCli o;
  const char* argv[] = {"hark", "--agents", "10", "--talk-mean", "3.5", "--wrapup", "x", "--listen", "sip:a"};
  int i = 1;
  EXPECT_EQ(cli::take_agent_pool_option(9, const_cast<char**>(argv), i, o), 1);
  EXPECT_EQ(i, 2);
  i = 3;
  EXPECT_EQ(cli::take_agent_pool_option(9, const_cast<char**>(argv), i, o), 1);
  EXPECT_DOUBLE_EQ(o.pool.talk_mean_s, 3.5);
  i = 5;
  EXPECT_EQ(cli::take_agent_pool_option(9, const_cast<char**>(argv), i, o), -1);  // "x" is no time
  i = 7;
  EXPECT_EQ(cli::take_agent_pool_option(9, const_cast<char**>(argv), i, o), 0);  // the simulator's own
  EXPECT_EQ(o.pool.agents, 10);
  std::string why;
  EXPECT_FALSE(cli::AgentReporter::make("https://h:1", 1, "t", &why));
  EXPECT_FALSE(cli::AgentReporter::make("ftp://h", 1, "t", &why));
  EXPECT_TRUE(cli::AgentReporter::make("http://127.0.0.1:8080/", 1, "t", &why)) << why;
}
