// Logins and bearer tokens.
//
// Passwords are stored as libsodium argon2id strings (memory-hard). A token is 256 random bits,
// shown once; the database keeps only its SHA-256. Repeated failed logins lock the account for
// a while; supervisors and administrators without an enabled group cannot log in (group
// managers can, so they can enable a group again).
#pragma once

#include <optional>
#include <string>

#include "control/api/api.h"
#include "sql/db_pool.h"

namespace hark::control {

struct AuthOptions {
  int token_ttl_s = 12 * 3600;
  int max_failed_logins = 5;   ///< this many wrong passwords in a row lock the account
  int lock_s = 15 * 60;        ///< for this long
};

struct LoginResult {
  std::string token;
  std::string expires_at;
  Principal user;
};

/// argon2id hash of `password` (libsodium's interactive limits).
std::string hash_password(const std::string& password);
bool verify_password(const std::string& hash, const std::string& password);
/// Hex SHA-256 of a token: what the sessions table keys on.
std::string token_digest(std::string_view token);
/// Password rules: 8..128 bytes. Returns the complaint, empty when fine.
std::string password_problem(const std::string& password);

class Auth {
 public:
  Auth(sql::DbPool& db, AuthOptions o = {}) : db_(db), opt_(o) {}
  /// Checks the password; throws ApiError 401/403 with the reason on refusal.
  LoginResult login(const std::string& username, const std::string& password);
  /// The user behind a bearer token, if it is valid and the user may still log in.
  std::optional<Principal> authenticate(const std::string& token);
  void logout(const Principal& p);
  /// Creates the first master user when there are no users at all. True if it did.
  bool bootstrap_master(const std::string& username, const std::string& password);

 private:
  sql::DbPool& db_;
  AuthOptions opt_;
};

}  // namespace hark::control
