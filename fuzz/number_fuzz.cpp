// libFuzzer: phone numbers as leads and do-not-call lists carry them: the libphonenumber parser
// (region and internal length taken from the input), the dial-time number plan and the DNC packer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "control/campaign/dnc_index.h"
#include "signaling/number_plan.h"
#include "signaling/phone_number.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  // Two bytes pick a region (any two letters: unknown ones must be refused, not crash) and
  // the internal length; the rest is the number.
  const std::string region{char('A' + data[0] % 26), char('A' + data[1] % 26)};
  const int internal_length = data[2] % 16;
  const std::string_view raw(reinterpret_cast<const char*>(data + 3), size - 3);
  const auto n = hark::signaling::parse_number(raw, region, internal_length);
  if (n.ok() == n.number.empty()) __builtin_trap();  // a number exactly when there is no problem
  if (n.ok() && !n.extension) {
    // '+', then digits (a country code and at most 17 more: libphonenumber's metadata allows
    // numbers past E.164's 15, e.g. in Germany); it parses again to itself from any region.
    if (n.number[0] != '+' || n.number.size() < 3 || n.number.size() > 21 ||
        n.number.find_first_not_of("0123456789", 1) != std::string::npos)
      __builtin_trap();
    const auto again = hark::signaling::parse_number(n.number, "US", 0);
    if (!again.ok() || again.number != n.number) __builtin_trap();
  }
  if (n.ok() && n.extension && (int(n.number.size()) > internal_length || n.number[0] == '+')) __builtin_trap();
  hark::signaling::NumberPlan plan;
  plan.outside_line_prefix = std::string(1, char('0' + data[0] % 10));
  plan.internal_length = internal_length;
  plan.region = data[1] & 1 ? region : "";
  if (n.ok()) (void)hark::signaling::dial_string(n.number, plan);
  (void)hark::signaling::dial_string(raw, plan);
  (void)hark::control::pack_number(raw);
  return 0;
}
