#include "signaling/number_plan.h"

#include <cctype>

namespace hark::signaling {

namespace {
bool starts_with(const std::string& s, const std::string& prefix) {
  return !prefix.empty() && s.size() > prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
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
    r.number = "+" + digits;
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
    r.number = "+" + digits.substr(plan.international_prefix.size());
  } else if (int(digits.size()) <= plan.local_length) {
    r.number = "+" + plan.country_code + plan.area_code + digits;
  } else if (starts_with(digits, plan.national_prefix)) {
    r.number = "+" + plan.country_code + digits.substr(plan.national_prefix.size());
  } else if (starts_with(digits, plan.country_code) &&
             int(digits.size()) > plan.local_length + int(plan.area_code.size()) + 1) {
    r.number = "+" + digits;  // already carries the country code
  } else {
    r.number = "+" + plan.country_code + digits;
  }
  return r;
}

}  // namespace hark::signaling
