// Do-not-call lists in memory: one sorted array of packed numbers per list, so a lookup in a
// list of 10 million numbers is a binary search (about 24 probes) under a shared lock.
//
// Kept in step with the database: this process's API changes both; every list has a version
// number in PostgreSQL, bumped on each change, and `refresh` reloads lists another process
// changed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string_view>
#include <vector>

#include "sql/db_pool.h"

namespace hark::control {

/// Digits of a phone number packed into 64 bits (a leading 1 keeps leading zeros); nullopt
/// when it has fewer than 3 or more than 18 digits. A leading '+' and punctuation are ignored.
std::optional<uint64_t> pack_number(std::string_view number);

class DncIndex {
 public:
  bool listed(long long list_id, std::string_view number) const;
  void add(long long list_id, uint64_t packed, long long version);
  void remove(long long list_id, uint64_t packed, long long version);
  /// Adds many at once (a CSV upload): one merge instead of many inserts.
  void add_many(long long list_id, std::vector<uint64_t> packed, long long version);
  void drop_list(long long list_id);
  size_t size(long long list_id) const;
  /// The version held for a list (-1: not loaded).
  long long version(long long list_id) const;
  /// Loads every list whose database version differs from the one held here. Returns how
  /// many lists were reloaded.
  int refresh(pqxx::connection& c);

 private:
  struct List {
    std::vector<uint64_t> sorted;
    long long version = -1;
  };
  mutable std::shared_mutex mu_;
  std::map<long long, List> lists_;
};

}  // namespace hark::control
