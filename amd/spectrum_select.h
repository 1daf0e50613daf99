// Selections over a frame's spectrum that run on every frame of every call: the first
// greatest bin, and the k-th smallest power (a median). Both give exactly what the plain
// loop (or std::nth_element over the whole span) gives, only faster.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace hark::amd {

/// The index of the first greatest of v[lo], ..., v[hi - 1] (lo < hi; no NaN among them): the
/// bin that `if (v[k] > v[best]) best = k` keeps.
/// That loop is a chain of dependent compares the compiler may not vectorise, and the spectral
/// peak searches ran it over some 190 bins a frame. A maximum is exact in any order, so the
/// value is found four bins at a time, then the first bin that holds it.
inline int first_max(const float* v, int lo, int hi) {
  int k = lo;
  float m = v[lo];
#if defined(__SSE__) || defined(__x86_64__)
  if (hi - lo >= 8) {
    __m128 m4 = _mm_loadu_ps(v + lo);
    for (k = lo + 4; k + 4 <= hi; k += 4) m4 = _mm_max_ps(m4, _mm_loadu_ps(v + k));
    alignas(16) float lanes[4];
    _mm_store_ps(lanes, m4);
    m = lanes[0];
    for (int j = 1; j < 4; ++j) m = lanes[j] > m ? lanes[j] : m;
  }
#endif
  for (; k < hi; ++k) m = v[k] > m ? v[k] : m;
  int at = lo;
  while (at + 1 < hi && v[at] != m) ++at;  // (bounded: a NaN, never here, would match none)
  return at;
}

/// The k-th smallest (from 0) of v[0], ..., v[n - 1] (k < n <= 256; none negative, no NaN),
/// the value std::nth_element puts at k. In two steps: the values by their binary exponent (a
/// non-negative float's bits order as its value does), then nth_element among the few that
/// share the k-th one's exponent. nth_element over the whole band (193 bins) every frame was
/// the music detector's cost, in mispredicted branches.
inline float kth_smallest(const float* v, size_t n, size_t k) {
  uint16_t count[256] = {};
  for (size_t i = 0; i < n; ++i) ++count[std::bit_cast<uint32_t>(v[i]) >> 23 & 0xff];
  size_t below = 0;
  unsigned e = 0;
  while (below + count[e] <= k) below += count[e++];
  std::array<float, 256> same;
  size_t m = 0;
  for (size_t i = 0; i < n; ++i)
    if ((std::bit_cast<uint32_t>(v[i]) >> 23 & 0xff) == e) same[m++] = v[i];
  std::nth_element(same.begin(), same.begin() + long(k - below), same.begin() + long(m));
  return same[k - below];
}

}  // namespace hark::amd
