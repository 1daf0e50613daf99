#include "control/api/login_throttle.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace hark::control {

double TokenBuckets::refilled(const Bucket& b, Clock::time_point now) const {
  const double dt = std::chrono::duration<double>(now - b.at).count();
  return std::min(burst_, b.tokens + std::max(0.0, dt) * per_s_);
}

double TokenBuckets::tokens(const std::string& key, Clock::time_point now) const {
  auto it = map_.find(key);
  return it == map_.end() ? burst_ : refilled(it->second, now);
}

TokenBuckets::Bucket& TokenBuckets::touch(const std::string& key, Clock::time_point now) {
  auto it = map_.find(key);
  if (it != map_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    it->second.tokens = refilled(it->second, now);
    it->second.at = now;
    return it->second;
  }
  // A flood of new keys (random usernames) evicts the least recently used: memory stays
  // bounded, and a forgotten key only starts again from a full bucket.
  while (map_.size() >= std::max<size_t>(1, max_keys_)) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  return map_.emplace(key, Bucket{burst_, now, lru_.begin()}).first->second;
}

void TokenBuckets::take(const std::string& key, Clock::time_point now) { touch(key, now).tokens -= 1; }

void TokenBuckets::give_back(const std::string& key, Clock::time_point now) {
  auto it = map_.find(key);
  if (it == map_.end()) return;  // forgotten meanwhile: already full
  auto& b = touch(key, now);
  b.tokens = std::min(burst_, b.tokens + 1);
}

double TokenBuckets::wait_s(const std::string& key, Clock::time_point now) const {
  const double t = tokens(key, now);
  if (t >= 1) return 0;
  return per_s_ > 0 ? (1 - t) / per_s_ : 3600;
}

void TokenBuckets::clear(const std::string& key) {
  auto it = map_.find(key);
  if (it == map_.end()) return;
  lru_.erase(it->second.lru);
  map_.erase(it);
}

void LruSet::insert(const std::string& key) {
  if (auto it = map_.find(key); it != map_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  while (map_.size() >= std::max<size_t>(1, max_keys_)) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  map_.emplace(key, lru_.begin());
}

LoginThrottle::LoginThrottle(LoginThrottleOptions o)
    : addresses_(o.address_burst, o.address_per_s, o.max_keys),
      usernames_(o.username_burst, o.username_per_s, o.max_keys),
      known_(o.max_keys) {}

std::optional<int> LoginThrottle::admit(const std::string& address, const std::string& username, Clock::time_point now) {
  const auto a = address_key(address);
  std::lock_guard lk(mu_);
  const bool known = known_.contains(a + '\n' + username);
  const double wait = std::max(addresses_.wait_s(a, now), known ? 0.0 : usernames_.wait_s(username, now));
  if (wait > 0) return std::max(1, int(std::ceil(wait)));
  addresses_.take(a, now);
  if (!known) usernames_.take(username, now);
  return std::nullopt;
}

void LoginThrottle::succeeded(const std::string& address, const std::string& username, Clock::time_point now) {
  const auto a = address_key(address);
  std::lock_guard lk(mu_);
  addresses_.give_back(a, now);
  const auto pair = a + '\n' + username;
  if (!known_.contains(pair)) usernames_.give_back(username, now);  // a known address took none
  known_.insert(pair);
}

bool LoginThrottle::username_throttled(const std::string& username, Clock::time_point now) const {
  std::lock_guard lk(mu_);
  return usernames_.wait_s(username, now) > 0;
}

void LoginThrottle::clear_username(const std::string& username) {
  std::lock_guard lk(mu_);
  usernames_.clear(username);
}

std::string LoginThrottle::address_key(const std::string& address) {
  unsigned char b[16];
  if (inet_pton(AF_INET6, address.c_str(), b) != 1) return address;
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char out[INET6_ADDRSTRLEN];
  if (std::memcmp(b, mapped, 12) == 0) return inet_ntop(AF_INET, b + 12, out, sizeof out) ? out : address;
  std::memset(b + 8, 0, 8);
  return inet_ntop(AF_INET6, b, out, sizeof out) ? std::string(out) + "/64" : address;
}

}  // namespace hark::control
