// Lead lists from CSV: the simple `Name, Phone` form or a header line with named columns.
//
// Valid rows are kept whatever the bad ones do: each rejected row is reported with its line
// number and the reason. RFC 4180 quoting (delimiters, quotes and line breaks inside quotes),
// UTF-8 (latin1_to_utf8 converts Latin-1 files first). The delimiter (`,` `;` or tab) is the one
// the first line holds most of. Columns are recognised by name (OMniLeads' telefono/tel1/tel2,
// VICIdial's phone_number/alt_phone, ...) or mapped by the caller (LeadColumnMapping).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "signaling/phone_number.h"
#include "sql/lead.h"

namespace hark::control {

using sql::Lead;
using sql::RowError;

/// Where a campaign's numbers are read from when they lack a country code.
constexpr std::string_view kDefaultRegion = "US";
/// Numbers of at most this many digits are extensions (as signaling::NumberPlan's default).
constexpr int kDefaultInternalLength = 4;
/// Which header columns hold what, as the caller names them (case-insensitive). Given any,
/// the first line is the header and must hold every named column; the phone columns are
/// dialed in the order given (the first is the main number).
struct LeadColumnMapping {
  std::vector<std::string> phone_columns;
  std::string name_column, external_id_column;
  bool empty() const { return phone_columns.empty() && name_column.empty() && external_id_column.empty(); }
};

struct LeadCsvOptions {
  bool skip_duplicate_phones = false;    ///< later rows with a phone already seen are skipped
  bool skip_rows_without_phone = false;  ///< rows without a phone are skipped, not errors
  std::string default_region = std::string(kDefaultRegion);  ///< the campaign's defaultRegion
  int internal_length = kDefaultInternalLength;               ///< the campaign's internalLength
  LeadColumnMapping mapping;             ///< empty: recognise the columns by their names
  int parse_threads = 0;                 ///< threads parsing a batch's numbers (0: the cores)
};

/// The one place a phone's text from a lead becomes what is stored and dialed: E.164 or an
/// extension (signaling::parse_number with the campaign's region and internal length).
signaling::ParsedNumber parse_lead_phone(std::string_view raw, const LeadCsvOptions& o);

/// `raw` in quotes for a rejected-row report, cut to 40 bytes (a report must stay small).
std::string quoted_for_report(std::string_view raw);

/// How many rejected rows a report lists in full; the rest are only counted (a body of bad
/// rows must not cost memory and a response in proportion).
constexpr size_t kMaxReportedErrors = 1000;

struct LeadCsvResult {
  std::vector<Lead> leads;
  std::vector<RowError> errors;  ///< the first max_reported_errors rejected rows
  size_t error_count = 0;        ///< every rejected row
  std::map<std::string, size_t> errors_by_reason;  ///< every rejected row, by kind ("no_phone", ...)
  size_t max_reported_errors = kMaxReportedErrors;
  int skipped_duplicates = 0;
  int skipped_without_phone = 0;
  bool had_header = false;

  /// Counts a rejected row; keeps it in `errors` while fewer than max_reported_errors are.
  void add_error(int line, std::string_view kind, std::string reason);
};

/// Writes a rejected-row report into `out`: "rejected" (the first `limit` of `first`, by line),
/// "rejectedCount" (`total`) and "rejectedByReason" (`by_reason`).
void add_reject_report(boost::json::object& out, std::vector<RowError> first, size_t total,
                       const std::map<std::string, size_t>& by_reason, size_t limit = kMaxReportedErrors);

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
  /// Set when the mapping names a column the header does not have (nothing is read then).
  const std::string& mapping_error() const { return mapping_error_; }
  /// The mapping used: {"delimiter", "header", "phoneColumns", "nameColumn", "externalIdColumn",
  /// "descriptionColumn"} (header names; null where none).
  boost::json::object mapping_json() const;

 private:
  enum class Role { name, phone, extra_phone, description, external_id, other };
  void map_header(const std::vector<std::string>& header);
  std::string_view text_;
  LeadCsvOptions o_;
  size_t pos_ = 0;
  int line_ = 1;
  bool had_header_ = false;
  std::vector<Role> roles_;
  std::vector<std::string> names_;
  std::vector<size_t> phone_order_;  ///< the phone columns, main number first
  char delim_ = ',';
  std::string mapping_error_;
  std::unordered_set<std::string> phones_, external_ids_;
};

/// Parses a whole CSV text. Never throws on bad data.
LeadCsvResult parse_lead_csv(std::string_view text, const LeadCsvOptions& o = {});

/// Sets lead.phone (E.164 or an extension, through parse_lead_phone), lead.phone_raw (the main
/// number as written) and lead.extra_phones from raw numbers, main first; further numbers that
/// are not valid are left out; lead.time_zones from them (signaling/number_time_zones.h). Returns the main number's parse: not ok() when it is missing or
/// not a valid number (the lead must then be refused).
signaling::ParsedNumber set_lead_numbers(Lead& lead, const std::vector<std::string>& raw, const LeadCsvOptions& o);

/// As set_lead_numbers, with the numbers already parsed: `parsed[k]` is parse_lead_phone of
/// `raw[k]` (the main number trimmed; an empty one may be left unparsed).
signaling::ParsedNumber set_lead_numbers(Lead& lead, const std::vector<std::string>& raw,
                                         const std::vector<signaling::ParsedNumber>& parsed);

/// The reason a lead's main number is refused, for an import report or a 422: "no phone number"
/// or "phone '...' is too short for GB".
std::string phone_problem(std::string_view raw, const signaling::ParsedNumber& p, const LeadCsvOptions& o);

/// True when `s` is valid UTF-8.
bool valid_utf8(std::string_view s);
/// The offset of the first byte of `s` that is not valid UTF-8, or npos.
size_t first_invalid_utf8(std::string_view s);
/// `s` read as ISO-8859-1, in UTF-8.
std::string latin1_to_utf8(std::string_view s);
/// A header name that holds phone numbers (phone*, telefono, tel*, mobile, celular, número, ...).
bool is_phone_header(std::string_view lower);

}  // namespace hark::control
