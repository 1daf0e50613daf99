#include "amd/frame_pitch.h"

#include <algorithm>
#include <cmath>

namespace hark::amd {

namespace {
// A 20 ms frame at 4 kHz: pairs of samples summed, low-passed enough for voice fundamentals,
// and a quarter of the correlations' work.
constexpr int kN = 80;
// A correlation under this is no period.
constexpr float kMinPeriodicity = 0.5f;

// Writes `frame`'s first 2 * kN samples as kN pair sums to `y` and returns their sum.
float pair_sums(std::span<const int16_t> frame, float* y) {
  float sum = 0;
  for (int j = 0; j < kN; ++j) sum += y[j] = float(frame[2 * j]) + float(frame[2 * j + 1]);
  return sum;
}
}  // namespace

float frame_pitch_hz(std::span<const int16_t> frame) {
  constexpr int kMinLag = 10, kMaxLag = 50;  // 400 .. 80 Hz
  if (frame.size() < 2 * kN) return 0;
  float y[kN];
  const float mean = pair_sums(frame, y) / kN;
  float e0 = 0;
  for (int j = 0; j < kN; ++j) {
    y[j] -= mean;
    e0 += y[j] * y[j];
  }
  if (e0 <= 0) return 0;
  // Every lag's correlation at once, sample by sample: each lag's sum still adds its
  // products in the same order (j rising) as one lag at a time would, so the sums are the
  // same to the bit, but the lags side by side vectorise, where one lag's running float sum
  // is a chain of dependent additions (the compiler may not reorder it): this function was
  // the classifier's most costly part.
  float sums[kMaxLag + 1] = {};
  for (int j = 0; j + kMinLag < kN; ++j) {
    const float yj = y[j];
    const int last = std::min(kMaxLag, kN - 1 - j);
    for (int lag = kMinLag; lag <= last; ++lag) sums[lag] += yj * y[j + lag];
  }
  float best = 0;
  int best_lag = 0;
  for (int lag = kMinLag; lag <= kMaxLag; ++lag) {
    const float r = sums[lag] / e0 * float(kN) / float(kN - lag);
    if (r > best) {
      best = r;
      best_lag = lag;
    }
  }
  return best >= kMinPeriodicity ? 4000.0f / float(best_lag) : 0.0f;
}

float low_pitch_hz(std::span<const int16_t> frame, std::span<const int16_t> previous) {
  // In 20 ms a low voice (70-100 Hz, lag 40-57 at 4 kHz) leaves 23-40 samples overlapping its
  // lagged copy, too few for frame_pitch_hz's correlation (espeak-ng's m5 and m7, at about
  // 90 Hz, read a period in 71-82 % of their voiced frames, voices over 100 Hz in 92-98 %): here
  // each lag compares the frame's 80 samples with 80 earlier ones, reaching into the frame
  // before, normalised by both energies.
  constexpr int kMinLag = 20, kMaxLag = 62;  // 200 .. 64.5 Hz, ends excluded
  if (frame.size() < 2 * kN || previous.size() < 2 * kN) return 0;
  float z[2 * kN], e[2 * kN + 1];
  const float mean = (pair_sums(previous.last(2 * kN), z) + pair_sums(frame, z + kN)) / (2 * kN);
  e[0] = 0;
  for (int j = 0; j < 2 * kN; ++j) {
    z[j] -= mean;
    e[j + 1] = e[j] + z[j] * z[j];  // prefix sums: any window's energy in one subtraction
  }
  const float ey = e[2 * kN] - e[kN];
  if (ey <= 0) return 0;
  // As in frame_pitch_hz, every lag at once, each sum in the same order as before (j
  // rising), over the samples reversed so that the lags read forward: z[j - lag] is
  // back[2 * kN - 1 - j + lag].
  float back[2 * kN];
  for (int j = 0; j < 2 * kN; ++j) back[j] = z[2 * kN - 1 - j];
  float sums[kMaxLag + 1] = {};
  for (int j = kN; j < 2 * kN; ++j) {
    const float zj = z[j];
    const float* from = back + (2 * kN - 1 - j);
    for (int lag = kMinLag; lag <= kMaxLag; ++lag) sums[lag] += zj * from[lag];
  }
  float r_at[kMaxLag + 1] = {};
  float best = 0;
  for (int lag = kMinLag; lag <= kMaxLag; ++lag) {
    const float r = sums[lag];
    const float el = e[2 * kN - lag] - e[kN - lag];
    r_at[lag] = el > 0 ? r / std::sqrt(ey * el) : 0.0f;
    best = std::max(best, r_at[lag]);
  }
  if (best < kMinPeriodicity) return 0;
  // The shortest lag at a peak nearly as high as the best (a period's multiples correlate
  // about as well, and the voice's is the shortest); a peak at either end of the range is
  // none: the correlation still rose or fell there (a 60 Hz hum peaks at lag 62). So is a
  // correlation falling from the shortest lag: the period is shorter, and the peaks after it
  // its multiples (a 200 Hz voice read 100 Hz).
  if (r_at[kMinLag] >= 0.9f * best && r_at[kMinLag] >= r_at[kMinLag + 1]) return 0;
  for (int lag = kMinLag + 1; lag < kMaxLag; ++lag)
    if (r_at[lag] >= 0.9f * best && r_at[lag] >= r_at[lag - 1] && r_at[lag] >= r_at[lag + 1])
      return 4000.0f / float(lag);
  return 0;
}

}  // namespace hark::amd
