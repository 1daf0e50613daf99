// libFuzzer: lead CSV uploads (RFC 4180 quoting, headers, UTF-8), read in small batches as the
// upload does. Every row is either a lead or a rejected/skipped row: none is lost.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "control/campaign/lead_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  hark::control::LeadCsvOptions o;
  o.skip_duplicate_phones = data[0] & 1;
  o.skip_rows_without_phone = data[0] & 2;
  const size_t batch = 1 + (data[0] >> 2);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  hark::control::LeadCsvReader reader(text, o);
  hark::control::LeadCsvResult r;
  while (reader.next(r, batch)) {
  }
  for (const auto& l : r.leads) {
    if (l.phone.empty() || l.line < 1) __builtin_trap();  // a lead always has a phone and a line
    // Stored as E.164 ('+' and digits) or an extension of at most internal_length digits.
    const bool e164 = l.phone[0] == '+' && l.phone.size() >= 3 && l.phone.size() <= 21;
    const bool ext = l.phone.size() <= size_t(o.internal_length);
    if ((!e164 && !ext) || l.phone.find_first_not_of("0123456789", e164 ? 1 : 0) != std::string::npos) __builtin_trap();
  }
  for (const auto& e : r.errors)
    if (e.line < 1 || e.reason.empty()) __builtin_trap();  // a refusal always says where and why
  (void)hark::control::valid_utf8(text);
  return 0;
}
