#include "amd/speech_timing.h"

#include <algorithm>
#include <cstdio>

namespace hark::amd {

namespace {
Event verdict(Verdict v, uint32_t at, const char* fmt, int a) {
  Event e;
  e.verdict = v;
  e.at_ms = at;
  std::snprintf(e.cause, sizeof e.cause, fmt, a);
  return e;
}
}  // namespace

int SpeechTiming::required_silence_ms(int span_ms) const {
  constexpr int kShortGreetingMs = 1000;
  const int base = p_.after_greeting_silence_ms;
  if (span_ms <= kShortGreetingMs || p_.greeting_ms <= kShortGreetingMs) return base;
  const double x = std::min(1.0, double(span_ms - kShortGreetingMs) / (p_.greeting_ms - kShortGreetingMs));
  return base + int(x * p_.long_greeting_extra_silence_ms);
}

std::optional<Event> SpeechTiming::rx(bool speech, int frame_ms, uint32_t now_ms, bool hold_human) {
  if (done_) return std::nullopt;
  auto decide = [&](Event e) {
    done_ = true;
    return std::optional<Event>(e);
  };

  if (speech) {
    if (gap_ms_ >= p_.between_words_silence_ms) run_ms_ = 0;  // a new run begins
    gap_ms_ = 0;
    const bool was_word = run_ms_ >= p_.min_word_length_ms;
    run_ms_ += frame_ms;
    const bool is_word = run_ms_ >= p_.min_word_length_ms;
    if (is_word) {
      // A run becoming a word counts all of its voice so far; later frames count one by one.
      voiced_ms_ += was_word ? frame_ms : run_ms_;
      if (!was_word) ++words_;
      if (!greeting_started_) greeting_onset_ms_ = now_ms - uint32_t(run_ms_);
      greeting_started_ = true;
      last_word_end_ms_ = now_ms;
    }
  } else {
    gap_ms_ += frame_ms;
  }

  if (greeting_started_) {
    const int span = int(last_word_end_ms_ - greeting_onset_ms_);
    if (span > p_.greeting_ms)
      return decide(verdict(Verdict::machine, now_ms, "long-greeting-%dms", span));
    if (run_ms_ >= p_.max_word_length_ms && gap_ms_ == 0)
      return decide(verdict(Verdict::machine, now_ms, "long-word-%dms", run_ms_));
    if (p_.max_words > 0 && words_ > p_.max_words)
      return decide(verdict(Verdict::machine, now_ms, "too-many-words-%d", words_));
    const int silence = int(now_ms - last_word_end_ms_);
    if (!hold_human && silence >= required_silence_ms(span))
      return decide(verdict(Verdict::human, now_ms, "greeting-%dms-then-silence", span));
  } else if (int(now_ms) >= p_.initial_silence_ms) {
    return decide(verdict(Verdict::silence, now_ms, "dead-air-%dms", int(now_ms)));
  }
  if (int(now_ms) >= p_.total_analysis_ms)
    return decide(verdict(Verdict::unknown, now_ms, "analysis-timeout-%dms", int(now_ms)));
  return std::nullopt;
}

Event SpeechTiming::finish(uint32_t now_ms) const {
  if (!greeting_started_)
    return verdict(Verdict::silence, now_ms, "audio-ended-in-silence-%dms", int(now_ms));
  return verdict(Verdict::unknown, now_ms, "audio-ended-in-greeting-%dms", int(last_word_end_ms_ - greeting_onset_ms_));
}

}  // namespace hark::amd
