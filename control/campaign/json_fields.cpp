#include "control/campaign/json_fields.h"

#include <cmath>
#include <cstdint>

namespace hark::control {

namespace json = boost::json;

std::optional<std::string> get_string(const json::object& o, const char* field, bool required, size_t max_len,
                                      size_t min_len) {
  auto it = o.find(field);
  if (it == o.end() || it->value().is_null()) {
    if (required) invalid(field, std::string(field) + " is required");
    return std::nullopt;
  }
  if (!it->value().is_string()) invalid(field, std::string(field) + " must be a string");
  std::string s(it->value().as_string());
  if (s.find('\0') != std::string::npos) invalid(field, std::string(field) + " must not contain NUL characters");
  if (s.size() > max_len) invalid(field, std::string(field) + " is longer than " + std::to_string(max_len) + " bytes");
  if (s.size() < min_len) invalid(field, std::string(field) + " is too short (at least " + std::to_string(min_len) + ")");
  return s;
}

std::optional<long long> get_int(const json::object& o, const char* field, bool required, long long lo, long long hi) {
  auto it = o.find(field);
  if (it == o.end() || it->value().is_null()) {
    if (required) invalid(field, std::string(field) + " is required");
    return std::nullopt;
  }
  long long v = 0;
  const auto& x = it->value();
  if (x.is_int64()) v = x.as_int64();
  else if (x.is_uint64() && x.as_uint64() <= uint64_t(INT64_MAX)) v = static_cast<long long>(x.as_uint64());
  // A double is a whole number only inside long long's range (converting one outside it is
  // undefined behaviour: found by fuzz/campaign_json_fuzz with 3.2e44).
  else if (x.is_double() && std::abs(x.as_double()) < 9.2e18 && x.as_double() == std::trunc(x.as_double()))
    v = static_cast<long long>(x.as_double());
  else invalid(field, std::string(field) + " must be a whole number");
  if (v < lo || v > hi)
    invalid(field, std::string(field) + " must be from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

std::optional<bool> get_bool(const json::object& o, const char* field, bool required) {
  auto it = o.find(field);
  if (it == o.end() || it->value().is_null()) {
    if (required) invalid(field, std::string(field) + " is required");
    return std::nullopt;
  }
  if (!it->value().is_bool()) invalid(field, std::string(field) + " must be true or false");
  return it->value().as_bool();
}

void reject_unknown(const json::object& o, std::initializer_list<const char*> known) {
  for (const auto& kv : o) {
    bool ok = false;
    for (const char* k : known) ok = ok || kv.key() == k;
    if (!ok) invalid(std::string(kv.key()), "unknown field '" + std::string(kv.key()) + "'");
  }
}

}  // namespace hark::control
