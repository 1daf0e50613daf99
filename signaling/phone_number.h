// Phone numbers as people write them -> E.164, through libphonenumber (Google's metadata of every
// country's numbering plan), so hark keeps no hand-written rules of its own.
//
// Numbers are parsed once, where they enter hark (lead and do-not-call imports, single edits,
// do-not-call checks), with a default region for numbers written without their country code.
// What is stored and dialed is the E.164 form ("+441615527789"); the caller keeps the raw text
// for display. Short all-digit numbers (at most `internal_length` digits) are extensions or the
// private numbers of a PBX: kept as written, never sent to libphonenumber.
#pragma once

#include <string>
#include <string_view>

namespace hark::signaling {

/// Why a text is not a number we can dial; `none` when it is.
enum class NumberProblem {
  none,
  empty,              ///< no digits at all
  not_a_number,       ///< letters or symbols where a number should be
  unknown_region,     ///< the default region is not a region libphonenumber knows
  bad_country_code,   ///< "+999 ...": no country has that calling code
  too_short,          ///< shorter than any number of its country
  too_long,           ///< longer than any number of its country
  invalid,            ///< a possible length, but no number of its country looks like it
  local_only,         ///< dialable only inside its area (the area code is missing, or digits are)
};

struct ParsedNumber {
  std::string number;   ///< E.164 ("+441615527789"), or the digits of an extension; empty on a problem
  bool extension = false;
  NumberProblem problem = NumberProblem::none;
  bool ok() const { return problem == NumberProblem::none; }
};

/// Parses `raw` as dialed from `default_region` (ISO 3166 "GB", "US"; case-insensitive).
/// Accepted forms: international with '+' or the region's international prefix ("00", "011"),
/// national ("01615527789" in GB), and international without '+' ("441615527789": tried when
/// the national reading is not a valid number). At most `internal_length` digits and nothing
/// but digits and punctuation: an extension, kept as written. An extension part ("x12",
/// "ext 12") is dropped: what is dialed is the number.
ParsedNumber parse_number(std::string_view raw, std::string_view default_region, int internal_length = 0);

/// A short key for `p` ("too_short"), as import reports count rejected rows by reason.
std::string_view problem_key(NumberProblem p);
/// `p` in words for a person ("is too short for GB"), the region named when it matters.
std::string problem_text(NumberProblem p, std::string_view region);

/// True when libphonenumber knows `region` ("GB"; case-insensitive).
bool known_region(std::string_view region);
/// `region` in upper case ("gb" -> "GB").
std::string region_code(std::string_view region);

/// `e164` ("+441615527789") as dialed from `region`: the national form inside the region
/// ("01615527789"), with the region's international prefix outside it ("011441615527789"),
/// digits only. Returns `e164` unchanged when it does not parse or `region` is unknown.
std::string format_for_region(std::string_view e164, std::string_view region);

}  // namespace hark::signaling
