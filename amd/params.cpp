#include "amd/params.h"

#include <charconv>

namespace hark::amd {

Params Params::asterisk_defaults() {
  Params p;
  p.algorithm = Algorithm::asterisk;
  p.detect_beep = p.detect_fax = p.detect_sit = false;
  return p;
}

Params Params::hark_defaults() {
  Params p;
  p.algorithm = Algorithm::hark;
  p.initial_silence_ms = 5000;
  p.greeting_ms = 2400;
  p.after_greeting_silence_ms = 500;
  p.total_analysis_ms = 7000;
  p.max_words = 0;
  p.long_greeting_extra_silence_ms = 400;
  p.learned_decision = true;
  // 35 s, not Params' 30 s: a greeting of up to 30 s after seconds of music or silence, called
  // a machine in its first seconds, beeps more than 30 s after the verdict (dev and train
  // renderings: 1 beep more each, at 32.8 and 34.6 s of audio). The tracker alone runs
  // meanwhile (about 2 us a frame). Set here rather than in params.h, which most of the tree
  // includes.
  p.beep_timeout_ms = 35000;
  return p;
}

std::string Params::set(std::string_view name, std::string_view value) {
  if (name == "decision") {
    if (value == "model") learned_decision = true;
    else if (value == "rules") learned_decision = false;
    else return "decision must be 'model' or 'rules'";
    return {};
  }
  if (name == "algorithm") {
    if (value == "hark") algorithm = Algorithm::hark;
    else if (value == "asterisk") algorithm = Algorithm::asterisk;
    else return "algorithm must be 'hark' or 'asterisk'";
    return {};
  }
  struct Field { std::string_view name; int* field; int min; int max; };
  const Field fields[] = {
      {"initial_silence", &initial_silence_ms, 0, 60000},
      {"greeting", &greeting_ms, 0, 60000},
      {"after_greeting_silence", &after_greeting_silence_ms, 0, 60000},
      {"total_analysis_time", &total_analysis_ms, 100, 120000},
      {"min_word_length", &min_word_length_ms, 0, 60000},
      {"between_words_silence", &between_words_silence_ms, 0, 60000},
      {"maximum_number_of_words", &max_words, 0, 1000},
      {"silence_threshold", &silence_threshold, 0, 32767},
      {"maximum_word_length", &max_word_length_ms, 0, 120000},
      {"beep_timeout", &beep_timeout_ms, 0, 600000},
      {"late_listen", &late_listen_ms, 0, 600000},
      {"long_greeting_extra_silence", &long_greeting_extra_silence_ms, 0, 10000},
      {"human_latency_cap", &human_latency_cap_ms, 200, 10000},
      {"longest_human_greeting", &longest_human_greeting_ms, 500, 60000},
  };
  for (const auto& f : fields) {
    if (f.name != name) continue;
    int v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc{} || end != value.data() + value.size())
      return std::string(name) + " must be a whole number";
    if (v < f.min || v > f.max)
      return std::string(name) + " must be between " + std::to_string(f.min) + " and " +
             std::to_string(f.max);
    *f.field = v;
    return {};
  }
  return "unknown AMD parameter '" + std::string(name) + "'";
}

std::string_view to_string(Algorithm a) { return a == Algorithm::hark ? "hark" : "asterisk"; }

}  // namespace hark::amd
