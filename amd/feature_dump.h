// The training data of the greeting model: the call features at every decision point of a
// recording, as the classifier computes them (see scripts/train_amd_model.py).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "amd/params.h"

namespace hark::amd {

/// Feeds `samples` (8 kHz) through the classifier's front end and calls `point(now_ms,
/// features)` at every decision point after the first word, until `stop_ms` or the audio ends.
void for_each_decision_point(std::span<const int16_t> samples, const Params& p, uint32_t stop_ms,
                             const std::function<void(uint32_t, const float*)>& point);

}  // namespace hark::amd
