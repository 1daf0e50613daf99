// Leads in PostgreSQL: bulk import with COPY (libpqxx stream_to).
#pragma once

#include <pqxx/pqxx>

#include <vector>

#include "control/lead_csv.h"

namespace hark::sql {

struct ImportResult {
  int imported = 0;
  std::vector<control::RowError> rejected;  ///< rows the database side refused, by line
};

/// Imports `leads` into campaign `campaign_id` in one transaction with COPY. Rows whose external
/// id the campaign already has are rejected (reported by line) instead of failing the COPY.
/// Needs the named statements of sql/statements.cpp (a connection from sql::open_prepared).
ImportResult import_leads(pqxx::connection& c, long long campaign_id, const std::vector<control::Lead>& leads);
/// The same inside the caller's transaction (which commits).
ImportResult import_leads(pqxx::transaction_base& tx, long long campaign_id, const std::vector<control::Lead>& leads);

}  // namespace hark::sql
