// Many phone numbers parsed at once on a few threads (lead imports).
//
// libphonenumber stays the authority on every number, and it is slow: Parse + IsValidNumber
// cost ~40-60 µs a number (its ICU regular expressions), so a 1,000,000-row file spent about a
// minute on one core. PhoneNumberUtil's methods are const and thread-safe, so a batch's numbers
// are split over the machine's cores; the answers are the same as one parse_number() each.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "signaling/phone_number.h"

namespace hark::control {

/// signaling::parse_number(raws[i], region, internal_length) for every i, in order, on at most
/// `threads` threads (0: the machine's cores; small batches stay on the calling thread).
std::vector<signaling::ParsedNumber> parse_numbers(const std::vector<std::string>& raws, std::string_view region,
                                                   int internal_length, int threads = 0);

}  // namespace hark::control
