// `hark loadtest`'s outputs people act on (issue 17): the per-call CSV, recordings of every call
// or of the failed ones only, the self-contained HTML report (parsed by python's html.parser,
// screenshotted by headless chromium when it is installed) and the ramp.
// Addresses: 127.0.0.112 the simulator, 127.0.0.113 the load tester (tests/README.md).
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <cstdio>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "test_net.h"
#include "test_process.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using hark::test::Child;

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) cells.push_back(std::exchange(cell, {}));
      else cell += c;
    }
    cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

/// Waits (10 s at most) for a UDP socket bound to `hex_address` ("ADDR:PORT" as /proc/net/udp
/// writes it): this test's own address, so another test's port 5070 does not count.
bool bound_udp(const std::string& hex_address) {
  for (int waited = 0; waited < 10000; waited += 20) {
    std::ifstream in("/proc/net/udp");
    for (std::string line; std::getline(in, line);)
      if (line.find(" " + hex_address + " ") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

/// A program's path on PATH (the child runner wants one), or the name itself.
std::string which(const std::string& name) {
  FILE* p = ::popen(("command -v " + name).c_str(), "r");
  char buf[512] = {};
  const bool got = p && std::fgets(buf, sizeof buf, p);
  if (p) ::pclose(p);
  std::string path = got ? buf : name;
  while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
  return path;
}

struct LoadtestOutput : ::testing::Test {
  fs::path dir;
  std::unique_ptr<Child> sim;
  void SetUp() override {
    dir = fs::temp_directory_path() / ("hark-lt-out-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    sim = std::make_unique<Child>(std::vector<std::string>{hark::test::kHarkBinary, "simulate-callee", "--listen",
                                                           "sip:127.0.0.112:5070", "--media-ip", "127.0.0.112"});
    ASSERT_TRUE(sim->started());
    ASSERT_TRUE(bound_udp("7000007F:13CE")) << sim->err();  // 127.0.0.112:5070 in /proc/net/udp's hex
  }
  void TearDown() override {
    sim->signal(SIGTERM);
    EXPECT_EQ(sim->wait(30), 0) << sim->err();
    fs::remove_all(dir);
  }
  /// Runs the load test over `numbers` (cycled) with `extra` options; returns it, ended.
  /// Up to 12 calls at once: every test's calls in one round.
  std::unique_ptr<Child> loadtest(const std::vector<std::string>& numbers, int calls, std::vector<std::string> extra) {
    {
      std::ofstream f(dir / "numbers.txt");
      for (const auto& n : numbers) f << n << "\n";
    }
    std::vector<std::string> args = {hark::test::kHarkBinary, "loadtest", "--target", "sip:X@127.0.0.112:5070", "--numbers",
                                     (dir / "numbers.txt").string(), "--calls", std::to_string(calls), "--concurrency",
                                     "12", "--bind", "sip:127.0.0.113:5080", "--media-ip", "127.0.0.113", "--json",
                                     (dir / "report.json").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto c = std::make_unique<Child>(args);
    c->wait(240);
    return c;
  }
};

TEST_F(LoadtestOutput, CsvRowPerCallAndOnlyFailedCallsRecorded) {
  // People (answered), announcements (183 early media: SIT, so cancelled) and busy numbers, in turn.
  const auto rec = dir / "failed";
  auto lt = loadtest({"1000001", "9100001", "3000001"}, 9,
                     {"--cps", "20", "--csv", (dir / "calls.csv").string(), "--record", "failed:" + rec.string()});
  ASSERT_EQ(lt->wait(0), 0) << lt->out() << lt->err();
  const auto rows = csv_rows(hark::test::read_text((dir / "calls.csv").string()));
  ASSERT_FALSE(rows.empty());
  const auto& header = rows[0];
  EXPECT_EQ(header[0], "call_id");
  const auto j = boost::json::parse(hark::test::read_text((dir / "report.json").string())).as_object();
  ASSERT_EQ(rows.size() - 1, size_t(j.at("calls").to_number<int>()));  // one row per call placed
  EXPECT_EQ(rows.size() - 1, 9u);
  auto col = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    ADD_FAILURE() << "no column " << name;
    return size_t(0);
  };
  std::set<std::string> failed, ok, ids;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    ASSERT_EQ(r.size(), header.size());
    ids.insert(r[col("call_id")]);
    const bool answered = !r[col("answer_ms")].empty();
    if (r[col("number")] == "1000001") {
      EXPECT_TRUE(answered);
      EXPECT_EQ(r[col("verdict")], "human");
      EXPECT_EQ(r[col("sip_code")], "200");
      EXPECT_FALSE(r[col("mos")].empty());
      EXPECT_EQ(r[col("one_way_audio")], "0");
      ok.insert(r[col("call_id")]);
    } else {
      EXPECT_FALSE(answered) << r[col("number")];
      // Busy: 486. The announcement: its early media is heard as SIT and the call cancelled (487).
      EXPECT_EQ(r[col("sip_code")], r[col("number")] == "3000001" ? "486" : "487");
      failed.insert(r[col("call_id")]);
    }
  }
  EXPECT_EQ(ids.size(), 9u);
  EXPECT_EQ(ok.size(), 3u);
  // Recordings: only failed calls' (the announcements' early media; busy calls carry no audio).
  int files = 0;
  for (const auto& e : fs::directory_iterator(rec)) {
    ++files;
    const auto id = e.path().stem().string();
    EXPECT_TRUE(failed.count(id)) << e.path() << " is not a failed call's";
    EXPECT_FALSE(ok.count(id)) << e.path();
  }
  EXPECT_EQ(files, 3) << lt->out();
}

TEST_F(LoadtestOutput, RecordDirKeepsEveryCallWithAudio) {
  const auto rec = dir / "all";
  auto lt = loadtest({"1000001", "3000001"}, 4, {"--cps", "20", "--record", rec.string()});
  ASSERT_EQ(lt->wait(0), 0) << lt->out() << lt->err();
  int files = 0;
  for (const auto& e : fs::directory_iterator(rec)) {
    ++files;
    // The recording of a person replays to the verdict the live call got.
    Child amd({hark::test::kHarkBinary, "amd", e.path().string()});
    ASSERT_EQ(amd.wait(60), 0) << amd.err();
    EXPECT_NE(amd.out().find("\"verdict\":\"human\""), std::string::npos) << amd.out();
  }
  EXPECT_EQ(files, 2);  // the two answered people; busy calls have no audio
}

TEST_F(LoadtestOutput, HtmlIsSelfContainedParsesAndRenders) {
  const auto html = dir / "report.html";
  auto lt = loadtest({"1000001", "3000001", "2000001"}, 12,
                     {"--ramp", "0:4,1:12", "--html", html.string(), "--hold", "1"});
  ASSERT_EQ(lt->wait(0), 0) << lt->out() << lt->err();
  const auto page = hark::test::read_text(html.string());
  ASSERT_FALSE(page.empty());
  // python's html.parser: it parses, and nothing in it points outside the file.
  const auto check = dir / "check.py";
  std::ofstream(check) << R"PY(
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.external, self.svg = [], [], 0
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == 'svg': self.svg += 1
        if tag in ('script', 'link', 'img', 'iframe', 'object', 'embed', 'use', 'image'):
            self.external.append(tag)
        for k, v in attrs:
            if k in ('src', 'href', 'xlink:href') or (v and ('url(' in v or '//' in v and k != 'xmlns')):
                self.external.append(f'{tag} {k}={v}')
    def handle_data(self, data):
        if '@import' in data or 'url(' in data or '@font-face' in data: self.external.append('css: ' + data[:60])
p = P()
p.feed(open(sys.argv[1], encoding='utf-8').read())
p.close()
print(f'svg={p.svg} polyline={p.tags.count("polyline")} rect={p.tags.count("rect")} table={p.tags.count("table")} external={p.external}')
sys.exit(0 if p.svg >= 7 and not p.external else 1)
)PY";
  Child py({which("python3"), check.string(), html.string()});
  EXPECT_EQ(py.wait(60), 0) << py.out() << py.err();
  EXPECT_NE(page.find("SIP final codes"), std::string::npos);
  EXPECT_NE(page.find("beeps detected"), std::string::npos);
  EXPECT_NE(page.find("<td>486</td>"), std::string::npos);  // the busy calls' code in the table
  // The ramp: 4 calls/s in the first second, then 12: all 12 placed.
  const auto j = boost::json::parse(hark::test::read_text((dir / "report.json").string())).as_object();
  EXPECT_EQ(j.at("calls").to_number<int>(), 12);
  // A browser renders it offline (when one is installed; scripts/install-deps.sh installs chromium).
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) GTEST_SKIP() << "chromium is not installed";
  const auto png = dir / "report.png";
  Child browser({which("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--user-data-dir=" + (dir / "chromium").string(), "--window-size=1280,1800",
                 "--screenshot=" + png.string(), "file://" + html.string()});
  EXPECT_EQ(browser.wait(180), 0) << browser.err();
  ASSERT_TRUE(fs::exists(png)) << browser.err();
  EXPECT_GT(fs::file_size(png), 10000u);  // a blank page compresses far smaller
  std::ifstream f(png, std::ios::binary);
  char magic[8] = {};
  f.read(magic, 8);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
}

}  // namespace
