// Do-not-call lookups in the in-memory index: a list of 10 million numbers, looked up one at a
// time (hits and misses mixed), single thread and from several threads at once.
#include <benchmark/benchmark.h>

#include <random>

#include "control/campaign/dnc_index.h"

using namespace hark;

namespace {
control::DncIndex& index10m() {
  static control::DncIndex idx;
  static bool built = [] {
    std::mt19937_64 rng(42);
    std::vector<uint64_t> v;
    v.reserve(10'000'000);
    for (int i = 0; i < 10'000'000; ++i) v.push_back(*control::pack_number(std::to_string(15550000000ULL + rng() % 9'000'000'000ULL)));
    idx.add_many(1, std::move(v), 1);
    return true;
  }();
  (void)built;
  return idx;
}

void BM_DncLookup10M(benchmark::State& st) {
  auto& idx = index10m();
  std::mt19937_64 rng(7 + st.thread_index());
  std::vector<std::string> numbers;
  for (int i = 0; i < 4096; ++i) numbers.push_back(std::to_string(15550000000ULL + rng() % 9'000'000'000ULL));
  size_t i = 0, hits = 0;
  for (auto _ : st) {
    hits += idx.listed(1, numbers[i++ & 4095]);
  }
  benchmark::DoNotOptimize(hits);
  st.SetItemsProcessed(int64_t(st.iterations()));
  st.counters["list_size"] = benchmark::Counter(double(idx.size(1)), benchmark::Counter::kAvgThreads);
}
}  // namespace

BENCHMARK(BM_DncLookup10M)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_MAIN();
