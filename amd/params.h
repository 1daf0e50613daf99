// AMD parameters: Asterisk app_amd's names and meanings, plus hark's own extras.
#pragma once

#include <string>
#include <string_view>

namespace hark::amd {

enum class Algorithm { hark, asterisk };

/// Parameters of one classifier. Times are milliseconds of audio.
/// The first block carries Asterisk app_amd's parameters with the same meanings, so settings
/// migrate from Asterisk, OMniLeads and VICIdial unchanged.
struct Params {
  Algorithm algorithm = Algorithm::hark;

  // --- app_amd parameters (same names, same meanings) ---
  int initial_silence_ms = 2500;         ///< max silence before the greeting
  int greeting_ms = 1500;                ///< max length of a greeting (longer: machine)
  int after_greeting_silence_ms = 800;   ///< silence after the greeting that means a person
  int total_analysis_ms = 5000;          ///< give up (unknown) after this much audio
  int min_word_length_ms = 100;          ///< voice shorter than this is not a word
  int between_words_silence_ms = 50;     ///< silence that separates two words
  int max_words = 2;                     ///< more words than this: machine (0: no limit)
  int silence_threshold = 256;           ///< Asterisk: mean |sample| below this is silence
  int max_word_length_ms = 5000;         ///< one word longer than this: machine

  // --- hark extras ---
  int beep_timeout_ms = 30000;  ///< after a machine verdict, listen this long for the beep
  /// After a human verdict, keep listening for a late beep or a monologue until this much
  /// audio (from the answer) was heard; 0: stop at the verdict. Greetings run up to 30 s and
  /// a beep up to 4 s after them: 35 s hears the beep of the longest.
  int late_listen_ms = 35000;
  bool detect_beep = true;
  bool detect_fax = true;
  bool detect_sit = true;
  /// Early media (183) before the answer: listen for SIT only, decide nothing else.
  bool early_media_sit_only = false;
  float vad_margin_db = 6.0f;   ///< voice is this far above the adaptive noise floor
  /// hark: extra silence asked of a greeting as long as greeting_ms (see SpeechTiming).
  int long_greeting_extra_silence_ms = 0;
  /// hark: decide with the learned greeting model (GreetingDecision) rather than the fixed
  /// silence rules of SpeechTiming.
  bool learned_decision = false;
  /// hark, learned decision: the pause after a greeting that forces a decision, put off while
  /// voice is heard, to 2 s at most (the operating point of `hark amd --labels`'s curve).
  int human_latency_cap_ms = 1300;
  /// hark: no person's greeting runs longer (learned decision: a longer one is a machine;
  /// after a human verdict, talk running past it is a suspected miss, see late_machine).
  int longest_human_greeting_ms = 5000;

  /// Asterisk app_amd's defaults (the classic logic with its classic numbers).
  static Params asterisk_defaults();
  /// hark's defaults: shorter after-greeting silence (faster human verdicts), longer
  /// greeting and initial silence (two-word greetings and silent humans are people),
  /// and dead air is its own verdict rather than a machine.
  static Params hark_defaults();

  /// Sets one parameter by its name (e.g. "greeting", "after_greeting_silence",
  /// "silence_threshold"). Returns an error message, empty on success.
  std::string set(std::string_view name, std::string_view value);
};

std::string_view to_string(Algorithm a);

}  // namespace hark::amd
