#include "sql/lead_store.h"

#include <optional>
#include <unordered_set>

namespace hark::sql {

namespace {
// A text[] literal for COPY: {"a","b"} with quotes and backslashes escaped.
std::string pg_array(const std::vector<std::string>& v) {
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
}  // namespace

ImportResult import_leads(pqxx::connection& c, long long campaign_id, const std::vector<control::Lead>& leads) {
  ImportResult r;
  pqxx::work tx(c);
  // External ids already in the campaign would make the whole COPY fail: reject those rows.
  std::unordered_set<std::string> existing;
  for (auto row : tx.exec_params("SELECT external_id FROM leads WHERE campaign_id = $1 AND external_id IS NOT NULL",
                                 campaign_id))
    existing.insert(row[0].as<std::string>());
  pqxx::stream_to copy(tx, "leads",
                       std::vector<std::string>{"campaign_id", "name", "phone", "extra_phones", "description",
                                                "external_id", "fields"});
  for (const auto& l : leads) {
    if (!l.external_id.empty() && existing.count(l.external_id)) {
      r.rejected.push_back({l.line, "external id '" + l.external_id + "' is already in the campaign"});
      continue;
    }
    copy << std::make_tuple(campaign_id, l.name, l.phone, pg_array(l.extra_phones), l.description,
                            l.external_id.empty() ? std::optional<std::string>() : std::optional<std::string>(l.external_id),
                            l.fields_json);
    ++r.imported;
  }
  copy.complete();
  tx.commit();
  return r;
}

}  // namespace hark::sql
