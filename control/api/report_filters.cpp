#include "control/api/report_filters.h"

#include <cctype>
#include <filesystem>
#include <cstdint>

namespace hark::control {

std::string group_array(const Principal& p) {
  std::string s = "{";
  for (auto g : p.groups) {
    if (s.size() > 1) s += ',';
    s += std::to_string(g);
  }
  return s + "}";
}

std::optional<std::string> when_param(const ApiContext& ctx, const std::string& name) {
  const auto v = ctx.query(name);
  if (v.empty()) return std::nullopt;
  auto digit = [&](size_t i) { return i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])); };
  bool ok = v.size() >= 10 && digit(0) && digit(1) && digit(2) && digit(3) && v[4] == '-' && digit(5) && digit(6) &&
            v[7] == '-' && digit(8) && digit(9);
  if (ok && v.size() > 10) {
    // A timestamp: the day, then 'T' or a space, then only clock and zone characters.
    ok = (v[10] == 'T' || v[10] == ' ') && v.size() <= 35;
    for (size_t i = 11; ok && i < v.size(); ++i)
      ok = std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == ':' || v[i] == '.' || v[i] == '+' || v[i] == '-' ||
           v[i] == 'Z';
  }
  if (!ok) invalid(name, name + " must be a day YYYY-MM-DD or a timestamp YYYY-MM-DDTHH:MM:SSZ");
  return v;
}

std::optional<long long> id_param(const ApiContext& ctx, const std::string& name) {
  if (ctx.query(name).empty()) return std::nullopt;
  return ctx.query_int(name, 0, 1, INT64_MAX);
}

boost::json::value recording_url(const std::string& dir, long long attempt_id) {
  std::error_code ec;
  const auto id = std::to_string(attempt_id);
  if (dir.empty() || !std::filesystem::exists(dir + "/" + id + ".wav", ec)) return nullptr;
  return boost::json::value("/api/v1/recordings/" + id);
}

bool wants_csv(const ApiContext& ctx) {
  const auto& path = ctx.req.path;
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".csv") == 0) return true;
  return ctx.req.header("accept").find("text/csv") != std::string::npos;
}

}  // namespace hark::control
