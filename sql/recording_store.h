// Recordings' retention: which recorded attempts are older than their campaign keeps them.
// The audio itself lives in the recordings folder as <attempt id>.wav; the database only knows
// each campaign's retention and each attempt's end.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <vector>

namespace hark::sql {

/// Of `attempt_ids`, those whose campaign has a retention and that ended longer ago than it.
/// Files of attempts this database does not know are left alone (another database's?).
std::vector<long long> expired_recordings(pqxx::connection& c, const std::vector<long long>& attempt_ids);

/// Deletes the recordings in `dir` that are past their campaign's retention (expired_recordings
/// on every <attempt id>.wav there). Returns how many files it deleted.
int delete_expired_recordings(pqxx::connection& c, const std::string& dir);

}  // namespace hark::sql
