#include "sql/lead_store.h"

#include "sql/db_pool.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

namespace hark::sql {


ImportResult import_leads(pqxx::connection& c, long long campaign_id, const std::vector<Lead>& leads) {
  pqxx::work tx(c);
  auto r = import_leads(tx, campaign_id, leads);
  tx.commit();
  return r;
}

namespace {

/// COPY into leads, one batch at a time, skipping external ids the campaign already has. The
/// contacts go into lead_contacts, whose statement trigger adds their dialing rows (NOT_CALLED,
/// round 1; 0022_lead_dialing_state.sql): the view `leads` would insert them one by one.
class LeadCopy {
 public:
  LeadCopy(pqxx::transaction_base& tx, long long campaign_id)
      : campaign_id_(campaign_id),
        existing_(existing_ids(tx, campaign_id)),
        copy_(tx, "lead_contacts", std::vector<std::string>{"campaign_id", "name", "phone", "phone_raw", "extra_phones", "description",
                                                   "external_id", "fields", "time_zones"}) {}
  void write(const std::vector<Lead>& leads, ImportResult& r) {
    for (const auto& l : leads) {
      if (!l.external_id.empty() && existing_.count(l.external_id)) {
        r.rejected.push_back({l.line, "external id '" + l.external_id + "' is already in the campaign"});
        continue;
      }
      // The raw text only when it differs from what is stored (NULL: shown as the phone).
      const bool raw = !l.phone_raw.empty() && l.phone_raw != l.phone;
      copy_ << std::make_tuple(campaign_id_, l.name, l.phone, raw ? std::optional<std::string>(l.phone_raw) : std::nullopt,
                               text_array_literal(l.extra_phones), l.description,
                               l.external_id.empty() ? std::optional<std::string>() : std::optional<std::string>(l.external_id),
                               l.fields_json,
                               l.time_zones ? std::optional<std::string>(text_array_literal(*l.time_zones)) : std::nullopt);
      ++r.imported;
    }
  }
  void complete() { copy_.complete(); }

 private:
  /// External ids already in the campaign would make the whole COPY fail: those rows are
  /// rejected instead. Read before the COPY starts (the connection is busy with it afterwards).
  static std::unordered_set<std::string> existing_ids(pqxx::transaction_base& tx, long long campaign_id) {
    std::unordered_set<std::string> ids;
    for (auto row : tx.exec_prepared("lead_external_ids", campaign_id)) ids.insert(row[0].as<std::string>());
    return ids;
  }

  long long campaign_id_;
  std::unordered_set<std::string> existing_;  // initialised before copy_ (declaration order)
  pqxx::stream_to copy_;
};

}  // namespace

ImportResult import_leads(pqxx::transaction_base& tx, long long campaign_id, const std::vector<Lead>& leads) {
  ImportResult r;
  LeadCopy copy(tx, campaign_id);
  copy.write(leads, r);
  copy.complete();
  return r;
}

ImportResult import_leads(pqxx::transaction_base& tx, long long campaign_id, const LeadBatchSource& next) {
  ImportResult r;
  LeadCopy copy(tx, campaign_id);

  // Two batches in flight at most: one being stored, one ready.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<Lead>> ready;
  bool finished = false, cancelled = false;
  std::exception_ptr failure;
  std::thread producer([&] {
    try {
      for (bool more = true; more;) {
        std::vector<Lead> batch;
        more = next(batch);
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return ready.size() < 2 || cancelled; });
        if (cancelled) return;
        ready.push_back(std::move(batch));
        cv.notify_all();
      }
    } catch (...) {
      std::lock_guard lk(mu);
      failure = std::current_exception();
    }
    std::lock_guard lk(mu);
    finished = true;
    cv.notify_all();
  });
  auto stop_producer = [&] {
    {
      std::lock_guard lk(mu);
      cancelled = true;
      cv.notify_all();
    }
    producer.join();
  };
  try {
    for (;;) {
      std::vector<Lead> batch;
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return !ready.empty() || finished; });
        if (ready.empty()) break;
        batch = std::move(ready.front());
        ready.pop_front();
        cv.notify_all();
      }
      copy.write(batch, r);
    }
  } catch (...) {
    stop_producer();
    throw;
  }
  producer.join();
  if (failure) std::rethrow_exception(failure);
  copy.complete();
  return r;
}

}  // namespace hark::sql
