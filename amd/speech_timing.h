// hark's word and greeting timing: turns a per-frame "speech or not" into a verdict.
//
// A person answers with a short greeting ("hello?", "hello, this is Maria") and then waits;
// a machine talks on. The greeting's length is its span, from the first word's onset to the
// last word's end, pauses shorter than after_greeting_silence_ms included: counting voiced
// frames only (as app_amd does) makes the length depend on the VAD and on the line noise.
// So: a greeting whose span stays within greeting_ms, followed
// by after_greeting_silence_ms of silence, is a person; a greeting that grows past
// greeting_ms, a single word past max_word_length_ms, or (when set) too many words is a
// machine; no speech at all within initial_silence_ms is dead air. Unlike app_amd, a person
// who stays silent for a while before speaking is still a person.
#pragma once

#include <cstdint>
#include <optional>

#include "amd/events.h"
#include "amd/params.h"

namespace hark::amd {

class SpeechTiming {
 public:
  explicit SpeechTiming(const Params& p) : p_(p) {}

  /// Feeds one frame of `frame_ms` ending at `now_ms`; `speech` says whether it held speech.
  /// Returns a verdict once.
  /// `hold_human` defers a human verdict (a tone is under way that may yet prove a beep).
  std::optional<Event> rx(bool speech, int frame_ms, uint32_t now_ms, bool hold_human = false);

  /// Silence that must follow a greeting of `span_ms` before it counts as a person: the
  /// after-greeting silence for a short greeting, growing to after-greeting silence +
  /// long_greeting_extra_silence_ms as the greeting nears greeting_ms. A one-word "hello?" is
  /// almost always a person; a greeting near the limit is as likely a machine's first
  /// sentence, and machines pause 300-700 ms between sentences.
  int required_silence_ms(int span_ms) const;

  /// The audio ended before a decision: the best verdict for what was heard.
  Event finish(uint32_t now_ms) const;

  bool in_greeting() const { return greeting_started_; }
  int words() const { return words_; }
  uint32_t last_word_end_ms() const { return last_word_end_ms_; }
  /// When the greeting began (valid once in_greeting()); a large value before that.
  uint32_t greeting_onset_ms() const { return greeting_started_ ? greeting_onset_ms_ : UINT32_MAX / 2; }

 private:
  Params p_;
  bool done_ = false;
  bool greeting_started_ = false;
  int run_ms_ = 0;          // voice in the current run (a run is a word once >= min_word)
  int gap_ms_ = 1 << 30;    // silence since the last voiced frame
  int voiced_ms_ = 0;       // voiced time of the greeting so far (words only)
  int words_ = 0;
  uint32_t last_word_end_ms_ = 0;
  uint32_t greeting_onset_ms_ = 0;
};

}  // namespace hark::amd
