// What the two media benchmarks (media_bench, media_record_bench) share: a thread's CPU time,
// the corpus audio as G.711 streams, and a percentile.
#pragma once

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "media/audio_file.h"
#include "media/g711.h"

namespace hark::bench {

/// User + system CPU seconds of thread `t` so far.
inline double thread_cpu(pthread_t t) {
  clockid_t cid;
  if (pthread_getcpuclockid(t, &cid) != 0) return 0;
  timespec ts;
  clock_gettime(cid, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

/// Up to 400 files of the corpus in `dir` (its manifest.tsv), as μ-law, whole 20 ms frames.
inline std::vector<std::vector<uint8_t>> load_audio(const std::string& dir) {
  std::vector<std::vector<uint8_t>> out;
  std::ifstream m(dir + "/manifest.tsv");
  std::string line;
  std::getline(m, line);
  while (std::getline(m, line) && out.size() < 400) {
    std::vector<int16_t> pcm;
    if (!media::read_audio(dir + "/" + line.substr(0, line.find('\t')), pcm).empty()) continue;
    pcm.resize(pcm.size() / 160 * 160);
    std::vector<uint8_t> g(pcm.size());
    media::g711_encode(media::G711Law::ulaw, pcm, g.data());
    out.push_back(std::move(g));
  }
  return out;
}

/// The p-th percentile (0-100) of `v`, 0 when empty.
inline double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(p / 100.0 * double(v.size())))];
}

}  // namespace hark::bench
