// `hark loadtest` as a carrier runs it, against the callee simulator and against sipp.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <regex>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "test_net.h"
#include "test_process.h"
#include "test_paths.h"

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

namespace {
// The callee simulator until the test stops it (SIGTERM), on SIP port(0).
std::unique_ptr<hark::test::Child> start_simulator() {
  auto sim = std::make_unique<hark::test::Child>(std::vector<std::string>{
      hark::test::kHarkBinary, "simulate-callee", "--listen", "sip:127.0.0.1:" + std::to_string(port(0)), "--rtp-ports", rtp_range(28000)});
  EXPECT_TRUE(sim->started());
  EXPECT_TRUE(hark::test::wait_udp_bound(port(0))) << "the simulator did not start\n" << sim->err();
  return sim;
}
void stop_simulator(hark::test::Child& sim) {
  sim.signal(SIGTERM);
  EXPECT_EQ(sim.wait(30), 0) << sim.err();
}
const std::string kSamples = hark::test::source_file("fixtures/samples");
}  // namespace

TEST(HarkLoadtestCli, AgainstTheSimulatorCountsAndFailRate) {
  auto sim = start_simulator();
  const std::string json = "/tmp/hark-lt-" + std::to_string(::getpid()) + ".json";
  const std::vector<std::string> common = {"--bind", "sip:127.0.0.1:" + std::to_string(port(1)), "--rtp-ports",
                                           rtp_range(61000), "--json", json};
  auto loadtest = [&](std::vector<std::string> args) {
    const std::vector<std::string> head = {hark::test::kHarkBinary, "loadtest"};
    args.insert(args.begin(), head.begin(), head.end());
    args.insert(args.end(), common.begin(), common.end());
    auto c = std::make_unique<hark::test::Child>(args);
    c->wait(240);
    return c;
  };
  // People answering (1000...): all answered, AMD says human, exit 0. All 12 at once: one
  // round of 4 s calls instead of two.
  auto people = loadtest({"--target", "sip:1000XXX@127.0.0.1:" + std::to_string(port(0)), "--calls", "12",
                          "--concurrency", "12", "--cps", "20", "--max-fail-rate", "0"});
  EXPECT_EQ(people->wait(0), 0) << people->err();
  auto j = boost::json::parse(slurp(json)).as_object();
  EXPECT_EQ(j["calls"].to_number<int>(), 12);
  EXPECT_EQ(j["answered"].to_number<int>(), 12);
  EXPECT_EQ(j["failed"].to_number<int>(), 0);
  EXPECT_EQ(j["asr"].to_number<double>(), 1.0);
  EXPECT_EQ(j["failure_rate"].to_number<double>(), 0.0);
  EXPECT_EQ(j["verdicts"].as_object()["human"].to_number<int>(), 12);
  EXPECT_EQ(j["sip_final_codes"].as_object()["200"].to_number<int>(), 12);
  EXPECT_GT(j["pdd_ms"].as_object()["p50"].to_number<double>(), 0.0);
  // The verdict cannot come before the audio it rests on has been played in real time: at
  // least the offline decision time of the sample the simulator plays (less the 200 OK's trip).
  auto offline = hark::test::Child({hark::test::kHarkBinary, "amd", kSamples + "/human-short-001.ul"});
  ASSERT_EQ(offline.wait(60), 0) << offline.err();
  const double decided = double(boost::json::parse(offline.out()).as_object()["decided_at_ms"].to_number<int64_t>());
  ASSERT_GT(decided, 500);
  EXPECT_GE(j["verdict_latency_ms"].as_object()["p50"].to_number<double>(), decided - 200) << "decided " << decided;
  // Loopback: no loss, a MOS near G.711's ceiling, audio both ways.
  EXPECT_EQ(j["rtp_loss_pct"].as_object()["p99"].to_number<double>(), 0.0);
  EXPECT_GE(j["mos"].as_object()["p50"].to_number<double>(), 4.0);
  EXPECT_LE(j["mos"].as_object()["p50"].to_number<double>(), 4.5);
  EXPECT_EQ(j["one_way_audio"].to_number<int>(), 0);
  // hark's own CPU and peak memory, as the table prints them.
  ASSERT_TRUE(j.contains("cpu_s"));
  ASSERT_TRUE(j.contains("peak_rss_mib"));
  EXPECT_GT(j["cpu_s"].to_number<double>(), 0.0);
  EXPECT_GT(j["peak_rss_mib"].to_number<double>(), 1.0);
  EXPECT_LT(j["peak_rss_mib"].to_number<double>(), 4096.0);
  EXPECT_NE(people->out().find("hark's own use"), std::string::npos) << people->out();
  EXPECT_NE(people->out().find("answered                12 (ASR 100.0 %)"), std::string::npos) << people->out();
  // Busy numbers (3000...): every call fails, above --max-fail-rate: exit 1.
  auto busy = loadtest({"--target", "sip:3000XXX@127.0.0.1:" + std::to_string(port(0)), "--calls", "8",
                        "--concurrency", "8", "--cps", "20", "--max-fail-rate", "0.5"});
  EXPECT_EQ(busy->wait(0), 1) << busy->err();
  j = boost::json::parse(slurp(json)).as_object();
  EXPECT_EQ(j["calls"].to_number<int>(), 8);
  EXPECT_EQ(j["answered"].to_number<int>(), 0);
  EXPECT_EQ(j["failed"].to_number<int>(), 8);
  EXPECT_EQ(j["failure_rate"].to_number<double>(), 1.0);
  EXPECT_EQ(j["sip_final_codes"].as_object()["486"].to_number<int>(), 8);
  EXPECT_TRUE(j["verdicts"].as_object().empty());
  EXPECT_NE(busy->out().find("FAIL: 100.0 % of calls failed"), std::string::npos) << busy->out();
  // Done as soon as the load tests are: no fixed run time for the simulator.
  stop_simulator(*sim);
  std::remove(json.c_str());
}

TEST(HarkLoadtestCli, CtrlCHangsUpPrintsTheReportAndExits130) {
  auto sim = start_simulator();
  const std::string json = "/tmp/hark-lt-int-" + std::to_string(::getpid()) + ".json";
  const std::string numbers = "/tmp/hark-lt-int-" + std::to_string(::getpid()) + ".txt";
  // People (held for a minute) and numbers that ring until CANCEL, in turn.
  std::ofstream(numbers) << "1000001\n5000001\n";
  hark::test::Child lt({hark::test::kHarkBinary, "loadtest", "--target", "sip:X@127.0.0.1:" + std::to_string(port(0)), "--numbers",
                        numbers, "--calls", "1000", "--concurrency", "4", "--cps", "20", "--hold", "60",
                        "--ring-timeout", "120", "--max-fail-rate", "0", "--bind", "sip:127.0.0.1:" + std::to_string(port(1)),
                        "--rtp-ports", rtp_range(61000), "--json", json});
  // The periodic progress line shows answered calls: the test is under way.
  const std::regex answered(R"(answered [1-9])");
  ASSERT_TRUE(lt.wait_for_output([&](const std::string& out) { return std::regex_search(out, answered); }, 90))
      << lt.out() << lt.err();
  lt.signal(SIGINT);
  // Ctrl-C wins over --max-fail-rate 0, which the calls it cancelled exceed.
  EXPECT_EQ(lt.wait(60), 130) << lt.out() << lt.err();
  EXPECT_NE(lt.out().find("answer -> verdict (ms)"), std::string::npos) << lt.out();
  EXPECT_NE(lt.out().find("hark's own use"), std::string::npos) << lt.out();
  auto j = boost::json::parse(slurp(json)).as_object();
  EXPECT_GE(j["calls"].to_number<int>(), 4);
  EXPECT_LT(j["calls"].to_number<int>(), 1000);
  EXPECT_GE(j["answered"].to_number<int>(), 1);
  EXPECT_GE(j["failed"].to_number<int>(), 1);
  EXPECT_GT(j["failure_rate"].to_number<double>(), 0.0);
  EXPECT_GE(j["sip_final_codes"].as_object()["487"].to_number<int>(), 1);  // the CANCELled ones
  stop_simulator(*sim);
  std::remove(json.c_str());
  std::remove(numbers.c_str());
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
  // All 15 calls at once (one round); sipp counts them the same.
  EXPECT_EQ(run(std::string(hark::test::kHarkBinary) + " loadtest --target sip:2000XXX@127.0.0.1:" + std::to_string(sp) +
                " --calls 15 --concurrency 15 --cps 20 --hold 1 --bind sip:127.0.0.1:" + std::to_string(port(3)) +
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
