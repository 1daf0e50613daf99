#include "signaling/number_plan.h"

#include "signaling/phone_number.h"

namespace hark::signaling {

std::string dial_string(std::string_view number, const NumberPlan& plan) {
  const bool e164 = !number.empty() && number.front() == '+';
  if (!e164 && number.find_first_not_of("0123456789") == std::string_view::npos &&
      int(number.size()) <= plan.internal_length)
    return std::string(number);  // an extension: no outside line
  std::string out = plan.outside_line_prefix;
  out += e164 && !plan.region.empty() ? format_for_region(number, plan.region) : std::string(number);
  return out;
}

}  // namespace hark::signaling
