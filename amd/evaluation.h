// Scoring a set of AMD results against labels: what `hark amd --labels` reports.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "amd/events.h"

namespace hark::amd {

/// What a file truly holds (from a labels manifest).
struct Label {
  Verdict truth = Verdict::unknown;
  std::optional<int> beep_ms;        ///< onset of the beep, when the file has one
  std::optional<int> speech_end_ms;  ///< end of the person's greeting (humans)
};

/// What the classifier said about one file.
struct Outcome {
  Verdict verdict = Verdict::unknown;
  int decided_at_ms = 0;
  std::optional<int> beep_at_ms;
  bool late_machine = false;  ///< a late_machine event followed a human verdict
};

struct Scores {
  static constexpr int kClasses = 6;
  std::array<std::array<int, kClasses>, kClasses> confusion{};  ///< [truth][verdict]
  int files = 0;
  int correct = 0;
  int human_machine_files = 0;     ///< labelled human or machine
  int human_machine_correct = 0;
  int humans = 0;
  int humans_as_machine = 0;
  int beeps = 0;                   ///< files with a labelled beep
  int beep_hits = 0;               ///< ... found within the tolerance of the onset
  int files_without_beep = 0;
  int false_beeps = 0;             ///< beep reported where there is none (or far off)
  std::array<int, kClasses> per_class{};          ///< files per truth
  std::vector<int> human_latency_ms;               ///< verdict time - end of greeting
  int machines_called_human_flagged = 0;  ///< ... of which a late_machine event flagged
  int humans_flagged = 0;                 ///< late_machine on a true human: a false alarm

  double accuracy() const;
  double human_machine_accuracy() const;
  double humans_as_machine_share() const;
  double machines_as_human_share() const;
  double beep_hit_rate() const;
  double false_beep_share() const;
  double recall(Verdict v) const;
  std::optional<int> latency_percentile(double p) const;
};

/// Adds one file's outcome; a beep counts as a hit within `beep_tolerance_ms` of the onset.
void score(Scores& s, const Label& label, const Outcome& outcome, int beep_tolerance_ms = 100);

/// A plain-text report: confusion matrix and the figures above, one per line.
std::string format_report(const Scores& s, const std::string& title);

/// The accuracy/latency curve: one line per cap on the human-verdict latency (the
/// human_latency_cap parameter), with the accuracy, humans called machine, machines called
/// human and the median and p90 human latency reached under it.
std::string format_curve(const std::vector<std::pair<int, Scores>>& by_cap);

/// The same figures as one JSON object.
std::string scores_json(const Scores& s);

}  // namespace hark::amd
