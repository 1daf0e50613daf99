// A small pool of PostgreSQL connections with every named statement prepared on each.
//
// The control plane's threads borrow a connection per request. A connection found broken is
// dropped and reopened on the next borrow, so a restarted PostgreSQL costs failed requests
// (503) for as long as it is down, and nothing else.
#pragma once

#include <pqxx/pqxx>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace hark::sql {

struct Statement {
  const char* name;
  const char* sql;
};

/// Every statement hark runs, by name (sql/statements*.cpp, sql/statement_parts.h). Data access uses only these.
std::span<const Statement> statements();

class DbPool {
 public:
  DbPool(std::string url, int size);

  class Lease {
   public:
    Lease(DbPool& p, std::unique_ptr<pqxx::connection> c) : pool_(&p), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)), c_(std::move(o.c_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() { return *c_; }
    pqxx::connection* operator->() { return c_.get(); }
    /// Drops the connection instead of returning it (it is broken).
    void discard() { c_.reset(); }

   private:
    DbPool* pool_;
    std::unique_ptr<pqxx::connection> c_;
  };

  /// Borrows a connection, opening one if needed. Throws pqxx::broken_connection when the
  /// server cannot be reached.
  Lease get();

  /// Runs `f(connection)`; a broken connection is discarded before the exception goes on.
  template <class F>
  auto with(F&& f) {
    auto lease = get();
    try {
      return f(*lease);
    } catch (const pqxx::broken_connection&) {
      lease.discard();
      throw;
    }
  }

  const std::string& url() const { return url_; }

 private:
  friend class Lease;
  void put(std::unique_ptr<pqxx::connection> c);

  std::string url_;
  int size_;
  int open_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
};

/// A text[] literal, {"a","b"}, with quotes and backslashes escaped: an array parameter for a
/// prepared statement, or a COPY field.
std::string text_array_literal(const std::vector<std::string>& v);

/// Opens a connection with every statement prepared.
std::unique_ptr<pqxx::connection> open_prepared(const std::string& url);

}  // namespace hark::sql
