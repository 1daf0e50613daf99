// Pitch readers for the call features (call_features.h): the fundamental of a 20 ms frame,
// by autocorrelation at 4 kHz (pairs of samples summed). Pure functions, no state.
#pragma once

#include <cstdint>
#include <span>

namespace hark::amd {

/// The fundamental frequency of a 160-sample frame at 8 kHz (80-400 Hz), or 0 when the frame
/// is not clearly periodic (or shorter than 160 samples). 80 Hz is the range's end: a period
/// that may lie beyond it. Above about 160 Hz it often reads a multiple of the period (185 Hz
/// as 93, 300 as 100: its overlap correction favours long lags); the greeting model's pitch
/// features were trained on these readings, so they stay.
float frame_pitch_hz(std::span<const int16_t> frame);

/// The same for a low voice (66-190 Hz; the range's ends, 64.5 and 200 Hz, are none), read
/// over `frame` and the 160 samples before it (the last of `previous`; 0 without them): a
/// period too long for one 20 ms frame to show clearly.
float low_pitch_hz(std::span<const int16_t> frame, std::span<const int16_t> previous);

}  // namespace hark::amd
