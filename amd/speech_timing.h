// hark's word and greeting timing: turns a per-frame "speech or not" into a verdict.
//
// A person answers with a short greeting ("hello?", "hello, this is Maria") and then waits;
// a machine talks on. So: a greeting whose voiced length stays within greeting_ms, followed
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
  std::optional<Event> rx(bool speech, int frame_ms, uint32_t now_ms);

  /// The audio ended before a decision: the best verdict for what was heard.
  Event finish(uint32_t now_ms) const;

  bool in_greeting() const { return greeting_started_; }
  int words() const { return words_; }
  uint32_t last_word_end_ms() const { return last_word_end_ms_; }

 private:
  Params p_;
  bool done_ = false;
  bool greeting_started_ = false;
  int run_ms_ = 0;          // voice in the current run (a run is a word once >= min_word)
  int gap_ms_ = 1 << 30;    // silence since the last voiced frame
  int voiced_ms_ = 0;       // voiced time of the greeting so far (words only)
  int words_ = 0;
  uint32_t last_word_end_ms_ = 0;
};

}  // namespace hark::amd
