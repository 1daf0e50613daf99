#include "control/campaign/number_batch.h"

#include <algorithm>
#include <exception>
#include <thread>

namespace hark::control {

namespace {
// Below this many numbers a thread's start costs more than it saves.
constexpr size_t kNumbersPerThread = 512;
}  // namespace

std::vector<signaling::ParsedNumber> parse_numbers(const std::vector<std::string>& raws, std::string_view region,
                                                   int internal_length, int threads) {
  std::vector<signaling::ParsedNumber> out(raws.size());
  size_t n = threads > 0 ? size_t(threads) : std::max(1u, std::thread::hardware_concurrency());
  n = std::clamp<size_t>(raws.size() / kNumbersPerThread, 1, n);
  auto work = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) out[i] = signaling::parse_number(raws[i], region, internal_length);
  };
  // Contiguous slices, the last one on the calling thread; a worker's exception (bad_alloc)
  // is rethrown here after every thread has joined.
  std::vector<std::thread> workers;
  std::vector<std::exception_ptr> failed(n);
  const size_t slice = (raws.size() + n - 1) / n;
  for (size_t t = 0; t + 1 < n; ++t)
    workers.emplace_back([&, t] {
      try {
        work(t * slice, std::min(raws.size(), (t + 1) * slice));
      } catch (...) {
        failed[t] = std::current_exception();
      }
    });
  try {
    work((n - 1) * slice, raws.size());
  } catch (...) {
    failed[n - 1] = std::current_exception();
  }
  for (auto& w : workers) w.join();
  for (auto& e : failed)
    if (e) std::rethrow_exception(e);
  return out;
}

}  // namespace hark::control
