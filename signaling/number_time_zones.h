// The time zones a phone number's holder may be in, for calling hours at the called party's
// local time (issue 18 part 4).
//
// libphonenumber 8.12 has no C++ time-zone mapper, so the zones come from two sources:
// libphonenumber says the number's region (ISO 3166, "US") and, through its offline geocoder,
// a location ("New York, NY", "California", "Sydney"); tzdata's zone1970.tab lists every
// country's zones. A country of one zone gives that zone. In a country of several, the
// location is mapped to zones: a US state, Canadian province or Australian state by name or
// abbreviation (a state that spans zones gives all of them), else a city that names one of the
// country's zones ("Sydney" -> Australia/Sydney). A location that maps to nothing (a mobile
// number, "United States"; a town that names no zone) gives every zone of the country: the
// caller must hold its window in all of them.
//
// Results are cached by the first nine digits (a calling code and at least six digits after
// it: the US area code and exchange are the finest prefix the geocoder's US data uses), so a million-lead import asks libphonenumber a few
// thousand times, not a million.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hark::signaling {

/// The IANA zones ("America/New_York") the holder of `e164` ("+12125551234") may be in,
/// sorted. Empty when none is known: an extension or other text that is not "+digits", a
/// non-geographic calling code (+800, +882), or no zone table on this machine. Thread-safe;
/// the reference stays valid for the life of the process.
const std::vector<std::string>& number_time_zones(std::string_view e164);

/// The union of the zones of `phone` and `extra` (a lead's numbers), sorted, no duplicates.
std::vector<std::string> numbers_time_zones(std::string_view phone, const std::vector<std::string>& extra);

/// Every zone tzdata lists for `region` ("AU"), sorted; empty when it lists none.
const std::vector<std::string>& region_time_zones(std::string_view region);

/// The zones of a geocoder location in `region`: a state or province, or a city naming a zone;
/// every zone of the region when the location maps to none. Exposed for tests.
std::vector<std::string> location_time_zones(std::string_view region, std::string_view location);

/// The zone table read: tzdata's zone1970.tab under $TZDIR or /usr/share/zoneinfo. Exposed so a
/// test can say which file was read.
std::string zone_table_path();

}  // namespace hark::signaling
