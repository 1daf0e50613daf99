#include "amd/evaluation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hark::amd {

namespace {
double ratio(int a, int b) { return b == 0 ? 0.0 : double(a) / double(b); }
constexpr Verdict kAll[Scores::kClasses] = {Verdict::human, Verdict::machine, Verdict::fax,
                                            Verdict::sit,   Verdict::silence, Verdict::unknown};
}  // namespace

double Scores::accuracy() const { return ratio(correct, files); }
double Scores::human_machine_accuracy() const {
  return ratio(human_machine_correct, human_machine_files);
}
double Scores::humans_as_machine_share() const { return ratio(humans_as_machine, humans); }
double Scores::machines_as_human_share() const {
  const int m = int(Verdict::machine), h = int(Verdict::human);
  return ratio(confusion[m][h], per_class[m]);
}
double Scores::beep_hit_rate() const { return ratio(beep_hits, beeps); }
double Scores::false_beep_share() const { return ratio(false_beeps, files); }
double Scores::recall(Verdict v) const {
  const int i = int(v);
  return ratio(confusion[i][i], per_class[i]);
}

std::optional<int> Scores::latency_percentile(double p) const {
  if (human_latency_ms.empty()) return std::nullopt;
  std::vector<int> v = human_latency_ms;
  std::sort(v.begin(), v.end());
  const size_t idx = size_t(std::ceil(p / 100.0 * double(v.size()))) - (p > 0 ? 1 : 0);
  return v[std::min(idx, v.size() - 1)];
}

void score(Scores& s, const Label& label, const Outcome& o, int tolerance) {
  const int t = int(label.truth), v = int(o.verdict);
  ++s.files;
  ++s.per_class[t];
  ++s.confusion[t][v];
  if (t == v) ++s.correct;
  if (label.truth == Verdict::human || label.truth == Verdict::machine) {
    ++s.human_machine_files;
    if (t == v) ++s.human_machine_correct;
  }
  if (label.truth == Verdict::human) {
    ++s.humans;
    if (o.verdict == Verdict::machine) ++s.humans_as_machine;
    if (o.verdict == Verdict::human && label.speech_end_ms)
      s.human_latency_ms.push_back(o.decided_at_ms - *label.speech_end_ms);
  }
  if (o.late_machine && o.verdict == Verdict::human) {
    if (label.truth == Verdict::machine) ++s.machines_called_human_flagged;
    if (label.truth == Verdict::human) ++s.humans_flagged;
  }
  if (label.beep_ms) {
    ++s.beeps;
    if (o.beep_at_ms && std::abs(*o.beep_at_ms - *label.beep_ms) <= tolerance) ++s.beep_hits;
  } else {
    ++s.files_without_beep;
    if (o.beep_at_ms) ++s.false_beeps;
  }
}

std::string format_report(const Scores& s, const std::string& title) {
  std::string r;
  char line[256];
  auto add = [&](const char* fmt, auto... a) {
    std::snprintf(line, sizeof line, fmt, a...);
    r += line;
  };
  add("# %s: %d files\n", title.c_str(), s.files);
  add("# %-10s", "truth\\got");
  for (Verdict v : kAll) add(" %8s", std::string(to_string(v)).c_str());
  r += "\n";
  for (Verdict t : kAll) {
    if (s.per_class[int(t)] == 0) continue;
    add("# %-10s", std::string(to_string(t)).c_str());
    for (Verdict v : kAll) add(" %8d", s.confusion[int(t)][int(v)]);
    r += "\n";
  }
  add("# accuracy (all classes)        %6.2f %%\n", 100 * s.accuracy());
  add("# human vs machine accuracy     %6.2f %% (%d files)\n", 100 * s.human_machine_accuracy(),
      s.human_machine_files);
  add("# humans classified as machine  %6.2f %% (%d of %d)\n", 100 * s.humans_as_machine_share(),
      s.humans_as_machine, s.humans);
  add("# machines classified as human  %6.2f %% (%d of %d)\n", 100 * s.machines_as_human_share(),
      s.confusion[int(Verdict::machine)][int(Verdict::human)], s.per_class[int(Verdict::machine)]);
  add("# late_machine after `human`     %d of %d machines called human flagged; %d of %d humans (false alarms)\n",
      s.machines_called_human_flagged, s.confusion[int(Verdict::machine)][int(Verdict::human)], s.humans_flagged,
      s.confusion[int(Verdict::human)][int(Verdict::human)]);
  add("# beeps found within 100 ms     %6.2f %% (%d of %d)\n", 100 * s.beep_hit_rate(),
      s.beep_hits, s.beeps);
  add("# false beeps                   %6.2f %% of files (%d)\n", 100 * s.false_beep_share(),
      s.false_beeps);
  for (Verdict v : {Verdict::fax, Verdict::sit, Verdict::silence})
    if (s.per_class[int(v)] > 0)
      add("# %-8s recognised            %6.2f %%\n", std::string(to_string(v)).c_str(),
          100 * s.recall(v));
  if (auto p50 = s.latency_percentile(50))
    add("# human verdict after end of greeting: median %d ms, p90 %d ms (%zu humans)\n", *p50,
        *s.latency_percentile(90), s.human_latency_ms.size());
  return r;
}

std::string format_curve(const std::vector<std::pair<int, Scores>>& by_cap) {
  std::string r = "# accuracy/latency curve (human_latency_cap: the longest pause before a person is decided)\n"
                  "#   cap ms  human-vs-machine  humans->machine  machines->human  median ms  p90 ms\n";
  char line[160];
  for (const auto& [cap, s] : by_cap) {
    std::snprintf(line, sizeof line, "#   %6d  %15.2f %%  %13.2f %%  %13.2f %%  %9d  %6d\n", cap,
                  100 * s.human_machine_accuracy(), 100 * s.humans_as_machine_share(),
                  100 * s.machines_as_human_share(), s.latency_percentile(50).value_or(-1),
                  s.latency_percentile(90).value_or(-1));
    r += line;
  }
  return r;
}

std::string scores_json(const Scores& s) {
  char buf[1024];
  const auto p50 = s.latency_percentile(50), p90 = s.latency_percentile(90);
  std::snprintf(buf, sizeof buf,
                "{\"files\":%d,\"accuracy\":%.4f,\"human_machine_accuracy\":%.4f,"
                "\"humans_as_machine\":%.4f,\"machines_as_human\":%.4f,\"beep_hit_rate\":%.4f,\"false_beep_share\":%.4f,"
                "\"fax_recall\":%.4f,\"sit_recall\":%.4f,\"silence_recall\":%.4f,"
                "\"human_latency_p50_ms\":%d,\"human_latency_p90_ms\":%d}",
                s.files, s.accuracy(), s.human_machine_accuracy(), s.humans_as_machine_share(),
                s.machines_as_human_share(), s.beep_hit_rate(), s.false_beep_share(), s.recall(Verdict::fax),
                s.recall(Verdict::sit), s.recall(Verdict::silence), p50 ? *p50 : -1,
                p90 ? *p90 : -1);
  return buf;
}

}  // namespace hark::amd
