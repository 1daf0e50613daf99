#include "control/api/csv_cell.h"

#include <cctype>

namespace hark::control {

namespace {
/// "+15551234567", "-3", "12.5": a sign, digits and dots only.
bool plain_number(std::string_view s) {
  size_t i = (s.front() == '+' || s.front() == '-') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') return false;
  return true;
}
}  // namespace

std::string csv_cell(std::string_view s) {
  std::string v;
  if (!s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos && !plain_number(s))
    v = "'";
  v += s;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace hark::control
