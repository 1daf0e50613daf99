// Leads in PostgreSQL: bulk import with COPY (libpqxx stream_to).
#pragma once

#include <pqxx/pqxx>

#include <functional>
#include <vector>

#include "sql/lead.h"

namespace hark::sql {

struct ImportResult {
  int imported = 0;
  std::vector<RowError> rejected;  ///< rows the database side refused, by line
};

/// Imports `leads` into campaign `campaign_id` in one transaction with COPY. Rows whose external
/// id the campaign already has are rejected (reported by line) instead of failing the COPY.
/// Needs the named statements of sql/statements.cpp (a connection from sql::open_prepared).
ImportResult import_leads(pqxx::connection& c, long long campaign_id, const std::vector<Lead>& leads);
/// The same inside the caller's transaction (which commits).
ImportResult import_leads(pqxx::transaction_base& tx, long long campaign_id, const std::vector<Lead>& leads);

/// Fills `batch` (given empty) with the next leads; returns false after the last batch.
using LeadBatchSource = std::function<bool(std::vector<Lead>& batch)>;
/// The same with leads made while they are stored: `next` runs on a thread of its own (e.g. it
/// parses the CSV) while this thread streams the batch before into COPY, so a 1M-row import
/// costs about the longer of the two, not their sum. An exception from `next` is rethrown here.
ImportResult import_leads(pqxx::transaction_base& tx, long long campaign_id, const LeadBatchSource& next);

}  // namespace hark::sql
