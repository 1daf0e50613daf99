// Reading settings out of JSON objects: each helper names the field it refuses. A refusal is a
// ValidationError, not an HTTP error, so campaign settings can be checked without the HTTP
// layer; the REST API turns it into 422 {"error": {"code": "invalid", "field", "message"}}.
#pragma once

#include <boost/json.hpp>

#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>

namespace hark::control {

/// A value that breaks a rule; `field` names it (the JSON member).
struct ValidationError : std::invalid_argument {
  ValidationError(std::string field, const std::string& message)
      : std::invalid_argument(message), field(std::move(field)) {}
  std::string field;
};

/// Throws ValidationError for `field`.
[[noreturn]] inline void invalid(std::string field, const std::string& message) {
  throw ValidationError(std::move(field), message);
}

/// A required (or, with `optional`, possibly absent) string: UTF-8 is already checked by the
/// parser; NUL characters and over-long values are refused.
std::optional<std::string> get_string(const boost::json::object& o, const char* field, bool required,
                                      size_t max_len = 1000, size_t min_len = 0);
/// A whole number within [lo, hi] (a double with no fraction is accepted).
std::optional<long long> get_int(const boost::json::object& o, const char* field, bool required, long long lo,
                                 long long hi);
/// true or false.
std::optional<bool> get_bool(const boost::json::object& o, const char* field, bool required);
/// Refuses members not in `known` (a typo must not be silently ignored).
void reject_unknown(const boost::json::object& o, std::initializer_list<const char*> known);

}  // namespace hark::control
