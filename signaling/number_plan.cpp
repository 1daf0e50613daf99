#include "signaling/number_plan.h"

#include <cctype>
#include <initializer_list>
#include <string_view>

namespace hark::signaling {

namespace {
bool starts_with(const std::string& s, const std::string& prefix) {
  return !prefix.empty() && s.size() > prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

/// "+" followed by `parts`. Built by appending, not as `"+" + a + b`: GCC 12 at -O3 warns
/// (-Wrestrict, a false positive, GCC bug 105329) on the inlined insert-at-front of a temporary.
std::string e164(std::initializer_list<std::string_view> parts) {
  std::string s = "+";
  for (auto p : parts) s.append(p);
  return s;
}
}  // namespace

Normalized normalize_number(std::string_view raw, const NumberPlan& plan) {
  Normalized r;
  std::string digits;
  bool plus = false;
  for (char c : raw) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    else if (c == '+' && digits.empty()) plus = true;
  }
  if (digits.empty()) {
    r.error = "no digits in number";
    return r;
  }
  if (digits.size() > 20) {
    r.error = "number has more than 20 digits";
    return r;
  }
  if (plus) {
    r.number = e164({digits});
    return r;
  }
  if (int(digits.size()) <= plan.internal_length) {
    r.number = digits;
    r.internal = true;
    return r;
  }
  if (starts_with(digits, plan.outside_line_prefix) &&
      int(digits.size() - plan.outside_line_prefix.size()) > plan.internal_length)
    digits.erase(0, plan.outside_line_prefix.size());
  if (starts_with(digits, plan.international_prefix)) {
    r.number = e164({std::string_view(digits).substr(plan.international_prefix.size())});
  } else if (int(digits.size()) <= plan.local_length) {
    r.number = e164({plan.country_code, plan.area_code, digits});
  } else if (starts_with(digits, plan.national_prefix)) {
    r.number = e164({plan.country_code, std::string_view(digits).substr(plan.national_prefix.size())});
  } else if (starts_with(digits, plan.country_code) &&
             int(digits.size()) > plan.local_length + int(plan.area_code.size()) + 1) {
    r.number = e164({digits});  // already carries the country code
  } else {
    r.number = e164({plan.country_code, digits});
  }
  return r;
}

}  // namespace hark::signaling
