// Small synthetic signals shared by the tests: tones, noise, silence, at 8 kHz.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

namespace hark::test {

inline double amp_for_db(double dbfs) { return 32768.0 * std::pow(10.0, dbfs / 20.0) * std::sqrt(2.0); }

/// Appends `ms` of the sum of sines at `freqs`, each at `dbfs` RMS.
inline void add_tone(std::vector<int16_t>& v, std::initializer_list<double> freqs, int ms, double dbfs) {
  const size_t n = size_t(ms) * 8;
  const double a = amp_for_db(dbfs);
  for (size_t i = 0; i < n; ++i) {
    double s = 0;
    for (double f : freqs) s += a * std::sin(2 * M_PI * f * double(i) / 8000.0);
    v.push_back(int16_t(std::lround(std::clamp(s, -32768.0, 32767.0))));
  }
}

/// Appends `ms` of silence.
inline void add_silence(std::vector<int16_t>& v, int ms) { v.resize(v.size() + size_t(ms) * 8, 0); }

/// Adds gaussian noise at `dbfs` RMS over the whole signal (deterministic seed).
inline void add_noise(std::vector<int16_t>& v, double dbfs, unsigned seed = 7) {
  std::mt19937 g(seed);
  std::normal_distribution<double> d(0.0, 32768.0 * std::pow(10.0, dbfs / 20.0));
  for (auto& s : v) s = int16_t(std::clamp(double(s) + d(g), -32768.0, 32767.0));
}

/// A speech-like signal: a harmonic voice (F0 glides 180->140 Hz) switched on and off in
/// syllables of 150-250 ms with 40-80 ms dips, for `ms` in all.
inline void add_babble(std::vector<int16_t>& v, int ms, double dbfs, unsigned seed = 3) {
  std::mt19937 g(seed);
  const size_t n = size_t(ms) * 8;
  const double a = amp_for_db(dbfs) * 0.6;
  double phase = 0;
  size_t syl_end = 0, dip_end = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i >= dip_end) {
      syl_end = i + 8 * (150 + g() % 100);
      dip_end = syl_end + 8 * (40 + g() % 40);
    }
    const double f0 = 180.0 - 40.0 * double(i) / double(n);
    phase += 2 * M_PI * f0 / 8000.0;
    double s = 0;
    for (int h = 1; h <= 12; ++h) s += std::sin(h * phase) / h;
    const double env = i < syl_end ? 1.0 : 0.05;
    v.push_back(int16_t(std::lround(std::clamp(a * s * env, -32768.0, 32767.0))));
  }
}

}  // namespace hark::test
