// libFuzzer: phone numbers as leads and do-not-call lists carry them: the number plan's
// normaliser (with a plan taken from the input), the DNC packer and the CSV phone cleaner.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "control/campaign/dnc_index.h"
#include "control/campaign/lead_csv.h"
#include "signaling/number_plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  hark::signaling::NumberPlan plan;
  // A plan from the first bytes, '|'-separated, so prefixes and lengths are fuzzed too.
  std::string_view rest = s;
  auto field = [&]() {
    auto i = rest.find('|');
    std::string_view f = rest.substr(0, i);
    rest = i == std::string_view::npos ? std::string_view() : rest.substr(i + 1);
    return std::string(f.substr(0, 8));
  };
  if (!s.empty() && s[0] == 'P') {
    rest.remove_prefix(1);
    plan.outside_line_prefix = field();
    plan.country_code = field();
    plan.area_code = field();
    plan.international_prefix = field();
    plan.national_prefix = field();
    plan.internal_length = rest.empty() ? 4 : rest[0] % 12;
    plan.local_length = rest.size() < 2 ? 7 : rest[1] % 16;
  }
  const auto n = hark::signaling::normalize_number(rest, plan);
  if (n.ok() && n.number.empty()) __builtin_trap();  // success always yields a number
  (void)hark::control::pack_number(s);
  const auto c = hark::control::clean_phone(s);
  if (!c.empty() && (c.size() < 3 || c.size() > 21)) __builtin_trap();  // 3..20 digits, maybe '+'
  return 0;
}
