// Login throttling: token buckets per client address and per username, in memory.
//
// Every login attempt takes one token from its address's bucket and one from its username's
// bucket; a successful login gives them back, so only failures are counted. An attempt finding
// either bucket empty is refused before any password is hashed (429 with Retry-After), the
// same way for usernames that exist and for those that do not. This replaces an account
// lockout, which let anyone lock the only master out with five wrong passwords: the address
// bucket is smaller and refills slower than the username bucket, so one address cannot empty
// a username's bucket and lock its owner out from elsewhere. Several addresses guessing
// together can; so an address a username has logged in from before ("known") is not held back
// by that username's bucket, only by its own: a distributed attack slows the owner only at
// addresses they never used. The state is per process and forgotten on restart.
#pragma once

#include <chrono>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace hark::control {

struct LoginThrottleOptions {
  double address_burst = 10;      ///< failed attempts an address may make at once
  double address_per_s = 0.1;     ///< then one more every 10 s
  double username_burst = 30;     ///< failed attempts on one username at once (all addresses)
  double username_per_s = 0.5;    ///< then one more every 2 s
  size_t max_keys = 10000;        ///< tracked addresses (usernames, known pairs) at most; the oldest go first
};

/// A set of token buckets keyed by string, at most `max_keys` of them: when a new key would
/// exceed that, the least recently used one is forgotten (a forgotten key starts full).
class TokenBuckets {
 public:
  using Clock = std::chrono::steady_clock;
  TokenBuckets(double burst, double per_s, size_t max_keys) : burst_(burst), per_s_(per_s), max_keys_(max_keys) {}
  /// Tokens `key` has at `now` (a key not tracked has a full bucket).
  double tokens(const std::string& key, Clock::time_point now) const;
  /// Takes one token from `key` (may go below one: callers check tokens() first).
  void take(const std::string& key, Clock::time_point now);
  /// Gives one token back to `key`, up to the burst.
  void give_back(const std::string& key, Clock::time_point now);
  /// Seconds until `key` has a whole token again (0 when it has one).
  double wait_s(const std::string& key, Clock::time_point now) const;
  /// Forgets `key` (its bucket is full again).
  void clear(const std::string& key);
  size_t size() const { return map_.size(); }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point at;
    std::list<std::string>::iterator lru;
  };
  double refilled(const Bucket& b, Clock::time_point now) const;
  Bucket& touch(const std::string& key, Clock::time_point now);

  double burst_, per_s_;
  size_t max_keys_;
  std::unordered_map<std::string, Bucket> map_;
  std::list<std::string> lru_;  // most recently used first
};

/// A set of at most `max_keys` strings; beyond that the least recently used is forgotten.
class LruSet {
 public:
  explicit LruSet(size_t max_keys) : max_keys_(max_keys) {}
  bool contains(const std::string& key) const { return map_.count(key) != 0; }
  /// Adds `key`, or makes it the most recently used.
  void insert(const std::string& key);
  size_t size() const { return map_.size(); }

 private:
  size_t max_keys_;
  std::unordered_map<std::string, std::list<std::string>::iterator> map_;
  std::list<std::string> lru_;
};

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LoginThrottle(LoginThrottleOptions o = {});
  /// Admits an attempt from `address` on `username`: empty when admitted (a token taken from
  /// both buckets), else the whole seconds to wait (at least 1; nothing taken).
  std::optional<int> admit(const std::string& address, const std::string& username, Clock::time_point now = Clock::now());
  /// The attempt succeeded: its tokens go back, and `address` becomes known for `username`.
  void succeeded(const std::string& address, const std::string& username, Clock::time_point now = Clock::now());
  /// True when an attempt on `username` would be refused now (whatever the address).
  bool username_throttled(const std::string& username, Clock::time_point now = Clock::now()) const;
  /// Forgets the failures counted against `username` (the master's unlock).
  void clear_username(const std::string& username);
  /// The key an address is throttled by: an IPv6 address by its /64 (one host usually has the
  /// whole /64), an IPv4-mapped IPv6 address as IPv4, anything else as it is.
  static std::string address_key(const std::string& address);

 private:
  mutable std::mutex mu_;
  TokenBuckets addresses_, usernames_;
  LruSet known_;  ///< address key + '\n' + username: logged in from there before
};

}  // namespace hark::control
