// `hark loadtest`: carrier load tests. Places N calls through the trunk at a given rate and
// concurrency, runs the AMD on every answered call, holds each for --hold seconds (or until the
// verdict), hangs up, and reports. Bounded by --calls and --duration; Ctrl-C ends it cleanly and
// still prints the report.
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/option_values.h"
#include "cli/stop_signal.h"
#include "cli/loadtest_calls.h"
#include "cli/loadtest_html.h"
#include "cli/loadtest_report.h"
#include "media/media_engine.h"
#include "signaling/sip_agent.h"

namespace hark::cli {

namespace {

const char* kUsage =
    "usage: hark loadtest --target sip:NUMBER_OR_PATTERN@HOST[:PORT] [options]\n"
    "  --calls N             calls to place (default 100)\n"
    "  --concurrency C       calls up at once at most (default 10)\n"
    "  --cps R               new calls per second (default 10)\n"
    "  --duration S          stop placing calls after S seconds (default: no limit)\n"
    "  --hold S              hold each answered call S seconds (default: hang up at the verdict)\n"
    "  --numbers FILE        numbers to dial, one a line, used in turn (instead of the target's)\n"
    "  --json FILE           write the report as JSON too\n"
    "  --csv FILE            one row per call: id, number, start, PDD, answer, verdict and its latency,\n"
    "                        beep onset, SIP code and reason, RTP received/lost/jitter, MOS, one-way flag\n"
    "  --html FILE           a self-contained HTML report: charts over time, histograms, SIP codes\n"
    "  --record DIR          a WAV per call with audio (early media included), named by call id\n"
    "  --record failed[:DIR] keep only failed calls' (not answered, one-way, MOS < 3); DIR: ./loadtest-failed\n"
    "  --ramp T:R,T:R,...    calls/s steps: R calls/s from second T on (e.g. 0:10,60:100,120:300);\n"
    "                        replaces --cps\n"
    "  --max-fail-rate X     exit 1 when the share of calls not answered exceeds X (0..1)\n"
    "  --bind URI            our SIP address (default sip:127.0.0.1:5080)\n"
    "  --proxy URI --user U --password P --caller-id C --ring-timeout S\n"
    "  --media-ip IP --rtp-ports MIN-MAX (default 20000-29999)\n"
    "A pattern's trailing X's count up: sip:5551XXX@host dials 5551000, 5551001, ...\n";

// The number for call k: the pattern's trailing X's replaced by k (zero-padded, wrapping).
std::string number_for(const std::string& pattern, uint64_t k) {
  size_t xs = 0;
  while (xs < pattern.size() && pattern[pattern.size() - 1 - xs] == 'X') ++xs;
  if (xs == 0) return pattern;
  uint64_t mod = 1;
  for (size_t i = 0; i < xs && mod < (1ull << 60); ++i) mod *= 10;
  std::string digits = std::to_string(k % mod);
  digits.insert(0, xs - std::min(xs, digits.size()), '0');
  return pattern.substr(0, pattern.size() - xs) + digits;
}
}  // namespace

int loadtest_command(int argc, char** argv) {
  std::string target, numbers_file, json_file, bind = "sip:127.0.0.1:5080", proxy, user, password, caller_id = "hark";
  std::string media_ip = "127.0.0.1";
  std::string csv_file, html_file, record_dir, ramp_text;
  bool record_failed_only = false;
  std::vector<control::RampStep> ramp;
  uint64_t calls = 100;
  int concurrency = 10, ring_timeout = 25, port_min = 20000, port_max = 29999;
  double cps = 10, duration = 0, hold = 0, max_fail = 1.0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "hark loadtest: %s needs a value\n", a.c_str()); std::exit(2); }
      return argv[++i];
    };
    // A number option's value, all of it a number; anything else is a usage error.
    auto whole = [&](auto& field) {
      const std::string v = value();
      if (!parse_whole(v, field)) {
        std::fprintf(stderr, "hark loadtest: %s needs a whole number in range, got '%s'\n", a.c_str(), v.c_str());
        std::exit(2);
      }
    };
    auto decimal = [&](double& field) {
      const std::string v = value();
      if (!parse_decimal(v, field)) {
        std::fprintf(stderr, "hark loadtest: %s needs a number, got '%s'\n", a.c_str(), v.c_str());
        std::exit(2);
      }
    };
    if (a == "--help" || a == "-h") { std::fputs(kUsage, stdout); return 0; }
    else if (a == "--target") target = value();
    else if (a == "--calls") whole(calls);
    else if (a == "--concurrency") whole(concurrency);
    else if (a == "--cps") decimal(cps);
    else if (a == "--duration") decimal(duration);
    else if (a == "--hold") decimal(hold);
    else if (a == "--numbers") numbers_file = value();
    else if (a == "--json") json_file = value();
    else if (a == "--csv") csv_file = value();
    else if (a == "--html") html_file = value();
    else if (a == "--record") {
      const std::string v = value();
      if (v == "failed" || v.rfind("failed:", 0) == 0) {
        record_failed_only = true;
        record_dir = v.size() > 7 ? v.substr(7) : "loadtest-failed";
      } else {
        record_dir = v;
      }
    } else if (a == "--ramp") {
      ramp_text = value();
      if (auto err = control::parse_ramp(ramp_text, ramp); !err.empty()) {
        std::fprintf(stderr, "hark loadtest: --ramp: %s\n", err.c_str());
        return 2;
      }
    }
    else if (a == "--max-fail-rate") decimal(max_fail);
    else if (a == "--bind") bind = value();
    else if (a == "--proxy") proxy = value();
    else if (a == "--user") user = value();
    else if (a == "--password") password = value();
    else if (a == "--caller-id") caller_id = value();
    else if (a == "--ring-timeout") whole(ring_timeout);
    else if (a == "--media-ip") media_ip = value();
    else if (a == "--rtp-ports") {
      if (!parse_port_range(value(), port_min, port_max)) {
        std::fprintf(stderr, "hark loadtest: --rtp-ports must look like 20000-29999 (1024..65535)\n");
        return 2;
      }
    } else { std::fprintf(stderr, "hark loadtest: unknown option %s\n%s", a.c_str(), kUsage); return 2; }
  }
  // Validate: every load is bounded.
  const auto at = target.find('@');
  if (target.rfind("sip:", 0) != 0 || at == std::string::npos || at + 1 >= target.size()) {
    std::fprintf(stderr, "hark loadtest: --target must look like sip:NUMBER@HOST[:PORT]\n%s", kUsage);
    return 2;
  }
  if (calls == 0 || calls > 10'000'000 || concurrency < 1 || concurrency > 10000 || cps <= 0 || cps > 5000 ||
      max_fail < 0 || max_fail > 1 || hold < 0 || hold > 3600 || duration < 0 || duration > 31'536'000 ||
      ring_timeout < 1 || ring_timeout > 3600) {
    std::fprintf(stderr, "hark loadtest: out of range: calls 1..10000000, concurrency 1..10000, cps 0..5000, "
                         "hold 0..3600 s, max-fail-rate 0..1, duration 0..31536000 s, ring-timeout 1..3600 s\n");
    return 2;
  }
  const std::string pattern = target.substr(4, at - 4), domain = target.substr(at + 1);
  if (!ramp.empty()) cps = control::ramp_peak(ramp);  // the agent paces at the peak; the ramp below
  if (!record_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(record_dir, ec);
    if (ec) { std::fprintf(stderr, "hark loadtest: cannot create %s: %s\n", record_dir.c_str(), ec.message().c_str()); return 2; }
  }
  std::vector<std::string> numbers;
  if (!numbers_file.empty()) {
    std::ifstream f(numbers_file);
    if (!f) { std::fprintf(stderr, "hark loadtest: cannot open %s\n", numbers_file.c_str()); return 2; }
    for (std::string line; std::getline(f, line);)
      if (!line.empty() && line[0] != '#') numbers.push_back(line.substr(0, line.find_first_of(" \t\r")));
    if (numbers.empty()) { std::fprintf(stderr, "hark loadtest: no numbers in %s\n", numbers_file.c_str()); return 2; }
  }

  // From here on Ctrl-C ends the test with its report, also while the engine starts.
  install_stop_signals();
  media::raise_fd_limit();
  media::MediaEngineOptions mo;
  mo.bind_ip = media_ip;
  mo.port_min = uint16_t(port_min);
  mo.port_max = uint16_t(port_max);
  mo.max_streams = size_t(concurrency) + 64;
  mo.record_dir = record_dir;
  media::MediaEngine engine(mo);
  signaling::TrunkSettings t;
  t.bind_url = bind;
  t.domain = domain;
  t.proxy = proxy;
  t.username = user;
  t.password = password;
  t.from_user = caller_id;
  t.calls_per_second = cps;
  t.max_concurrent = concurrency;
  t.ring_timeout_s = ring_timeout;
  t.media_ip = media_ip;

  std::mutex mu;
  control::LoadtestReport report;
  std::set<uint64_t> live;
  uint64_t ringing = 0, answered = 0, ended = 0;
  std::map<std::string, uint64_t> verdicts;
  // The dialing rate achieved: INVITEs sent between the first and the last (the agent paces).
  std::chrono::steady_clock::time_point first_invite{}, last_invite{};
  uint64_t invites = 0;
  // Per call: when it was placed (by the load test's call id, the request's tag), and its row.
  std::map<uint64_t, std::pair<double, double>> placed_at;  // id -> (s after start, Unix time)
  std::vector<control::CallRow> rows;
  const auto test_start = std::chrono::steady_clock::now();
  auto since_start = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - test_start).count(); };
  auto unix_now = [] {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  };
  signaling::SipAgent agent(t, engine, [&](const signaling::CallEvent& e) {
    std::lock_guard<std::mutex> g(mu);
    if (e.state == signaling::CallState::dialing) {
      last_invite = std::chrono::steady_clock::now();
      if (invites++ == 0) first_invite = last_invite;
    }
    if (e.state == signaling::CallState::ringing || e.state == signaling::CallState::early_media) ++ringing;
    if (e.state == signaling::CallState::answered) ++answered;
    if (e.state == signaling::CallState::verdict) ++verdicts[std::string(amd::to_string(e.verdict))];
    if (e.state == signaling::CallState::ended) {
      ++ended;
      live.erase(e.call_id);
      report.add(e);
      const auto at = placed_at[e.tag];
      rows.push_back(control::call_row(e, e.tag, at.first, at.second, since_start()));
      placed_at.erase(e.tag);
    }
  });
  if (auto err = agent.start(); !err.empty()) {
    std::fprintf(stderr, "hark loadtest: %s\n", err.c_str());
    return 1;
  }

  const bool tty = ::isatty(STDOUT_FILENO);
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto last_print = start;
  uint64_t placed = 0;
  bool stopped_placing = false;
  auto progress = [&](bool final_line) {
    const double el = std::chrono::duration<double>(Clock::now() - start).count();
    std::lock_guard<std::mutex> g(mu);
    std::string mix;
    for (auto& [v, n] : verdicts) mix += " " + v + ":" + std::to_string(n);
    const double rate = placed / std::max(0.001, el);
    const double remaining = stopped_placing ? 0 : double(calls - placed) / cps;
    char line[512];
    std::snprintf(line, sizeof line,
                  "placed %llu/%llu  ringing %llu  answered %llu  failed %llu  up %zu  %.1f calls/s  verdicts%s  "
                  "%.0f s elapsed, ~%.0f s to place",
                  (unsigned long long)placed, (unsigned long long)calls, (unsigned long long)ringing,
                  (unsigned long long)answered, (unsigned long long)(ended - std::min(ended, report.answered())),
                  agent.calls_up(), rate, mix.empty() ? " -" : mix.c_str(), el, remaining);
    if (tty) std::printf("\r\033[K%s%s", line, final_line ? "\n" : "");
    else spdlog::info("{}", line);
    std::fflush(stdout);
  };

  while (true) {
    const auto now = Clock::now();
    const double el = std::chrono::duration<double>(now - start).count();
    if (stop_requested() || (duration > 0 && el >= duration)) stopped_placing = true;
    // Keep the agent's queue short: it paces, we only stay ahead of it.
    while (!stopped_placing && placed < calls && agent.calls_in_progress() < size_t(concurrency) + size_t(cps) + 1 &&
           (ramp.empty() || double(placed) < control::ramp_calls_by(ramp, el))) {
      signaling::CallRequest r;
      r.tag = placed + 1;
      if (!record_dir.empty()) {
        r.record_id = r.tag;
        r.record_early_media = true;  // a failed call's tones and announcements are what a carrier wants to hear
      }
      r.number = numbers.empty() ? number_for(pattern, placed) : numbers[placed % numbers.size()];
      r.plan = signaling::CallPlan::load_test(hold > 0 ? int(hold * 1000) : 0);
      std::unique_lock<std::mutex> g(mu);
      placed_at[r.tag] = {since_start(), unix_now()};
      g.unlock();
      const uint64_t id = agent.originate(r);
      g.lock();
      live.insert(id);
      ++placed;
    }
    if (placed >= calls) stopped_placing = true;
    if (stop_requested()) {
      // Ctrl-C: hang up what is up (queued calls end at once), then report.
      std::vector<uint64_t> ids;
      {
        std::lock_guard<std::mutex> g(mu);
        ids.assign(live.begin(), live.end());
      }
      for (auto id : ids) agent.hangup(id);
      const auto deadline = Clock::now() + std::chrono::seconds(10);
      while (agent.calls_in_progress() > 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      break;
    }
    if (stopped_placing && agent.calls_in_progress() == 0) break;
    if (now - last_print >= std::chrono::milliseconds(tty ? 500 : 5000)) {
      last_print = now;
      progress(false);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  progress(true);
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  agent.stop();
  std::lock_guard<std::mutex> g(mu);
  // Calls/s achieved: INVITEs over the time between the first and the last (not the hold).
  const double span = std::chrono::duration<double>(last_invite - first_invite).count();
  const double achieved = invites > 1 && span > 0 ? double(invites - 1) / span : double(invites) / std::max(0.001, wall);
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  report.set_process_usage(double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                               double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
                           double(ru.ru_maxrss) / 1024.0);
  std::printf("\n%s", report.table(wall, achieved).c_str());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.call_id < b.call_id; });
  uint64_t beeps = 0;
  for (const auto& r : rows) beeps += r.beep_ms >= 0;
  std::printf("beeps detected          %llu\n", (unsigned long long)beeps);
  if (!record_dir.empty()) {
    // Every stream is closed: once the writer is idle, every file is there.
    if (!engine.recorder()->wait_idle(15000)) std::fprintf(stderr, "hark loadtest: recordings still being written\n");
    uint64_t kept = 0;
    for (const auto& r : rows) {
      const auto path = record_dir + "/" + std::to_string(r.call_id) + ".wav";
      if (record_failed_only && !control::call_failed(r)) std::filesystem::remove(path);
      else kept += std::filesystem::exists(path);
    }
    std::printf("recordings              %llu in %s%s\n", (unsigned long long)kept, record_dir.c_str(),
                record_failed_only ? " (failed calls only)" : "");
    if (engine.recorder()->dropped())
      std::printf("recording frames lost   %llu (the writer fell behind)\n", (unsigned long long)engine.recorder()->dropped());
  }
  if (!csv_file.empty()) {
    std::ofstream f(csv_file, std::ios::binary);
    f << control::calls_csv(rows);
    if (!f) std::fprintf(stderr, "hark loadtest: cannot write %s\n", csv_file.c_str());
  }
  if (!html_file.empty()) {
    std::ofstream f(html_file, std::ios::binary);
    f << control::loadtest_html(rows, wall, "hark loadtest: " + target + (ramp_text.empty() ? "" : " ramp " + ramp_text));
    if (!f) std::fprintf(stderr, "hark loadtest: cannot write %s\n", html_file.c_str());
  }
  if (!json_file.empty()) {
    std::ofstream f(json_file);
    f << report.json(wall, achieved) << "\n";
  }
  // Ctrl-C wins over the fail rate: the calls it hung up were not the carrier's failures.
  if (stop_requested()) return 130;
  if (report.failure_rate() > max_fail) {
    std::printf("FAIL: %.1f %% of calls failed, above --max-fail-rate %.1f %%\n", 100 * report.failure_rate(), 100 * max_fail);
    return 1;
  }
  return 0;
}

}  // namespace hark::cli
