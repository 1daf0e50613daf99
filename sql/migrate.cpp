#include "sql/migrate.h"

namespace hark::sql {

namespace {
constexpr long long kLockKey = 0x6861726b;  // "hark"
}

int schema_version(pqxx::connection& c) {
  pqxx::work tx(c);
  const auto exists = tx.exec1("SELECT to_regclass('hark_schema_version') IS NOT NULL")[0].as<bool>();
  if (!exists) return 0;
  return tx.exec1("SELECT coalesce(max(version), 0) FROM hark_schema_version")[0].as<int>();
}

int apply_migrations(pqxx::connection& c, std::span<const Migration> migrations) {
  {
    pqxx::work tx(c);
    tx.exec0(
        "CREATE TABLE IF NOT EXISTS hark_schema_version ("
        " version int PRIMARY KEY, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    tx.commit();
  }
  int applied = 0;
  for (const auto& m : migrations) {
    pqxx::work tx(c);
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kLockKey);
    const auto done = tx.exec_params1("SELECT count(*) FROM hark_schema_version WHERE version = $1",
                                      m.version)[0].as<int>();
    if (done) continue;
    tx.exec(std::string(m.sql));
    tx.exec_params0("INSERT INTO hark_schema_version (version, name) VALUES ($1, $2)", m.version,
                    std::string(m.name));
    tx.commit();
    ++applied;
  }
  return applied;
}

}  // namespace hark::sql
