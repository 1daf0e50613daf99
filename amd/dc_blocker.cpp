#include "amd/dc_blocker.h"

#include <algorithm>
#include <cmath>

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace hark::amd {

namespace {
// std::lrint's result (round half to even, the default rounding mode) without its call into
// libm per sample: it was a fifth of the filter's cost, which led the media engine's own
// CPU. |y| stays far below 2^31 (at most 2 * 32768 / (1 - 0.995)), where the two agree.
inline int round_to_int(float y) {
#if defined(__SSE__) || defined(__x86_64__)
  return _mm_cvt_ss2si(_mm_set_ss(y));
#else
  return int(std::lrint(y));
#endif
}
}  // namespace

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
    out[i] = int16_t(std::clamp(round_to_int(y), -32768, 32767));
  }
  x1_ = x1;
  y1_ = y1;
}

}  // namespace hark::amd
