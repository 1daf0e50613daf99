#include "sql/lead_store.h"

#include "sql/db_pool.h"

#include <optional>
#include <unordered_set>

namespace hark::sql {


ImportResult import_leads(pqxx::connection& c, long long campaign_id, const std::vector<control::Lead>& leads) {
  pqxx::work tx(c);
  auto r = import_leads(tx, campaign_id, leads);
  tx.commit();
  return r;
}

ImportResult import_leads(pqxx::transaction_base& tx, long long campaign_id, const std::vector<control::Lead>& leads) {
  ImportResult r;
  // External ids already in the campaign would make the whole COPY fail: reject those rows.
  std::unordered_set<std::string> existing;
  for (auto row : tx.exec_prepared("lead_external_ids", campaign_id))
    existing.insert(row[0].as<std::string>());
  pqxx::stream_to copy(tx, "leads",
                       std::vector<std::string>{"campaign_id", "name", "phone", "extra_phones", "description",
                                                "external_id", "fields"});
  for (const auto& l : leads) {
    if (!l.external_id.empty() && existing.count(l.external_id)) {
      r.rejected.push_back({l.line, "external id '" + l.external_id + "' is already in the campaign"});
      continue;
    }
    copy << std::make_tuple(campaign_id, l.name, l.phone, text_array_literal(l.extra_phones), l.description,
                            l.external_id.empty() ? std::optional<std::string>() : std::optional<std::string>(l.external_id),
                            l.fields_json);
    ++r.imported;
  }
  copy.complete();
  return r;
}

}  // namespace hark::sql
