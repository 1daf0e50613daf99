// A DC-blocking high-pass filter (one pole at 0.995, -3 dB near 6 Hz at 8 kHz).
//
// A line with a DC offset (a cheap codec or analogue gateway) adds a constant to every
// sample: the VAD then reads the offset as a loud noise floor and a quiet person under it as
// silence. Removing it before anything measures power keeps every detector's levels honest.
#pragma once

#include <cstdint>
#include <span>

namespace hark::amd {

class DcBlocker {
 public:
  /// Filters `in` into `out` (same length); state carries over from frame to frame.
  void run(std::span<const int16_t> in, int16_t* out);

 private:
  float x1_ = 0, y1_ = 0;
};

}  // namespace hark::amd
