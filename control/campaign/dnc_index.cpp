#include "control/campaign/dnc_index.h"

#include <algorithm>
#include <mutex>
#include <set>

namespace hark::control {

std::optional<uint64_t> pack_number(std::string_view number) {
  uint64_t v = 1;
  int digits = 0;
  for (char c : number) {
    if (c >= '0' && c <= '9') {
      if (++digits > 18) return std::nullopt;
      v = v * 10 + uint64_t(c - '0');
    } else if (c != '+' && c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
      return std::nullopt;
    }
  }
  if (digits < 3) return std::nullopt;
  return v;
}

bool DncIndex::listed(long long list_id, std::string_view number) const {
  const auto p = pack_number(number);
  if (!p) return false;
  std::shared_lock lk(mu_);
  auto it = lists_.find(list_id);
  return it != lists_.end() && std::binary_search(it->second.sorted.begin(), it->second.sorted.end(), *p);
}

void DncIndex::add(long long list_id, uint64_t packed, long long version) {
  std::unique_lock lk(mu_);
  auto& l = lists_[list_id];
  auto it = std::lower_bound(l.sorted.begin(), l.sorted.end(), packed);
  if (it == l.sorted.end() || *it != packed) l.sorted.insert(it, packed);
  l.version = version;
}

void DncIndex::remove(long long list_id, uint64_t packed, long long version) {
  std::unique_lock lk(mu_);
  auto& l = lists_[list_id];
  auto it = std::lower_bound(l.sorted.begin(), l.sorted.end(), packed);
  if (it != l.sorted.end() && *it == packed) l.sorted.erase(it);
  l.version = version;
}

void DncIndex::add_many(long long list_id, std::vector<uint64_t> packed, long long version) {
  std::sort(packed.begin(), packed.end());
  packed.erase(std::unique(packed.begin(), packed.end()), packed.end());
  std::unique_lock lk(mu_);
  auto& l = lists_[list_id];
  std::vector<uint64_t> merged;
  merged.reserve(l.sorted.size() + packed.size());
  std::set_union(l.sorted.begin(), l.sorted.end(), packed.begin(), packed.end(), std::back_inserter(merged));
  l.sorted.swap(merged);
  l.version = version;
}

void DncIndex::drop_list(long long list_id) {
  std::unique_lock lk(mu_);
  lists_.erase(list_id);
}

size_t DncIndex::size(long long list_id) const {
  std::shared_lock lk(mu_);
  auto it = lists_.find(list_id);
  return it == lists_.end() ? 0 : it->second.sorted.size();
}

long long DncIndex::version(long long list_id) const {
  std::shared_lock lk(mu_);
  auto it = lists_.find(list_id);
  return it == lists_.end() ? -1 : it->second.version;
}

int DncIndex::refresh(pqxx::connection& c) {
  std::map<long long, long long> db_versions;
  {
    pqxx::read_transaction tx(c);
    for (auto row : tx.exec_prepared("dnc_list_versions")) db_versions[row[0].as<long long>()] = row[1].as<long long>();
  }
  std::set<long long> stale;
  {
    std::shared_lock lk(mu_);
    for (auto& [id, v] : db_versions) {
      auto it = lists_.find(id);
      if (it == lists_.end() || it->second.version != v) stale.insert(id);
    }
    for (auto& [id, l] : lists_)
      if (!db_versions.count(id)) stale.insert(id);
  }
  if (stale.empty()) return 0;
  // Load outside the lock (10M rows take seconds), then swap in.
  std::map<long long, List> fresh;
  {
    pqxx::read_transaction tx(c);
    for (auto id : stale) {
      if (!db_versions.count(id)) continue;
      auto& l = fresh[id];
      l.version = tx.exec_prepared1("dnc_list_version", id)[0].as<long long>();
      // Pages by key: a 10M-number list never sits in one result set.
      std::string after;
      for (;;) {
        auto page = tx.exec_prepared("dnc_list_numbers_page", id, after, 200000);
        for (auto row : page)
          if (auto p = pack_number(row[0].c_str())) l.sorted.push_back(*p);
        if (page.size() < 200000) break;
        after = page[page.size() - 1][0].as<std::string>();
      }
      std::sort(l.sorted.begin(), l.sorted.end());
      l.sorted.erase(std::unique(l.sorted.begin(), l.sorted.end()), l.sorted.end());
    }
  }
  std::unique_lock lk(mu_);
  for (auto id : stale) {
    auto it = fresh.find(id);
    if (it == fresh.end()) lists_.erase(id);
    else lists_[id] = std::move(it->second);
  }
  return int(stale.size());
}

}  // namespace hark::control
