// What a lead is on its way into the database: the row a CSV (or any other source) produced,
// and the rows it refused. Plain data, so sql/ can store leads without knowing how they were
// parsed (control/campaign/lead_csv.h parses them).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hark::sql {

struct Lead {
  std::string name;
  std::string phone;                     ///< E.164 ("+441615527789"), or an extension's digits
  std::string phone_raw;                 ///< the phone as the file wrote it, for display
  std::vector<std::string> extra_phones; ///< further phone columns
  std::string description;
  std::string external_id;
  std::string fields_json = "{}";        ///< any other columns, as a JSON object
  /// The IANA zones its numbers may be in (calling hours, 0019); none: not known yet (NULL).
  std::optional<std::vector<std::string>> time_zones;
  int line = 0;                          ///< where it started in the file
};

/// A row that was refused, and why.
struct RowError {
  int line = 0;
  std::string reason;
};

}  // namespace hark::sql
