// The `hark amd` command as a user runs it: the real binary, real files.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

#include "media/audio_file.h"
#include "test_audio.h"
#include "test_paths.h"
#include "test_temp.h"

namespace {
struct Run {
  int status;
  std::vector<std::string> lines;
};

Run run_hark(const std::string& args) {
  Run r;
  FILE* p = ::popen((std::string(hark::test::kHarkBinary) + " " + args + " 2>/dev/null").c_str(), "r");
  std::array<char, 4096> buf;
  std::string cur;
  while (std::fgets(buf.data(), int(buf.size()), p)) {
    cur += buf.data();
    if (!cur.empty() && cur.back() == '\n') {
      cur.pop_back();
      r.lines.push_back(cur);
      cur.clear();
    }
  }
  // The shell runs hark as its last command: a crash arrives as a death by signal, which
  // WEXITSTATUS alone would read as 0.
  const int st = ::pclose(p);
  r.status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
  return r;
}

std::string dir() {
  static const std::string d = [] {
    auto p = std::filesystem::temp_directory_path() / ("hark-cli-" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    static const hark::test::RemoveAtExit remove_at_exit{p};
    std::vector<int16_t> human, machine, rung;
    // Two North American rings played after the answer, then the person.
    for (int i = 0; i < 2; ++i) hark::test::add_tone(rung, {440, 480}, 2000, -19), hark::test::add_silence(rung, 4000);
    hark::test::add_silence(human, 400);
    hark::test::add_babble(human, 600, -20);
    hark::test::add_silence(human, 3000);
    hark::test::add_silence(machine, 300);
    hark::test::add_babble(machine, 4000, -20);
    hark::test::add_silence(machine, 400);
    hark::test::add_tone(machine, {1000}, 400, -20);
    hark::test::add_silence(machine, 2000);
    hark::media::write_wav((p / "human.wav").string(), human);
    hark::media::write_wav((p / "machine.wav").string(), machine);
    rung.insert(rung.end(), human.begin(), human.end());
    hark::test::add_noise(rung, -62);
    hark::media::write_wav((p / "rung.wav").string(), rung);
    std::ofstream(p / "broken.wav") << "RIFF junk";
    std::ofstream(p / "labels.tsv") << "file\tlabel\tbeep_ms\tspeech_end_ms\n"
                                    << "human.wav\thuman\t-\t1000\nmachine.wav\tmachine\t4700\t-\n";
    return p.string();
  }();
  return d;
}
}  // namespace

TEST(HarkAmdCli, OneJsonObjectPerFileWithExactlyTheFields) {
  const auto r = run_hark("amd " + dir() + "/human.wav " + dir() + "/machine.wav");
  ASSERT_EQ(r.status, 0);
  ASSERT_EQ(r.lines.size(), 2u);
  auto h = boost::json::parse(r.lines[0]).as_object();
  auto m = boost::json::parse(r.lines[1]).as_object();
  EXPECT_EQ(h.size(), 5u);
  for (const char* k : {"file", "verdict", "cause", "decided_at_ms", "beep_at_ms"}) EXPECT_TRUE(h.contains(k)) << k;
  EXPECT_EQ(h["verdict"].as_string(), "human");
  EXPECT_TRUE(h["beep_at_ms"].is_null());
  EXPECT_EQ(m["verdict"].as_string(), "machine");
  const double beep = static_cast<double>(m["beep_at_ms"].to_number<int64_t>());
  EXPECT_NEAR(beep, 4700, 20);
}

TEST(HarkAmdCli, RingingAfterTheAnswerIsCountedWithTheRealAnswer) {
  const auto r = run_hark("amd " + dir() + "/rung.wav");
  ASSERT_EQ(r.status, 0);
  ASSERT_EQ(r.lines.size(), 1u);
  auto o = boost::json::parse(r.lines[0]).as_object();
  EXPECT_EQ(o["verdict"].as_string(), "human") << r.lines[0];
  EXPECT_EQ(o["rings"].to_number<int64_t>(), 2) << r.lines[0];
  // The second ring ends at 8 s (the tracker's 60 ms window holds it a frame or two longer).
  EXPECT_NEAR(double(o["answered_at_ms"].to_number<int64_t>()), 8000.0, 80.0) << r.lines[0];
}

TEST(HarkAmdCli, BadFileGetsAnErrorLineAndTheOthersAreProcessed) {
  const auto r = run_hark("amd " + dir() + "/broken.wav " + dir() + "/human.wav " + dir() + "/nope.wav");
  EXPECT_EQ(r.status, 1);
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_TRUE(boost::json::parse(r.lines[0]).as_object().contains("error"));
  EXPECT_EQ(boost::json::parse(r.lines[1]).as_object()["verdict"].as_string(), "human");
  EXPECT_TRUE(boost::json::parse(r.lines[2]).as_object().contains("error"));
}

TEST(HarkAmdCli, JobsDoNotChangeTheOutput) {
  const std::string files = dir() + "/human.wav " + dir() + "/machine.wav " + dir() + "/human.wav";
  const auto one = run_hark("amd --jobs 1 " + files), three = run_hark("amd --jobs 3 " + files);
  // Two crashes would print two equal (empty) outputs: each run must succeed with a line a file.
  ASSERT_EQ(one.status, 0);
  ASSERT_EQ(three.status, 0);
  ASSERT_EQ(one.lines.size(), 3u);
  EXPECT_EQ(one.lines, three.lines);
  EXPECT_EQ(one.lines[0], one.lines[2]);  // the same file, the same answer
  EXPECT_NE(one.lines[0], one.lines[1]);
}

TEST(HarkAmdCli, LabelsPrintAReportForBothAlgorithms) {
  const auto summary = dir() + "/summary.json";
  const auto r = run_hark("amd --compare --labels " + dir() + "/labels.tsv --summary-json " + summary);
  ASSERT_EQ(r.status, 0);
  std::string report;
  for (const auto& l : r.lines) if (l.rfind("#", 0) == 0) report += l + "\n";
  EXPECT_NE(report.find("hark algorithm: 2 files"), std::string::npos) << report;
  EXPECT_NE(report.find("asterisk algorithm (side by side)"), std::string::npos) << report;
  // The accuracy/latency curve: one line per cap, the default cap among them.
  EXPECT_NE(report.find("accuracy/latency curve"), std::string::npos) << report;
  EXPECT_NE(report.find("#     1300 "), std::string::npos) << report;
  EXPECT_NE(report.find("machines classified as human"), std::string::npos) << report;
  std::ifstream f(summary);
  const std::string text((std::istreambuf_iterator<char>(f)), {});
  auto j = boost::json::parse(text).as_object();
  EXPECT_EQ(j["hark"].as_object()["human_machine_accuracy"].as_double(), 1.0);
  EXPECT_EQ(j["hark"].as_object()["beep_hit_rate"].as_double(), 1.0);
  EXPECT_TRUE(j.contains("asterisk"));
}

TEST(HarkAmdCli, AsteriskArgumentsAndBadOptions) {
  // VICIdial's AMD(2000,2000,1000,5000,120,50,4,256): the human answer waits 1000 ms of silence.
  const auto r = run_hark("amd --algorithm asterisk --asterisk-args 2000,2000,1000,5000,120,50,4,256 " + dir() + "/human.wav");
  ASSERT_EQ(r.status, 0);
  auto o = boost::json::parse(r.lines[0]).as_object();
  EXPECT_EQ(o["verdict"].as_string(), "human");
  EXPECT_EQ(o["cause"].as_string(), "HUMAN-1000-1000");
  EXPECT_EQ(run_hark("amd --set greeting=abc " + dir() + "/human.wav").status, 2);
  EXPECT_EQ(run_hark("amd --algorithm nonsense x.wav").status, 2);
}
