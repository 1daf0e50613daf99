#include "sql/inbound_store.h"

#include <optional>

namespace hark::sql {

namespace {
std::string bigint_array(const std::vector<long long>& ids) {
  std::string s = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(ids[i]);
  }
  s += '}';
  return s;
}

std::optional<std::string> opt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}
}  // namespace

std::vector<InboundLeadRow> inbound_leads(pqxx::connection& c, const std::string& number) {
  pqxx::read_transaction tx(c);
  std::vector<InboundLeadRow> out;
  for (auto row : tx.exec_prepared("inbound_leads", number))
    out.push_back({row[0].as<long long>(), row[1].as<long long>(), row[2].as<std::string>(), row[3].as<int64_t>()});
  return out;
}

long long log_inbound(pqxx::connection& c, const InboundLog& log) {
  pqxx::work tx(c);
  std::vector<long long> all;
  for (const auto& [campaign, leads] : log.leads_by_campaign) all.insert(all.end(), leads.begin(), leads.end());
  const std::optional<long long> campaign = log.campaign_id ? std::optional<long long>(log.campaign_id) : std::nullopt;
  const auto id = tx.exec_prepared1("inbound_call_insert", log.caller_raw, opt(log.caller), log.called, log.kind,
                                    opt(log.target), opt(log.trunk), campaign, bigint_array(all), opt(log.instance_id))[0]
                      .as<long long>();
  const int code = log.target.empty() ? 404 : 302;
  const std::string reason = log.target.empty() ? "Not Found" : "Moved Temporarily";
  for (const auto& [campaign_id, leads] : log.leads_by_campaign) {
    if (leads.empty()) continue;
    std::string cause = "inbound call to '" + log.called + "'";
    cause += log.target.empty() ? ", no route" : ", redirected to " + log.target;
    if (campaign_id != log.campaign_id) cause += " (another campaign's lead was attempted more recently)";
    tx.exec_prepared("inbound_attempt_insert", campaign_id, leads.front(), bigint_array(leads),
                     log.caller.empty() ? log.caller_raw : log.caller, code, reason, cause, opt(log.instance_id),
                     opt(log.trunk));
  }
  tx.commit();
  return id;
}

}  // namespace hark::sql
