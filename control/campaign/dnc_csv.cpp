#include "control/campaign/dnc_csv.h"

#include "control/campaign/dnc_index.h"

namespace hark::control {

DncCsvResult parse_dnc_csv(std::string_view text) {
  DncCsvResult out;
  int line = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    ++line;
    const auto nl = rest.find('\n');
    std::string_view l = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    l = l.substr(0, l.find(','));
    if (l.size() >= 2 && l.front() == '"' && l.back() == '"') l = l.substr(1, l.size() - 2);
    if (l.find_first_not_of(" \t") == std::string_view::npos) continue;
    const auto p = pack_number(l);
    if (!p) {
      // A first line without a single digit is a header, not a bad number.
      if (line == 1 && l.find_first_of("0123456789") == std::string_view::npos) {
        out.had_header = true;
        continue;
      }
      if (++out.error_count <= kMaxReportedErrors) out.errors.push_back({line, "not a phone number of 3 to 18 digits"});
      continue;
    }
    out.packed.push_back(*p);
    out.numbers.push_back(clean_phone(l));
  }
  return out;
}

}  // namespace hark::control
