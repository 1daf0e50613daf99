// `hark loadtest` as a carrier runs it, against the callee simulator and against sipp.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "test_net.h"

namespace {
std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
int run(const std::string& cmd) { return WEXITSTATUS(std::system((cmd + " >/dev/null 2>&1").c_str())); }
// SIP ports 27000-27999; RTP 28000-28999 and 61000-64999 (see media_engine_test.cpp).
int port(int k) { return 27000 + (::getpid() % 50) * 20 + k; }
std::string rtp_range(int base) {
  const int lo = base + (::getpid() % 4) * 250;
  return std::to_string(lo) + "-" + std::to_string(lo + 200);
}
}  // namespace

TEST(HarkLoadtestCli, AgainstTheSimulatorCountsAndFailRate) {
  const std::string hark = HARK_BINARY, sim = "sip:127.0.0.1:" + std::to_string(port(0));
  std::thread simulator([&] {
    run(hark + " simulate-callee --listen " + sim + " --rtp-ports " + rtp_range(28000) + " --duration 25");
  });
  EXPECT_TRUE(hark::test::wait_udp_bound(port(0))) << "the simulator did not start";
  const std::string json = "/tmp/hark-lt-" + std::to_string(::getpid()) + ".json";
  const std::string common = " --bind sip:127.0.0.1:" + std::to_string(port(1)) + " --rtp-ports " + rtp_range(61000) +
                             " --json " + json;
  // People answering (1000...): all answered, AMD says human, exit 0.
  EXPECT_EQ(run(hark + " loadtest --target sip:1000XXX@127.0.0.1:" + std::to_string(port(0)) +
                " --calls 12 --concurrency 6 --cps 20 --max-fail-rate 0" + common), 0);
  auto j = boost::json::parse(slurp(json)).as_object();
  EXPECT_EQ(j["calls"].to_number<int>(), 12);
  EXPECT_EQ(j["answered"].to_number<int>(), 12);
  EXPECT_EQ(j["verdicts"].as_object()["human"].to_number<int>(), 12);
  EXPECT_EQ(j["sip_final_codes"].as_object()["200"].to_number<int>(), 12);
  // Busy numbers (3000...): every call fails, above --max-fail-rate: exit 1.
  EXPECT_EQ(run(hark + " loadtest --target sip:3000XXX@127.0.0.1:" + std::to_string(port(0)) +
                " --calls 8 --concurrency 8 --cps 20 --max-fail-rate 0.5" + common), 1);
  j = boost::json::parse(slurp(json)).as_object();
  EXPECT_EQ(j["failed"].to_number<int>(), 8);
  EXPECT_EQ(j["sip_final_codes"].as_object()["486"].to_number<int>(), 8);
  simulator.join();
  std::remove(json.c_str());
}

TEST(HarkLoadtestCli, CountsMatchSippsOwnStatistics) {
  // sipp's built-in UAS answers every call; its -trace_stat file counts what it saw.
  const std::string stat = "/tmp/hark-lt-sipp-" + std::to_string(::getpid()) + ".csv";
  const int sp = port(2);
  std::thread sipp([&] {
    run("timeout 60 sipp -sn uas -i 127.0.0.1 -p " + std::to_string(sp) + " -mp " + std::to_string(sp + 2) +
        " -m 15 -nostdin -trace_stat -stf " + stat + " -fd 1");
  });
  EXPECT_TRUE(hark::test::wait_udp_bound(sp)) << "sipp did not start";
  const std::string json = "/tmp/hark-lt-sipp-" + std::to_string(::getpid()) + ".json";
  EXPECT_EQ(run(std::string(HARK_BINARY) + " loadtest --target sip:2000XXX@127.0.0.1:" + std::to_string(sp) +
                " --calls 15 --concurrency 5 --cps 20 --hold 1 --bind sip:127.0.0.1:" + std::to_string(port(3)) +
                " --rtp-ports " + rtp_range(63000) + " --json " + json),
            0);
  sipp.join();
  auto j = boost::json::parse(slurp(json)).as_object();
  // The last line of sipp's statistics: find its SuccessfulCall(C) and FailedCall(C) columns.
  std::stringstream csv(slurp(stat));
  std::string header, line, last;
  std::getline(csv, header);
  while (std::getline(csv, line)) if (!line.empty()) last = line;
  auto column = [&](const std::string& name) {
    std::stringstream h(header), v(last);
    std::string hn, vv;
    while (std::getline(h, hn, ';') && std::getline(v, vv, ';'))
      if (hn == name) return std::atoi(vv.c_str());
    return -1;
  };
  EXPECT_EQ(column("SuccessfulCall(C)"), 15);
  EXPECT_EQ(j["answered"].to_number<int>(), column("SuccessfulCall(C)"));
  EXPECT_EQ(j["failed"].to_number<int>(), column("FailedCall(C)"));
  std::remove(json.c_str());
  std::remove(stat.c_str());
}
