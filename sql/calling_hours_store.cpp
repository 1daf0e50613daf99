#include "sql/calling_hours_store.h"

#include "sql/db_pool.h"

namespace hark::sql {

namespace {
std::vector<std::string> text_array_of(const pqxx::field& f) {
  std::vector<std::string> out;
  if (f.is_null()) return out;
  auto parser = f.as_array();
  for (auto [kind, value] = parser.get_next(); kind != pqxx::array_parser::juncture::done;
       std::tie(kind, value) = parser.get_next())
    if (kind == pqxx::array_parser::juncture::string_value) out.push_back(value);
  return out;
}
}  // namespace

long long fill_lead_time_zones(pqxx::transaction_base& tx, long long campaign_id, const ZonesOfNumbers& zones_of) {
  constexpr int kBatch = 5000;
  long long filled = 0, after = 0;
  for (;;) {
    std::vector<std::string> ids, zones;
    for (const auto& r : tx.exec_prepared("leads_without_zones", campaign_id, after, kBatch)) {
      after = r["id"].as<long long>();
      ids.push_back(std::to_string(after));
      zones.push_back(text_array_literal(zones_of(r["phone"].as<std::string>(), text_array_of(r["extra_phones"]))));
    }
    if (ids.empty()) return filled;
    tx.exec_prepared0("leads_set_zones", text_array_literal(ids), text_array_literal(zones));
    filled += static_cast<long long>(ids.size());
    if (int(ids.size()) < kBatch) return filled;
  }
}

void record_campaign_zones(pqxx::transaction_base& tx, long long campaign_id) {
  tx.exec_prepared0("campaign_record_lead_zones", campaign_id);
}

WindowWait leads_waiting_for_window(pqxx::transaction_base& tx, long long campaign_id) {
  WindowWait w;
  for (const auto& r : tx.exec_prepared("leads_waiting_window", campaign_id)) {
    WaitingLeads g;
    g.zones = text_array_of(r["zones"]);
    g.leads = r["n"].as<long long>();
    for (const auto& o : text_array_of(r["offsets"])) g.utc_offsets_s.push_back(std::stoi(o));
    w.now_s = r["now_s"].as<std::int64_t>();
    w.start = r["s"].as<std::string>();
    w.end = r["e"].as<std::string>();
    w.groups.push_back(std::move(g));
  }
  return w;
}

}  // namespace hark::sql
