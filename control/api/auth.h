// Logins and bearer tokens.
//
// Passwords are stored as libsodium argon2id strings (memory-hard). A token is 256 random bits,
// shown once; the database keeps only its SHA-256. Failed logins are throttled per client
// address and per username (login_throttle.h), never by locking the account; a username that
// does not exist is answered exactly like a wrong password, after checking the password against
// a dummy hash so it takes as long. Password checks run on a small pool of their own with a
// bounded queue (work_pool.h), never on the HTTP I/O threads. Supervisors and administrators
// without an enabled group cannot log in (group managers can, so they can enable a group again).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "control/api/api.h"
#include "control/api/login_throttle.h"
#include "control/api/work_pool.h"
#include "sql/db_pool.h"

namespace hark::control {

/// How much work a new password hash costs: libsodium's interactive argon2id limits (about
/// 100 ms of CPU and 64 MiB), or its minimum, for tests that create and log in many users and
/// are not about the hash (a hash made either way verifies the same: it carries its limits).
enum class PasswordHashCost { interactive, test_minimum };

struct AuthOptions {
  int token_ttl_s = 12 * 3600;
  PasswordHashCost hash_cost = PasswordHashCost::interactive;  ///< never lowered outside tests
  int hash_threads = 2;        ///< threads checking passwords (argon2id: 64 MiB each while it runs)
  size_t hash_queue = 32;      ///< logins waiting for one at most; more get 503 + Retry-After
  LoginThrottleOptions throttle;
};

struct LoginResult {
  std::string token;
  std::string expires_at;
  Principal user;
};

/// argon2id hash of `password` (libsodium's interactive limits unless told otherwise).
std::string hash_password(const std::string& password, PasswordHashCost cost = PasswordHashCost::interactive);
bool verify_password(const std::string& hash, const std::string& password);
/// Hex SHA-256 of a token: what the sessions table keys on.
std::string token_digest(std::string_view token);
/// Password rules: 8..128 bytes. Returns the complaint, empty when fine.
std::string password_problem(const std::string& password);

/// What a login attempt came to: a session, or the refusal (an ApiError) or failure.
struct LoginOutcome {
  std::optional<LoginResult> ok;
  std::exception_ptr error;
};

class Auth {
 public:
  Auth(sql::DbPool& db, AuthOptions o = {});
  ~Auth();
  /// A new password's hash, at this server's AuthOptions::hash_cost.
  std::string hash(const std::string& password) const { return hash_password(password, opt_.hash_cost); }
  /// Starts a login attempt from `address`. Throws ApiError at once when the address or the
  /// username is throttled (429 too_many_attempts, the same for every username) or the
  /// password-check queue is full (503 busy); otherwise `done` is called later, on a pool
  /// thread, with the outcome (401 bad_credentials for a wrong password and an unknown username
  /// alike; 403 for a disabled account, told only to who knows its password).
  void login_async(const std::string& address, const std::string& username, const std::string& password,
                   std::function<void(LoginOutcome)> done);
  /// The same on the calling thread (tests, tools): the result, or the refusal thrown.
  LoginResult login(const std::string& username, const std::string& password, const std::string& address = "local");
  /// True while attempts on `username` are refused (too many recent failures).
  bool throttled(const std::string& username) const { return throttle_.username_throttled(username); }
  /// Forgets the failures counted against `username` in this process (the master's unlock).
  void unlock(const std::string& username) { throttle_.clear_username(username); }
  /// The password-check pool (tests occupy it to hold logins in flight).
  WorkPool& hash_pool() { return pool_; }
  /// Stops the password-check pool: waiting logins are dropped unanswered (call before the HTTP
  /// server that would deliver their answers goes away).
  void stop() { pool_.stop(); }
  /// The user behind a bearer token, if it is valid and the user may still log in.
  std::optional<Principal> authenticate(const std::string& token);
  void logout(const Principal& p);
  /// Creates the first master user when there are no users at all. True if it did.
  bool bootstrap_master(const std::string& username, const std::string& password);

 private:
  /// Throttle check, then the password check and the session on this thread.
  void admit(const std::string& address, const std::string& username);
  LoginResult check(const std::string& address, const std::string& username, const std::string& password);

  sql::DbPool& db_;
  AuthOptions opt_;
  LoginThrottle throttle_;
  std::string dummy_hash_;  ///< checked for unknown usernames, so they cost a real check's time
  WorkPool pool_;
};

}  // namespace hark::control
