// Number normalisation: what a user types or a CRM field holds -> what we dial.
//
// Non-digits are ignored, as CTI systems do ("+44 (161) 552-7789" works); an outside-line
// prefix is dropped; numbers no longer than internal_length are extensions and stay as they
// are; everything else becomes E.164 (+CC...), filling in the default country and area code.
#pragma once

#include <string>
#include <string_view>

namespace hark::signaling {

struct NumberPlan {
  std::string outside_line_prefix;       ///< e.g. "9"; dropped when present
  std::string country_code = "1";        ///< default country (no '+')
  std::string area_code;                 ///< default area code for local numbers
  std::string international_prefix = "011";
  std::string national_prefix = "1";     ///< trunk prefix before a national number
  int internal_length = 4;               ///< this many digits or fewer: an extension
  int local_length = 7;                  ///< this many digits: a local number (area code added)
};

struct Normalized {
  std::string number;      ///< E.164 ("+15551234567") or an extension ("1234")
  bool internal = false;
  std::string error;       ///< set when the input holds no usable number
  bool ok() const { return error.empty(); }
};

/// Normalises one number under `plan`.
Normalized normalize_number(std::string_view raw, const NumberPlan& plan);

}  // namespace hark::signaling
