// A trunk's number plan: the number a lead holds -> the digits sent to the trunk.
//
// Numbers are parsed once, at import (signaling/phone_number.h): a lead holds E.164
// ("+441615527789") or an extension ("2001"). At dial time the trunk adds what only it knows:
// an extension (at most internal_length digits) is dialed as it is; any other number gets the
// outside-line prefix, and, when the trunk has a home region, the form a caller in that region
// dials ("01615527789" in GB, "011441615527789" in the US) instead of E.164.
#pragma once

#include <string>
#include <string_view>

namespace hark::signaling {

struct NumberPlan {
  std::string outside_line_prefix;  ///< e.g. "9": put before every number that is not an extension
  int internal_length = 4;          ///< this many digits or fewer: an extension, dialed as it is
  std::string region;               ///< ISO 3166 code: dial in this region's format; empty: E.164
};

/// The digits (or E.164) to put in the request URI for `number` (as stored on a lead) under
/// `plan`. Never fails: a number stored before numbers were parsed goes out as it is, with
/// the outside-line prefix.
std::string dial_string(std::string_view number, const NumberPlan& plan);

}  // namespace hark::signaling
