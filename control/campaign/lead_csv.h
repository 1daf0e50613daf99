// Lead lists from CSV: the simple `Name, Phone` form or a header line with named columns.
//
// Valid rows are kept whatever the bad ones do: each rejected row is reported with its line
// number and the reason. RFC 4180 quoting (commas, quotes and line breaks inside quotes), UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "sql/lead.h"

namespace hark::control {

using sql::Lead;
using sql::RowError;

struct LeadCsvOptions {
  bool skip_duplicate_phones = false;    ///< later rows with a phone already seen are skipped
  bool skip_rows_without_phone = false;  ///< rows without a phone are skipped, not errors
};

struct LeadCsvResult {
  std::vector<Lead> leads;
  std::vector<RowError> errors;
  int skipped_duplicates = 0;
  int skipped_without_phone = 0;
  bool had_header = false;
};

/// Reads a CSV text some rows at a time, so that an import can store one batch while the next
/// is parsed. Line numbers, duplicate checks and counters run across batches. Never throws on
/// bad data. `text` must outlive the reader.
class LeadCsvReader {
 public:
  explicit LeadCsvReader(std::string_view text, const LeadCsvOptions& o = {});
  /// Appends up to `max_leads` more leads (and the rows rejected or skipped on the way) to `out`.
  /// Returns false once the text is exhausted.
  bool next(LeadCsvResult& out, size_t max_leads);
  bool had_header() const { return had_header_; }

 private:
  enum class Role { name, phone, extra_phone, description, external_id, other };
  std::string_view text_;
  LeadCsvOptions o_;
  size_t pos_ = 0;
  int line_ = 1;
  bool had_header_ = false;
  std::vector<Role> roles_;
  std::vector<std::string> names_;
  std::unordered_set<std::string> phones_, external_ids_;
};

/// Parses a whole CSV text. Never throws on bad data.
LeadCsvResult parse_lead_csv(std::string_view text, const LeadCsvOptions& o = {});

/// Keeps digits (and a leading '+'); empty when fewer than 3 or more than 20 digits remain.
std::string clean_phone(std::string_view raw);

/// True when `s` is valid UTF-8.
bool valid_utf8(std::string_view s);

}  // namespace hark::control
