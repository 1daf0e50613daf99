// What the report, recording and QA routes share: the caller's groups as a query parameter,
// the date-range parameters, and whether the answer should be CSV.
#pragma once

#include <optional>
#include <string>

#include "control/api/api.h"

namespace hark::control {

/// The caller's groups as a PostgreSQL array literal ("{1,2}"): reports see only their campaigns.
std::string group_array(const Principal& p);

/// A `from`/`to` query parameter: absent (nullopt), a day YYYY-MM-DD (the campaign's local day,
/// inclusive at both ends) or a timestamp (ISO 8601; `to` exclusive). 422 otherwise.
std::optional<std::string> when_param(const ApiContext& ctx, const std::string& name);

/// An optional positive id query parameter (e.g. ?campaign=); 422 when not one.
std::optional<long long> id_param(const ApiContext& ctx, const std::string& name);

/// "/api/v1/recordings/<id>" when the attempt's recording is in `dir`, else null.
boost::json::value recording_url(const std::string& dir, long long attempt_id);

/// CSV when the path ends in .csv or the client asks for text/csv (Accept).
bool wants_csv(const ApiContext& ctx);

}  // namespace hark::control
