// Do-not-call list uploads from CSV: one number per line in the first column; a header line
// (no digit at all) is allowed; blank lines are skipped. Numbers are parsed with the list's
// defaultRegion and internalLength (signaling/phone_number.h), so "+44 161 552 7789", "01615527789" (GB) and
// "441615527789" are one entry. A pure parser (no database, no HTTP), unit-tested and fuzzed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "control/campaign/lead_csv.h"

namespace hark::control {

struct DncCsvResult {
  std::vector<std::string> numbers;  ///< E.164 (or extensions), in file order, duplicates kept
  std::vector<std::string> raw;      ///< each number as the file wrote it, same order
  std::vector<uint64_t> packed;      ///< pack_number of each, same order
  std::vector<RowError> errors;      ///< the first kMaxReportedErrors rejected lines
  size_t error_count = 0;            ///< every rejected line
  std::map<std::string, size_t> errors_by_reason;  ///< every rejected line, by kind ("too_short", ...)
  bool had_header = false;
};

/// Parses a CSV text of numbers (first column; `"..."` around it is removed), reading national
/// numbers as from `default_region`. Never throws on bad data; memory stays in proportion to
/// the good numbers, not to the bad lines.
DncCsvResult parse_dnc_csv(std::string_view text, std::string_view default_region = kDefaultRegion,
                           int internal_length = kDefaultInternalLength);

/// One do-not-call number (a line of an upload, a single add, remove or check): E.164 or an
/// extension, under a list's defaultRegion and internalLength. A number the index cannot hold
/// is `too_short` (an extension of fewer than 3 digits) or `too_long` (more than 18 digits).
signaling::ParsedNumber parse_dnc_number(std::string_view raw, std::string_view default_region, int internal_length);

}  // namespace hark::control
