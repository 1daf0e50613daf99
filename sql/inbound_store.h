// Inbound callbacks' data: the leads a caller's number matches, and the log of each inbound
// call (inbound_calls, plus one call-log row per matching campaign; migration 0017).
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hark::sql {

struct InboundLeadRow {
  long long lead_id = 0;
  long long campaign_id = 0;
  std::string pilot;
  int64_t last_attempt_us = 0;  ///< 0: never attempted
};

/// The leads (not disabled) whose main or other number is `number` (E.164), most recently
/// attempted first, at most 100.
std::vector<InboundLeadRow> inbound_leads(pqxx::connection& c, const std::string& number);

struct InboundLog {
  std::string caller_raw;   ///< the From user as it came
  std::string caller;       ///< parsed (E.164 or internal digits); empty: not a number
  std::string called;
  std::string kind;         ///< lead, internal, unknown
  std::string target;       ///< empty: 404
  std::string trunk;
  std::string instance_id;
  long long campaign_id = 0;  ///< kind lead: the chosen campaign
  /// Every matching lead by campaign: each campaign's call log gets one inbound row.
  std::vector<std::pair<long long, std::vector<long long>>> leads_by_campaign;
};

/// Writes the inbound_calls row and the call-log rows in one transaction; returns the row's id.
long long log_inbound(pqxx::connection& c, const InboundLog& log);

}  // namespace hark::sql
