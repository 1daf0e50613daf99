#include "sql/recording_store.h"

#include <algorithm>
#include <filesystem>

namespace hark::sql {

namespace fs = std::filesystem;

std::vector<long long> expired_recordings(pqxx::connection& c, const std::vector<long long>& attempt_ids) {
  if (attempt_ids.empty()) return {};
  pqxx::read_transaction tx(c);
  std::string literal = "{";
  for (auto id : attempt_ids) {
    if (literal.size() > 1) literal += ',';
    literal += std::to_string(id);
  }
  literal += "}";
  std::vector<long long> out;
  for (auto row : tx.exec_prepared("recordings_expired", literal)) out.push_back(row[0].as<long long>());
  return out;
}

int delete_expired_recordings(pqxx::connection& c, const std::string& dir) {
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return 0;
  std::vector<long long> ids;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const auto name = e.path().filename().string();
    if (name.size() < 5 || name.substr(name.size() - 4) != ".wav") continue;
    const auto stem = name.substr(0, name.size() - 4);
    if (stem.empty() || stem.size() > 18 || !std::all_of(stem.begin(), stem.end(), ::isdigit)) continue;
    ids.push_back(std::stoll(stem));
  }
  int deleted = 0;
  // In slices, so a folder of a million files never becomes one huge parameter.
  for (size_t i = 0; i < ids.size(); i += 5000) {
    std::vector<long long> slice(ids.begin() + long(i), ids.begin() + long(std::min(ids.size(), i + 5000)));
    for (auto id : expired_recordings(c, slice))
      if (fs::remove(fs::path(dir) / (std::to_string(id) + ".wav"), ec)) ++deleted;
  }
  return deleted;
}

}  // namespace hark::sql
