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

std::string hash_password(const std::string& password) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
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

LoginResult Auth::login(const std::string& username, const std::string& password) {
  ensure_sodium();
  return db_.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_prepared("user_for_login", username);
    if (rows.empty()) {
      // Same cost as a real check, so response time does not tell which usernames exist.
      static const std::string dummy = hash_password("not a password at all");
      verify_password(dummy, password);
      fail(401, "bad_credentials", "wrong username or password");
    }
    const auto row = rows[0];
    const long long id = row["id"].as<long long>();
    if (row["locked"].as<bool>())
      fail(401, "account_locked", "too many failed logins: the account is locked for a while");
    if (!verify_password(row["password_hash"].as<std::string>(), password)) {
      const bool locked = tx.exec_prepared1("user_login_failed", id, opt_.max_failed_logins, opt_.lock_s)[0].as<bool>();
      tx.commit();
      if (locked) fail(401, "account_locked", "too many failed logins: the account is locked for a while");
      fail(401, "bad_credentials", "wrong username or password");
    }
    if (!row["enabled"].as<bool>()) fail(403, "account_disabled", "this account is disabled");
    const auto role = role_from_string(row["role"].as<std::string>()).value_or(Role::campaign_supervisor);
    if ((role == Role::campaign_admin || role == Role::campaign_supervisor) && !row["any_group_enabled"].as<bool>())
      fail(403, "no_enabled_group", "none of this user's groups is enabled");
    tx.exec_prepared0("user_login_ok", id);
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    LoginResult r;
    r.token = to_hex(raw, sizeof raw);
    r.expires_at = tx.exec_prepared1("session_insert", token_digest(r.token), id, opt_.token_ttl_s)[0].as<std::string>();
    tx.exec_prepared0("session_purge_expired");
    tx.commit();
    r.user.user_id = id;
    r.user.username = username;
    r.user.role = role;
    r.user.groups = split_ids(row["groups"].as<std::string>());
    return r;
  });
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
    if ((p.role == Role::campaign_admin || p.role == Role::campaign_supervisor) && !row["any_group_enabled"].as<bool>())
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
  const auto hash = hash_password(password);
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
