// Asterisk app_amd's classic decision logic, reproduced frame for frame.
//
// It exists so users migrating from Asterisk, OMniLeads or VICIdial can run their old settings
// side by side with hark's classifier on the same audio. Its silence test is app_amd's:
// mean |sample| of a frame below silence_threshold.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "amd/events.h"
#include "amd/params.h"

namespace hark::amd {

class AsteriskAmd {
 public:
  explicit AsteriskAmd(const Params& p) : p_(p) {}

  /// Feeds one frame of `frame_ms` milliseconds ending at audio time `now_ms`;
  /// returns a verdict event once, when app_amd would have decided.
  std::optional<Event> rx(std::span<const int16_t> frame, int frame_ms, uint32_t now_ms);

 private:
  Params p_;
  bool done_ = false;
  bool in_word_ = true;  // app_amd starts in STATE_IN_WORD
  bool in_initial_silence_ = true;
  bool in_greeting_ = false;
  int total_ms_ = 0;
  int dsp_silence_ms_ = 0;  // ast_dsp_silence's running count of consecutive silence
  int silence_ms_ = 0;
  int consecutive_voice_ms_ = 0;
  int voice_ms_ = 0;
  int words_ = 0;
};

}  // namespace hark::amd
