// libFuzzer: do-not-call list uploads (first column, optional header, quotes, CRLF). Every
// number kept packs and cleans consistently; every refusal says where and why.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "control/campaign/dnc_csv.h"
#include "control/campaign/dnc_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto r = hark::control::parse_dnc_csv(text, size && data[0] & 1 ? "GB" : "US");
  if (r.numbers.size() != r.packed.size() || r.raw.size() != r.numbers.size()) __builtin_trap();
  for (size_t i = 0; i < r.numbers.size(); ++i) {
    // The stored number packs to the value the index holds.
    const auto again = hark::control::pack_number(r.numbers[i]);
    if (!again || *again != r.packed[i]) __builtin_trap();
  }
  if (r.errors.size() > r.error_count || r.errors.size() > hark::control::kMaxReportedErrors) __builtin_trap();
  int last = 0;
  for (const auto& e : r.errors) {
    if (e.line <= last || e.reason.empty()) __builtin_trap();  // in order, each says why
    last = e.line;
  }
  return 0;
}
