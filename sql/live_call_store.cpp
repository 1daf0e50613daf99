#include "sql/live_call_store.h"

namespace hark::sql {

namespace {
std::optional<std::string> nonempty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}
}  // namespace

std::string scoped_channel(pqxx::connection_base& c, const char* base) {
  pqxx::nontransaction tx(c);
  auto name = std::string(base) + "." + tx.exec1("SELECT coalesce(current_schema(), '')")[0].as<std::string>();
  if (name.size() > 63) name.resize(63);  // NAMEDATALEN - 1, as left(..., 63) cuts in SQL
  return name;
}

void insert_live_call(pqxx::transaction_base& tx, long long attempt_id, long long campaign_id, long long lead_id,
                      const std::string& number, const std::string& instance, std::optional<long long> placed_by) {
  tx.exec_prepared0("live_call_insert", attempt_id, campaign_id, lead_id, number, instance, placed_by);
}

void update_live_calls(pqxx::connection& c, const std::vector<LiveCallUpdate>& updates) {
  if (updates.empty()) return;
  pqxx::work tx(c);
  for (const auto& u : updates)
    tx.exec_prepared0("live_call_update", u.id, u.state, nonempty(u.trunk), nonempty(u.amd_verdict));
  tx.commit();
}

void end_live_call(pqxx::transaction_base& tx, long long attempt_id) { tx.exec_prepared0("live_call_end", attempt_id); }

int recover_live_calls(pqxx::transaction_base& tx, const std::string& instance, int stale_after_s) {
  const auto r = tx.exec_prepared0("live_calls_recover", instance, stale_after_s);
  tx.exec_prepared0("live_calls_sweep");
  return int(r.affected_rows());
}

std::vector<CallCommandRow> pending_commands(pqxx::transaction_base& tx, const std::string& instance, int expire_s) {
  std::vector<CallCommandRow> out;
  for (const auto& r : tx.exec_prepared("call_commands_pending", instance, expire_s))
    out.push_back({r["id"].as<long long>(), r["call_id"].as<long long>(), r["kind"].as<std::string>(),
                   r["target"].as<std::string>(), r["expired"].as<bool>()});
  return out;
}

void answer_command(pqxx::transaction_base& tx, long long id, int status, const std::string& message) {
  tx.exec_prepared0("call_command_answer", id, status, message);
  tx.exec_params(kNotifyScopedSql, kReplyChannel, std::to_string(id));
}

}  // namespace hark::sql
