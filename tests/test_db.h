// A schema of its own in the test PostgreSQL (DATABASE_URL) for one test process, with the
// migrations applied; connections made from url() see only it. Dropped at the end.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <pqxx/pqxx>
#include <string>

#include "sql/migrate.h"

namespace hark::test {

/// The single number `sql` returns, on a fresh connection to `url` (set-up and checks only).
inline long long count(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  return tx.exec1(sql)[0].as<long long>();
}

class TestDb {
 public:
  explicit TestDb(const std::string& prefix) {
    const char* base = std::getenv("DATABASE_URL");
    if (!base) throw std::runtime_error("DATABASE_URL must point at a PostgreSQL server (scripts/test.sh sets it)");
    base_ = base;
    schema_ = prefix + "_" + std::to_string(::getpid());
    pqxx::connection c(base_);
    pqxx::work tx(c);
    tx.exec0("DROP SCHEMA IF EXISTS " + tx.quote_name(schema_) + " CASCADE");
    tx.exec0("CREATE SCHEMA " + tx.quote_name(schema_));
    tx.commit();
    url_ = base_ + (base_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
    pqxx::connection s(url_);
    sql::apply_migrations(s, sql::builtin_migrations());
  }
  ~TestDb() {
    try {
      pqxx::connection c(base_);
      pqxx::work tx(c);
      tx.exec0("DROP SCHEMA IF EXISTS " + tx.quote_name(schema_) + " CASCADE");
      tx.commit();
    } catch (...) {
    }
  }
  const std::string& url() const { return url_; }
  /// Runs one statement in the schema (test set-up and checks only).
  pqxx::result exec(const std::string& sql) {
    pqxx::connection c(url_);
    pqxx::work tx(c);
    auto r = tx.exec(sql);
    tx.commit();
    return r;
  }

 private:
  std::string base_, schema_, url_;
};

}  // namespace hark::test
