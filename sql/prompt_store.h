// Typed access to the audio prompts (voicemail messages) campaigns play: their rows as structs.
// The audio itself lives in the prompts folder under `file_name`; the database only names it.
#pragma once

#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <vector>

namespace hark::sql {

struct PromptRecord {
  long long id = 0, group_id = 0;
  std::string name;
  long long size_bytes = 0;  ///< of the stored file
  int duration_ms = 0;
  std::string file_name;     ///< chosen by the server: prompt-<id>.wav
  std::string created_at;
};

/// Inserts a prompt (its file name follows from its new id); returns the stored row.
PromptRecord insert_prompt(pqxx::transaction_base& tx, long long group_id, const std::string& name,
                           long long size_bytes, int duration_ms);
/// Every prompt, by id (the caller filters by group).
std::vector<PromptRecord> list_prompts(pqxx::transaction_base& tx);
/// One prompt, or none; `lock`: FOR UPDATE (a delete, or a campaign about to reference it).
std::optional<PromptRecord> get_prompt(pqxx::transaction_base& tx, long long id, bool lock = false);
/// Campaigns whose voicemail is this prompt (the first ten).
std::vector<long long> prompt_users(pqxx::transaction_base& tx, long long id);
void delete_prompt(pqxx::transaction_base& tx, long long id);

}  // namespace hark::sql
