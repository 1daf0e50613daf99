// Calling hours in PostgreSQL (0019_calling_hours.sql): leads' time zones written after the
// fact, and the due leads waiting for their window. The window rule itself runs in the claim
// statements (sql/statements_leads.cpp, IN_CALLING_HOURS).
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hark::sql {

/// A lead's zones from its numbers (phone, extra phones); sql/ does not know how.
using ZonesOfNumbers = std::function<std::vector<std::string>(const std::string& phone,
                                                              const std::vector<std::string>& extra_phones)>;

/// Writes the time zones of the campaign's leads that have none recorded (time_zones NULL:
/// leads from before 0019, added or edited one by one), in batches. Returns how many.
long long fill_lead_time_zones(pqxx::transaction_base& tx, long long campaign_id, const ZonesOfNumbers& zones_of);
/// Records every zone of the campaign's leads not done (campaigns.lead_zones), so each claim
/// tests those zones only. Leads change only while a campaign is stopped: called at its start.
void record_campaign_zones(pqxx::transaction_base& tx, long long campaign_id);

/// Due leads outside their window that share one zone list.
struct WaitingLeads {
  std::vector<std::string> zones;  ///< the campaign's zone when the leads have none
  long long leads = 0;
  std::vector<int> utc_offsets_s;  ///< each zone's offset east of UTC now
};
struct WindowWait {
  std::vector<WaitingLeads> groups;  ///< largest first; empty when none wait or calling hours are off
  std::int64_t now_s = 0;            ///< the database's now, UTC seconds
  std::string start, end;            ///< the campaign's calling hours, HH:MM:SS
};
/// The campaign's due leads that wait for their calling hours, by zone list.
WindowWait leads_waiting_for_window(pqxx::transaction_base& tx, long long campaign_id);

}  // namespace hark::sql
