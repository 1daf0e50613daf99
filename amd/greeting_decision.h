// hark's learned, sequential greeting decision: human, machine or dead air from how the
// greeting unfolds.
//
// Every 100 ms of audio after the first word, the model of greeting_model.h (trained offline
// by scripts/train_amd_model.py on the by-voice corpus's train split, thresholds chosen on its
// dev split) reads CallFeatures and gives the probability that a person is talking. The
// verdict is sequential:
//   - in a pause of at least 200 ms, a probability >= the model's human threshold is a person:
//     a lone "hello?" is called within a few hundred ms, while a short first phrase of a
//     machine ("Hi, this is Anna.") keeps a low probability through its pause and waits;
//   - a pause reaching human_latency_cap_ms forces the choice (probability >= 0.5: person),
//     put off while voice is heard then or talk was in the last 160 ms (two frames of it), to
//     2 s of pause at most (the operating point; see the accuracy/latency curve of
//     `hark amd --labels`);
//   - a probability <= the machine threshold after a second of greeting is a machine, as is a word
//     over max_word_length_ms, or a greeting over longest_human_greeting_ms unless p >= 0.6;
//   - no word within initial_silence_ms is dead air;
//   - music in the greeting (CallFeatures::music_ms), or playing through the pause after
//     "words" that were only its swells, allows no person verdict at any point;
//   - nor does a pause that still sounds, with a pitch, after faint words only (a music
//     intro's first swell), in the first 5 s: the greeting may not have begun.
#pragma once

#include <cstdint>
#include <optional>

#include "amd/call_features.h"
#include "amd/events.h"
#include "amd/params.h"

namespace hark::amd {

class GreetingDecision {
 public:
  explicit GreetingDecision(const Params& p) : p_(p) {}

  /// Called once per frame after `features` took the frame ending at `now_ms`. Returns a
  /// verdict once. `hold_human` defers a human verdict (a tone under way may yet be a beep).
  std::optional<Event> rx(const CallFeatures& features, uint32_t now_ms, bool hold_human);

  /// The audio ended before a decision: the best verdict for what was heard.
  Event finish(const CallFeatures& features, uint32_t now_ms) const;

  /// The model's probability of a person at `now_ms` (features must have started).
  static double human_probability(const CallFeatures& features, uint32_t now_ms);

  /// The model is consulted every this many ms of audio.
  static constexpr int kDecisionStepMs = 100;
  /// True at the frames where the model is consulted.
  static bool decision_point(uint32_t now_ms) { return now_ms % kDecisionStepMs == 0; }

 private:
  Params p_;
  bool done_ = false;
};

}  // namespace hark::amd
