// `hark amd`: QA replay of recorded calls through the AMD classifier.
// One JSON object per file on stdout; with --labels, a scored report after them
// (lines starting with '#', so JSON-lines readers can skip them).
#include <boost/json.hpp>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "amd/call_features.h"
#include "amd/evaluation.h"
#include "amd/feature_dump.h"
#include "amd/replay.h"
#include "cli/commands.h"
#include "cli/option_values.h"
#include "media/audio_file.h"

namespace hark::cli {

namespace {

const char* kUsage =
    "usage: hark amd [options] FILE...\n"
    "Replays WAV (8 kHz), raw G.711 (.ul/.al) or pcap/pcapng RTP captures through the AMD\n"
    "classifier and prints one JSON object per file:\n"
    "  {\"file\":..,\"verdict\":..,\"cause\":..,\"decided_at_ms\":..,\"beep_at_ms\":..}\n"
    "(plus \"late_machine\":CAUSE when a beep or a monologue followed a human verdict, and\n"
    " \"rings\":N,\"answered_at_ms\":MS when ringing played after the answer came first)\n"
    "options:\n"
    "  --algorithm hark|asterisk   decision logic (default hark)\n"
    "  --compare                   with --labels: also score the other algorithm\n"
    "  --set NAME=VALUE            set an AMD parameter (initial_silence, greeting,\n"
    "                              after_greeting_silence, total_analysis_time,\n"
    "                              min_word_length, between_words_silence,\n"
    "                              maximum_number_of_words, silence_threshold,\n"
    "                              maximum_word_length, beep_timeout,\n"
    "                              long_greeting_extra_silence, human_latency_cap,\n"
    "                              longest_human_greeting, late_listen, decision=model|rules)\n"
    "  --asterisk-args LIST        app_amd's positional arguments, e.g. 2500,1500,800,5000,100,50,2,256,5000;\n"
    "                              an empty field keeps that parameter's default, as in app_amd\n"
    "  --labels MANIFEST           score against a labels manifest (TSV: file label beep_ms\n"
    "                              speech_end_ms); without FILEs, every file it lists; prints\n"
    "                              the report and, for the learned decision, the accuracy/latency\n"
    "                              curve (each human_latency_cap from 400 to 2000 ms)\n"
    "  --summary-json FILE         with --labels: write the scores as JSON\n"
    "  --jobs N                    files processed in parallel (default: cores)\n"
    "  --dump-features FILE        with --labels: write the greeting model's features at every\n"
    "                              decision point of each human or machine file (TSV; what\n"
    "                              scripts/train_amd_model.py trains on) and score nothing\n";

struct Job {
  std::string path;     // as given
  std::string display;  // as printed
  std::optional<amd::Label> label;
};

struct Result {
  std::string error;
  amd::ReplayResult primary, other;
  std::vector<amd::Outcome> by_cap;  // the curve: one outcome per kCurveCaps entry
};

// The caps of the accuracy/latency curve (human_latency_cap, ms).
constexpr int kCurveCaps[] = {400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300, 1500, 1800, 2000};

std::string json_line(const Job& job, const Result& r) {
  boost::json::object o;
  o["file"] = job.display;
  if (!r.error.empty()) {
    o["error"] = r.error;
    return boost::json::serialize(o);
  }
  o["verdict"] = std::string(amd::to_string(r.primary.verdict.verdict));
  o["cause"] = std::string(r.primary.verdict.cause_view());
  o["decided_at_ms"] = r.primary.verdict.at_ms;
  if (r.primary.has_beep) o["beep_at_ms"] = r.primary.beep.beep_onset_ms;
  else o["beep_at_ms"] = nullptr;
  if (r.primary.has_late_machine) o["late_machine"] = std::string(r.primary.late_machine.cause_view());
  if (r.primary.rings > 0) o["rings"] = r.primary.rings, o["answered_at_ms"] = r.primary.answered_ms;
  return boost::json::serialize(o);
}

// Reads a labels manifest: tab-separated `file label [beep_ms] [speech_end_ms]`, '#' comments,
// an optional header line starting with "file". Paths are relative to the manifest.
std::string read_manifest(const std::string& path, std::vector<Job>& jobs) {
  std::ifstream f(path);
  if (!f) return "cannot open labels manifest " + path;
  const auto dir = std::filesystem::path(path).parent_path();
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    ++n;
    if (line.empty() || line[0] == '#' || line.rfind("file\t", 0) == 0) continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, '\t');) cols.push_back(c);
    amd::Label label;
    if (cols.size() < 2 || !amd::parse_verdict(cols[1], label.truth))
      return path + ":" + std::to_string(n) + ": expected 'file<TAB>label' with label one of human, machine, fax, sit, silence, unknown";
    auto num = [&](size_t i) -> std::optional<int> {
      if (cols.size() <= i || cols[i].empty() || cols[i] == "-") return std::nullopt;
      return std::atoi(cols[i].c_str());
    };
    label.beep_ms = num(2);
    label.speech_end_ms = num(3);
    Job j;
    j.path = (dir / cols[0]).string();
    j.display = cols[0];
    j.label = label;
    jobs.push_back(std::move(j));
  }
  return {};
}

// Writes the greeting model's training rows: the features at every decision point of each
// labelled human or machine file, up to its beep (the beep detector decides from there) or
// the end of the analysis window.
int dump_features(const std::vector<Job>& jobs, const amd::Params& params, const std::string& path) {
  std::ofstream out(path);
  if (!out) { std::fprintf(stderr, "hark amd: cannot write %s\n", path.c_str()); return 1; }
  out << "file\ttruth\tspeech_end_ms\tbeep_ms\tnow_ms";
  for (const char* n : amd::CallFeatures::names()) out << '\t' << n;
  out << '\n';
  std::vector<int16_t> samples;
  char num[32];
  for (const auto& j : jobs) {
    if (!j.label || (j.label->truth != amd::Verdict::human && j.label->truth != amd::Verdict::machine)) continue;
    if (auto err = media::read_audio(j.path, samples); !err.empty()) { std::fprintf(stderr, "hark amd: %s\n", err.c_str()); return 1; }
    uint32_t stop = uint32_t(params.total_analysis_ms);
    if (j.label->beep_ms) stop = std::min(stop, uint32_t(*j.label->beep_ms));
    amd::for_each_decision_point(samples, params, stop, [&](uint32_t now, const float* x) {
      out << j.display << '\t' << amd::to_string(j.label->truth) << '\t'
          << (j.label->speech_end_ms ? *j.label->speech_end_ms : -1) << '\t'
          << (j.label->beep_ms ? *j.label->beep_ms : -1) << '\t' << now;
      for (int k = 0; k < amd::CallFeatures::kCount; ++k) {
        std::snprintf(num, sizeof num, "\t%.9g", double(x[k]));  // exact float32
        out << num;
      }
      out << '\n';
    });
  }
  return 0;
}

}  // namespace

int amd_command(int argc, char** argv) {
  amd::Params params = amd::Params::hark_defaults();
  std::vector<std::pair<std::string, std::string>> sets;
  std::string labels_path, summary_path, asterisk_args, dump_path;
  bool compare = false;
  bool asterisk = false;
  int jobs_n = int(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::string> files;

  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "hark amd: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") { std::fputs(kUsage, stdout); return 0; }
    else if (a == "--algorithm") {
      const std::string v = value();
      if (v != "hark" && v != "asterisk") { std::fprintf(stderr, "hark amd: --algorithm must be hark or asterisk\n"); return 2; }
      asterisk = v == "asterisk";
    } else if (a == "--compare") compare = true;
    else if (a == "--set") {
      const std::string kv = value();
      const auto eq = kv.find('=');
      if (eq == std::string::npos) { std::fprintf(stderr, "hark amd: --set takes NAME=VALUE\n"); return 2; }
      sets.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else if (a == "--asterisk-args") asterisk_args = value();
    else if (a == "--labels") labels_path = value();
    else if (a == "--summary-json") summary_path = value();
    else if (a == "--dump-features") dump_path = value();
    else if (a == "--jobs") {
      if (!parse_whole(value(), jobs_n) || jobs_n < 1 || jobs_n > 256) { std::fprintf(stderr, "hark amd: --jobs must be 1..256\n"); return 2; }
    } else if (!a.empty() && a[0] == '-') { std::fprintf(stderr, "hark amd: unknown option %s\n%s", a.c_str(), kUsage); return 2; }
    else files.push_back(a);
  }

  // Parameters: the algorithm's defaults, then app_amd's positional list, then --set.
  params = asterisk ? amd::Params::asterisk_defaults() : amd::Params::hark_defaults();
  if (!asterisk_args.empty()) {
    static const char* names[] = {"initial_silence", "greeting", "after_greeting_silence",
                                  "total_analysis_time", "min_word_length", "between_words_silence",
                                  "maximum_number_of_words", "silence_threshold", "maximum_word_length"};
    // app_amd's order; an empty field keeps the default, as AMD(2000,,1000) does in Asterisk.
    // They go before the --set values, which override them.
    std::vector<std::pair<std::string, std::string>> positional;
    std::stringstream ss(asterisk_args);
    std::string v;
    for (int k = 0; std::getline(ss, v, ','); ++k) {
      if (k >= 9) { std::fprintf(stderr, "hark amd: --asterisk-args takes at most 9 values\n"); return 2; }
      if (!v.empty()) positional.emplace_back(names[k], v);
    }
    sets.insert(sets.begin(), positional.begin(), positional.end());
  }
  for (auto& [k, v] : sets) {
    if (auto err = params.set(k, v); !err.empty()) { std::fprintf(stderr, "hark amd: %s\n", err.c_str()); return 2; }
  }
  amd::Params other = asterisk ? amd::Params::hark_defaults() : amd::Params::asterisk_defaults();

  std::vector<Job> jobs;
  if (!labels_path.empty()) {
    std::vector<Job> labelled;
    if (auto err = read_manifest(labels_path, labelled); !err.empty()) { std::fprintf(stderr, "hark amd: %s\n", err.c_str()); return 2; }
    if (files.empty()) {
      jobs = std::move(labelled);
    } else {
      std::map<std::string, amd::Label> by_path;
      for (auto& j : labelled) by_path[std::filesystem::weakly_canonical(j.path).string()] = *j.label;
      for (auto& f : files) {
        Job j{f, f, std::nullopt};
        auto it = by_path.find(std::filesystem::weakly_canonical(f).string());
        if (it != by_path.end()) j.label = it->second;
        else std::fprintf(stderr, "hark amd: %s is not in the labels manifest; not scored\n", f.c_str());
        jobs.push_back(std::move(j));
      }
    }
  } else {
    for (auto& f : files) jobs.push_back({f, f, std::nullopt});
  }
  if (jobs.empty()) { std::fputs(kUsage, stderr); return 2; }

  if (!dump_path.empty()) return dump_features(jobs, params, dump_path);

  // The curve needs the learned decision, whose operating point the cap is.
  const bool curve = !labels_path.empty() && params.algorithm == amd::Algorithm::hark && params.learned_decision;
  std::vector<Result> results(jobs.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    std::vector<int16_t> samples;
    for (size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      auto& r = results[i];
      r.error = media::read_audio(jobs[i].path, samples);
      if (!r.error.empty()) continue;
      r.primary = amd::replay(samples, params);
      if (compare) r.other = amd::replay(samples, other);
      if (curve && jobs[i].label) {
        // The verdict alone: no listening past it.
        amd::Params c = params;
        c.late_listen_ms = c.beep_timeout_ms = 0;
        for (int cap : kCurveCaps) {
          c.human_latency_cap_ms = cap;
          r.by_cap.push_back(amd::replay(samples, c).outcome());
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::min<int>(jobs_n, int(jobs.size())); ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();

  int failed = 0;
  amd::Scores primary_scores, other_scores;
  std::vector<std::pair<int, amd::Scores>> by_cap;
  for (int cap : kCurveCaps) by_cap.emplace_back(cap, amd::Scores{});
  for (size_t i = 0; i < jobs.size(); ++i) {
    std::puts(json_line(jobs[i], results[i]).c_str());
    if (!results[i].error.empty()) { ++failed; continue; }
    if (jobs[i].label) {
      amd::score(primary_scores, *jobs[i].label, results[i].primary.outcome());
      if (compare) amd::score(other_scores, *jobs[i].label, results[i].other.outcome());
      for (size_t k = 0; k < results[i].by_cap.size(); ++k) amd::score(by_cap[k].second, *jobs[i].label, results[i].by_cap[k]);
    }
  }
  if (!labels_path.empty()) {
    std::fputs(amd::format_report(primary_scores, std::string(amd::to_string(params.algorithm)) + " algorithm").c_str(), stdout);
    if (curve) std::fputs(amd::format_curve(by_cap).c_str(), stdout);
    if (compare) std::fputs(amd::format_report(other_scores, std::string(amd::to_string(other.algorithm)) + " algorithm (side by side)").c_str(), stdout);
    if (!summary_path.empty()) {
      std::ofstream out(summary_path);
      out << "{\"" << amd::to_string(params.algorithm) << "\":" << amd::scores_json(primary_scores);
      if (compare) out << ",\"" << amd::to_string(other.algorithm) << "\":" << amd::scores_json(other_scores);
      out << "}\n";
    }
  }
  if (failed) std::fprintf(stderr, "hark amd: %d of %zu file(s) could not be read\n", failed, jobs.size());
  return failed ? 1 : 0;
}

}  // namespace hark::cli
