// Do-not-call list uploads from CSV: one number per line in the first column; a header line
// (no digit at all) is allowed; blank lines are skipped. A pure parser (no database, no HTTP),
// so it is unit-tested and fuzzed on its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "control/campaign/lead_csv.h"

namespace hark::control {

struct DncCsvResult {
  std::vector<std::string> numbers;  ///< cleaned (clean_phone), in file order, duplicates kept
  std::vector<uint64_t> packed;      ///< pack_number of each, same order
  std::vector<RowError> errors;      ///< the first kMaxReportedErrors rejected lines
  size_t error_count = 0;            ///< every rejected line
  bool had_header = false;
};

/// Parses a CSV text of numbers (first column; `"..."` around it is removed). Never throws on
/// bad data; memory stays in proportion to the good numbers, not to the bad lines.
DncCsvResult parse_dnc_csv(std::string_view text);

}  // namespace hark::control
