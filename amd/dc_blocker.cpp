#include "amd/dc_blocker.h"

#include <algorithm>
#include <cmath>

namespace hark::amd {

void DcBlocker::run(std::span<const int16_t> in, int16_t* out) {
  constexpr float kPole = 0.995f;
  // A lost packet (digital silence) stays digital silence: the detectors recognise lost
  // frames by it. The filter's state is kept for the audio after it.
  if (std::all_of(in.begin(), in.end(), [](int16_t s) { return s == 0; })) {
    std::fill(out, out + in.size(), int16_t(0));
    return;
  }
  float x1 = x1_, y1 = y1_;
  for (size_t i = 0; i < in.size(); ++i) {
    const float x = float(in[i]);
    const float y = x - x1 + kPole * y1;
    x1 = x;
    y1 = y;
    out[i] = int16_t(std::clamp(std::lrint(y), -32768L, 32767L));
  }
  x1_ = x1;
  y1_ = y1;
}

}  // namespace hark::amd
