#include "control/campaign/dnc_csv.h"

#include "control/campaign/dnc_index.h"

namespace hark::control {

signaling::ParsedNumber parse_dnc_number(std::string_view raw, std::string_view default_region, int internal_length) {
  auto p = signaling::parse_number(raw, default_region, internal_length);
  if (p.ok() && !pack_number(p.number)) {  // fewer than 3 or more than 18 digits
    p.problem = p.number.size() < 3 ? signaling::NumberProblem::too_short : signaling::NumberProblem::too_long;
    p.number.clear();
  }
  return p;
}

DncCsvResult parse_dnc_csv(std::string_view text, std::string_view default_region, int internal_length) {
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
    const auto first = l.find_first_not_of(" \t");
    if (first == std::string_view::npos) continue;
    l = l.substr(first, l.find_last_not_of(" \t") - first + 1);
    // A first line without a single digit is a header, not a bad number.
    if (line == 1 && l.find_first_of("0123456789") == std::string_view::npos) {
      out.had_header = true;
      continue;
    }
    auto p = parse_dnc_number(l, default_region, internal_length);
    if (!p.ok()) {
      const auto problem = p.problem;
      ++out.error_count;
      ++out.errors_by_reason[std::string(signaling::problem_key(problem))];
      if (out.errors.size() < kMaxReportedErrors)
        {
        std::string why = quoted_for_report(l);
        why += ' ';
        why += signaling::problem_text(problem, default_region);
        out.errors.push_back({line, std::move(why)});
      }
      continue;
    }
    out.packed.push_back(*pack_number(p.number));
    out.numbers.push_back(std::move(p.number));
    out.raw.emplace_back(l);
  }
  return out;
}

}  // namespace hark::control
