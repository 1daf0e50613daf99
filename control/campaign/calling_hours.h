// Calling hours at the called party's local time (issue 18 part 4), between the store and the
// API: leads' zones filled in (and the campaign's zones recorded) when a campaign starts, and the summary of leads waiting for
// their window. The rule: control/campaign/calling_window.h; a number's zones:
// signaling/number_time_zones.h; the claim's filter: sql/statements_leads.cpp (IN_CALLING_HOURS).
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <optional>

namespace hark::control {

/// Readies a campaign with calling hours to start: computes and stores the zones of its leads
/// that have none recorded (leads from before migration 0019, leads added or edited one at a
/// time), then records the campaign's zones for the claim. Returns how many leads it filled.
long long prepare_calling_hours(pqxx::transaction_base& tx, long long campaign_id);

struct WindowSummary {
  long long waiting = 0;                    ///< due leads outside their calling hours
  std::optional<std::int64_t> next_open_s;  ///< when the first of them may be called (UTC seconds)
};
/// The campaign's due leads that wait for their window, and when the first window opens.
WindowSummary window_summary(pqxx::transaction_base& tx, long long campaign_id);

}  // namespace hark::control
