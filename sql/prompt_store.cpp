#include "sql/prompt_store.h"

namespace hark::sql {

namespace {

PromptRecord prompt_record(const pqxx::row& r) {
  PromptRecord p;
  p.id = r["id"].as<long long>();
  p.group_id = r["group_id"].as<long long>();
  p.name = r["name"].as<std::string>();
  p.size_bytes = r["size_bytes"].as<long long>();
  p.duration_ms = r["duration_ms"].as<int>();
  p.file_name = r["file_name"].as<std::string>();
  p.created_at = r["created_at"].as<std::string>();
  return p;
}

}  // namespace

PromptRecord insert_prompt(pqxx::transaction_base& tx, long long group_id, const std::string& name,
                           long long size_bytes, int duration_ms) {
  return prompt_record(tx.exec_prepared1("prompt_insert", group_id, name, size_bytes, duration_ms));
}

std::vector<PromptRecord> list_prompts(pqxx::transaction_base& tx) {
  std::vector<PromptRecord> out;
  for (auto r : tx.exec_prepared("prompts_list")) out.push_back(prompt_record(r));
  return out;
}

std::optional<PromptRecord> get_prompt(pqxx::transaction_base& tx, long long id, bool lock) {
  auto rows = tx.exec_prepared(lock ? "prompt_get_locked" : "prompt_get", id);
  if (rows.empty()) return std::nullopt;
  return prompt_record(rows[0]);
}

std::vector<long long> prompt_users(pqxx::transaction_base& tx, long long id) {
  std::vector<long long> out;
  for (auto r : tx.exec_prepared("prompt_users", id)) out.push_back(r[0].as<long long>());
  return out;
}

void delete_prompt(pqxx::transaction_base& tx, long long id) { tx.exec_prepared0("prompt_delete", id); }

}  // namespace hark::sql
