#include "sql/db_pool.h"

namespace hark::sql {

std::string text_array_literal(const std::vector<std::string>& v) {
  std::string s = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += '"';
    for (char c : v[i]) {
      if (c == '"' || c == '\\') s += '\\';
      s += c;
    }
    s += '"';
  }
  return s + "}";
}

std::unique_ptr<pqxx::connection> open_prepared(const std::string& url) {
  auto c = std::make_unique<pqxx::connection>(url);
  for (const auto& s : statements()) c->prepare(s.name, s.sql);
  return c;
}

DbPool::DbPool(std::string url, int size) : url_(std::move(url)), size_(std::max(1, size)) {}

DbPool::Lease::~Lease() {
  if (pool_) pool_->put(std::move(c_));
}

void DbPool::put(std::unique_ptr<pqxx::connection> c) {
  std::lock_guard lk(mu_);
  if (c && c->is_open()) idle_.push_back(std::move(c));
  else --open_;
  cv_.notify_one();
}

DbPool::Lease DbPool::get() {
  {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(c));
    }
    ++open_;  // reserve the slot, connect outside the lock
  }
  try {
    return Lease(*this, open_prepared(url_));
  } catch (...) {
    std::lock_guard lk(mu_);
    --open_;
    cv_.notify_one();
    throw;
  }
}

}  // namespace hark::sql
