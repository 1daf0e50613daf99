// Strict parsing of command-line option values: the whole text must be the number or range,
// so "abc", "", "12x" and numbers past the type's range are refused instead of read as 0 (atoi)
// or as a wrapped value.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace hark::cli {

/// A whole number, all of `s`; false when empty, not a number or out of the type's range.
template <class Int>
bool parse_whole(const std::string& s, Int& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc{} && end == s.data() + s.size();
}

/// A finite decimal number, all of `s`.
inline bool parse_decimal(const std::string& s, double& out) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(out);
}

/// "MIN-MAX" with 1024 <= MIN < MAX <= 65535.
inline bool parse_port_range(const std::string& s, int& lo, int& hi) {
  const auto dash = s.find('-');
  if (dash == std::string::npos) return false;
  int a = 0, b = 0;
  if (!parse_whole(s.substr(0, dash), a) || !parse_whole(s.substr(dash + 1), b)) return false;
  if (a < 1024 || b > 65535 || a >= b) return false;
  lo = a;
  hi = b;
  return true;
}

}  // namespace hark::cli
