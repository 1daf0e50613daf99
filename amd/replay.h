// Runs a whole recording through a classifier: the offline path of `hark amd` and the
// reference the live media path is tested against.
#pragma once

#include <cstdint>
#include <span>

#include "amd/evaluation.h"
#include "amd/events.h"
#include "amd/params.h"

namespace hark::amd {

struct ReplayResult {
  Event verdict;             ///< the verdict (from the audio, or at its end)
  bool has_beep = false;
  Event beep;                ///< valid when has_beep
  bool has_late_machine = false;
  Event late_machine;        ///< valid when has_late_machine: a suspected miss after `human`
  int rings = 0;             ///< rings played after the answer (`ringing` events) ...
  uint32_t answered_ms = 0;  ///< ... and when the last one ended: the call's real answer
  Outcome outcome() const;   ///< in the form the scorer takes
};

/// Feeds `samples` (8 kHz) frame by frame until the classifier is done or the audio ends.
ReplayResult replay(std::span<const int16_t> samples, const Params& p);

}  // namespace hark::amd
