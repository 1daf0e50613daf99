// The spectrum's selections (amd/spectrum_select.h) against the plain loop and
// std::nth_element they replace: the same bin, the same value, ties and all.
#include "amd/spectrum_select.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace hark;

namespace {
// A deterministic generator (the same on every standard library).
struct Lcg {
  uint32_t state = 2024;
  uint32_t next() { return state = state * 1664525u + 1013904223u; }
  // Spectrum-like powers: zeros, small ties and a wide range of exponents.
  float power() {
    const uint32_t u = next() >> 8;
    switch (u % 5) {
      case 0: return 0.0f;
      case 1: return float(u % 4);  // ties
      default: return float(u % 100000) * std::ldexp(1.0f, int(u % 60) - 30);
    }
  }
};

int first_max_by_loop(const std::vector<float>& v, int lo, int hi) {
  int best = lo;
  for (int k = lo + 1; k < hi; ++k)
    if (v[k] > v[best]) best = k;
  return best;
}
}  // namespace

TEST(SpectrumSelect, FirstMaxIsTheLoopsBin) {
  Lcg r;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<float> v(1 + r.next() % 210);
    for (float& x : v) x = r.power();
    if (trial % 7 == 0) std::fill(v.begin(), v.end(), 1.0f);  // all equal: the first
    const int lo = int(r.next() % v.size()), hi = lo + 1 + int(r.next() % (v.size() - lo));
    ASSERT_EQ(amd::first_max(v.data(), lo, hi), first_max_by_loop(v, lo, hi))
        << "trial " << trial << ", bins " << lo << " to " << hi;
  }
}

TEST(SpectrumSelect, FirstMaxFindsAMaximumInTheLastBinsAfterTheVectorPart) {
  std::vector<float> v(203, 1.0f);
  v[202] = 2.0f;  // 203 bins: the last three are past the last group of four
  EXPECT_EQ(amd::first_max(v.data(), 0, 203), 202);
  v[201] = 2.0f;
  EXPECT_EQ(amd::first_max(v.data(), 0, 203), 201);
  v[5] = 2.0f;
  EXPECT_EQ(amd::first_max(v.data(), 0, 203), 5);
  EXPECT_EQ(amd::first_max(v.data(), 6, 203), 201);
}

TEST(SpectrumSelect, KthSmallestIsNthElementsValue) {
  Lcg r;
  for (int trial = 0; trial < 2000; ++trial) {
    const size_t n = 1 + r.next() % 256;
    std::vector<float> v(n);
    for (float& x : v) x = r.power();
    for (size_t k : {size_t(0), n / 2, n - 1, size_t(r.next() % n)}) {
      std::vector<float> sorted = v;
      std::nth_element(sorted.begin(), sorted.begin() + long(k), sorted.end());
      ASSERT_EQ(amd::kth_smallest(v.data(), n, k), sorted[k]) << "trial " << trial << ", k " << k << " of " << n;
    }
  }
}
