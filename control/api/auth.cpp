#include "control/api/auth.h"

#include <sodium.h>


namespace hark::control {

namespace {
std::string to_hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) s[2 * i] = d[p[i] >> 4], s[2 * i + 1] = d[p[i] & 15];
  return s;
}

struct SodiumInit {
  SodiumInit() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  }
};
void ensure_sodium() { static SodiumInit once; }
}  // namespace

std::string hash_password(const std::string& password, PasswordHashCost cost) {
  ensure_sodium();
  const bool minimum = cost == PasswordHashCost::test_minimum;
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            minimum ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            minimum ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("argon2id: out of memory");
  return out;
}

bool verify_password(const std::string& hash, const std::string& password) {
  ensure_sodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string token_digest(std::string_view token) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return to_hex(h, sizeof h);
}

std::string password_problem(const std::string& password) {
  if (password.size() < 8) return "password must have at least 8 characters";
  if (password.size() > 128) return "password must have at most 128 bytes";
  return {};
}

Auth::Auth(sql::DbPool& db, AuthOptions o)
    : db_(db),
      opt_(o),
      throttle_(o.throttle),
      dummy_hash_(hash_password("not a password at all", o.hash_cost)),
      pool_(o.hash_threads, o.hash_queue) {}

Auth::~Auth() { pool_.stop(); }

void Auth::admit(const std::string& address, const std::string& username) {
  if (auto wait = throttle_.admit(address, username)) {
    ApiError e(429, "too_many_attempts", "too many login attempts; try again later");
    e.retry_after_s = *wait;
    throw e;
  }
}

void Auth::login_async(const std::string& address, const std::string& username, const std::string& password,
                       std::function<void(LoginOutcome)> done) {
  admit(address, username);
  const bool queued = pool_.try_submit([this, address, username, password, done] {
    LoginOutcome out;
    try {
      out.ok = check(address, username, password);
    } catch (...) {
      out.error = std::current_exception();
    }
    done(std::move(out));
  });
  if (!queued) {
    throttle_.succeeded(address, username);  // not attempted: the tokens go back
    ApiError e(503, "busy", "too many logins in progress; try again shortly");
    e.retry_after_s = 1;
    throw e;
  }
}

LoginResult Auth::login(const std::string& username, const std::string& password, const std::string& address) {
  admit(address, username);
  return check(address, username, password);
}

LoginResult Auth::check(const std::string& address, const std::string& username, const std::string& password) {
  ensure_sodium();
  // The row is read, then the connection goes back to the pool while the password is checked.
  const auto rows = db_.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return tx.exec_prepared("user_for_login", username);
  });
  // An unknown username costs the same check as a known one against a dummy hash, and gets
  // the same answer as a wrong password: neither the time nor the answer tells it exists.
  const bool known = !rows.empty();
  const bool good = verify_password(known ? rows[0]["password_hash"].as<std::string>() : dummy_hash_, password);
  if (!known || !good) fail(401, "bad_credentials", "wrong username or password");
  const auto row = rows[0];
  const long long id = row["id"].as<long long>();
  if (!row["enabled"].as<bool>()) fail(403, "account_disabled", "this account is disabled");
  const auto role = role_from_string(row["role"].as<std::string>()).value_or(Role::campaign_supervisor);
  if (is_group_role(role) && !row["any_group_enabled"].as<bool>())
    fail(403, "no_enabled_group", "none of this user's groups is enabled");
  throttle_.succeeded(address, username);
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  LoginResult r;
  r.token = to_hex(raw, sizeof raw);
  r.expires_at = db_.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto at = tx.exec_prepared1("session_insert", token_digest(r.token), id, opt_.token_ttl_s)[0].as<std::string>();
    tx.exec_prepared0("session_purge_expired");
    tx.commit();
    return at;
  });
  r.user.user_id = id;
  r.user.username = username;
  r.user.role = role;
  r.user.groups = split_ids(row["groups"].as<std::string>());
  return r;
}

std::optional<Principal> Auth::authenticate(const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  const auto digest = token_digest(token);
  return db_.with([&](pqxx::connection& c) -> std::optional<Principal> {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_prepared("session_principal", digest);
    if (rows.empty()) return std::nullopt;
    const auto row = rows[0];
    Principal p;
    p.user_id = row["id"].as<long long>();
    p.username = row["username"].as<std::string>();
    p.role = role_from_string(row["role"].as<std::string>()).value_or(Role::campaign_supervisor);
    p.groups = split_ids(row["groups"].as<std::string>());
    p.token_hash = digest;
    if (!row["enabled"].as<bool>()) return std::nullopt;
    if (is_group_role(p.role) && !row["any_group_enabled"].as<bool>())
      return std::nullopt;
    return p;
  });
}

void Auth::logout(const Principal& p) {
  db_.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0("session_delete", p.token_hash);
    tx.commit();
  });
}

bool Auth::bootstrap_master(const std::string& username, const std::string& password) {
  const auto hash = this->hash(password);
  return db_.with([&](pqxx::connection& c) {
    try {
      pqxx::work tx(c);
      auto r = tx.exec_prepared("user_bootstrap_master", username, hash);
      tx.commit();
      return !r.empty();
    } catch (const pqxx::unique_violation&) {
      return false;  // another process starting at the same time created it
    }
  });
}

}  // namespace hark::control
