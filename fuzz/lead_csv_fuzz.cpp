// libFuzzer: lead CSV uploads (RFC 4180 quoting, delimiters, headers, column mappings, UTF-8 and
// Latin-1), read in small batches as the upload does. Every row is either a lead or a
// rejected/skipped row: none is lost. Byte 0: options and batch size; byte 1: the mapping
// (none, or one of a few, some naming columns the header lacks) and whether the text is first
// converted from Latin-1.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "control/campaign/lead_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  hark::control::LeadCsvOptions o;
  o.skip_duplicate_phones = data[0] & 1;
  o.skip_rows_without_phone = data[0] & 2;
  const size_t batch = 1 + (data[0] >> 2);
  switch (data[1] & 3) {
    case 1: o.mapping.phone_columns = {"tel1", "tel2"}, o.mapping.name_column = "nombre"; break;
    case 2: o.mapping.phone_columns = {"phone_number", "alt_phone"}, o.mapping.external_id_column = "id"; break;
    case 3: o.mapping.name_column = "name"; break;  // no phone column named: recognised by name
    default: break;
  }
  std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  const bool valid = hark::control::valid_utf8(text);
  if (valid != (hark::control::first_invalid_utf8(text) == std::string_view::npos)) __builtin_trap();
  std::string converted;
  if (data[1] & 4) {
    converted = hark::control::latin1_to_utf8(text);
    if (!hark::control::valid_utf8(converted)) __builtin_trap();  // Latin-1 always converts
    text = converted;
  }
  hark::control::LeadCsvReader reader(text, o);
  hark::control::LeadCsvResult r;
  while (reader.next(r, batch)) {
  }
  if (!reader.mapping_error().empty() && (!r.leads.empty() || r.error_count)) __builtin_trap();  // refused whole
  if (reader.mapping_error().empty() && reader.mapping_json().at("phoneColumns").as_array().empty())
    __builtin_trap();  // unless refused, some column is always the phone
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
