// Versioned schema migrations, applied at start-up.
#pragma once

#include <pqxx/pqxx>

#include <span>
#include <string_view>

namespace hark::sql {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

/// The migrations in sql/migrations, compiled in, in version order.
std::span<const Migration> builtin_migrations();

/// Applies every migration newer than the database's schema version, each in its own
/// transaction together with its row in hark_schema_version, so a failing migration leaves
/// nothing half-done. An advisory lock keeps two processes starting at once from racing.
/// Returns how many were applied; throws pqxx exceptions on failure.
int apply_migrations(pqxx::connection& c, std::span<const Migration> migrations);

/// The highest applied migration version (0 for an empty database).
int schema_version(pqxx::connection& c);

}  // namespace hark::sql
