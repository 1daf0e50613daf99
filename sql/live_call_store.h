// The calls that are up, across hark processes (table live_calls), and the command bus between
// processes (table call_commands, LISTEN/NOTIFY). A call's public id is its attempt id. Needs a
// connection with the named statements (sql::open_prepared).
#pragma once

#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <vector>

namespace hark::sql {

/// The NOTIFY channels: commands (payload: the owner's instance id) and replies (the command id).
inline constexpr const char* kCommandChannel = "hark_call_commands";
inline constexpr const char* kReplyChannel = "hark_call_replies";
/// Click-to-dial from a process that does not dial (payload: the request as JSON); any dialing
/// process may take it, the first to take the lead places it and answers on kReplyChannel with
/// "dial <request id> <call id>".
inline constexpr const char* kDialChannel = "hark_click_to_dial";

/// The name a channel above has for the schema this connection works in: "<base>.<schema>",
/// cut to PostgreSQL's 63 bytes. NOTIFY channels belong to the whole database; scoping them
/// by schema keeps hark deployments in separate schemas of one database (and the tests, a
/// schema each, run side by side) from hearing each other's commands and click-to-dial
/// requests. Listeners use this name; notifiers send with kNotifyScopedSql, the same rule in SQL.
std::string scoped_channel(pqxx::connection_base& c, const char* base);
/// NOTIFY on channel $1 scoped as scoped_channel() does, payload $2 (delivered at commit).
inline constexpr const char* kNotifyScopedSql =
    "SELECT pg_notify(left($1 || '.' || coalesce(current_schema(), ''), 63), $2)";

/// A call's new state as the owner's runner saw it (empty trunk/verdict: unchanged).
struct LiveCallUpdate {
  long long id = 0;
  std::string state;  ///< dialing, ringing, early_media, connected, on_hold, transferring, consulting
  std::string trunk;
  std::string amd_verdict;
};

/// The row of a call just placed (in the transaction that writes its DIALING attempt).
void insert_live_call(pqxx::transaction_base& tx, long long attempt_id, long long campaign_id, long long lead_id,
                      const std::string& number, const std::string& instance,
                      std::optional<long long> placed_by = std::nullopt);
/// Writes a batch of state changes in one transaction; a call already ended stays ended.
void update_live_calls(pqxx::connection& c, const std::vector<LiveCallUpdate>& updates);
/// Marks the call ended (with its attempt's end).
void end_live_call(pqxx::transaction_base& tx, long long attempt_id);
/// The recovery's part: the calls of processes silent for `stale_after_s` end; ended rows older
/// than a day are deleted. Returns how many calls it ended.
int recover_live_calls(pqxx::transaction_base& tx, const std::string& instance, int stale_after_s);

/// One command for a call's owner, as the owner reads it.
struct CallCommandRow {
  long long id = 0, call_id = 0;
  std::string kind, target;
  bool expired = false;  ///< older than the caller's patience: answered 504 without running it
};

/// The owner's unanswered commands, locked in `tx` (FOR UPDATE SKIP LOCKED).
std::vector<CallCommandRow> pending_commands(pqxx::transaction_base& tx, const std::string& instance, int expire_s);
/// Writes a command's outcome and NOTIFYs the reply channel (delivered at commit).
void answer_command(pqxx::transaction_base& tx, long long id, int status, const std::string& message);

}  // namespace hark::sql
