#include "control/campaign/calling_hours.h"

#include "control/campaign/calling_window.h"
#include "signaling/number_time_zones.h"
#include "sql/calling_hours_store.h"

namespace hark::control {

long long prepare_calling_hours(pqxx::transaction_base& tx, long long campaign_id) {
  const auto filled =
      sql::fill_lead_time_zones(tx, campaign_id, [](const std::string& phone, const std::vector<std::string>& extra) {
        return signaling::numbers_time_zones(phone, extra);
      });
  sql::record_campaign_zones(tx, campaign_id);
  return filled;
}

WindowSummary window_summary(pqxx::transaction_base& tx, long long campaign_id) {
  const auto w = sql::leads_waiting_for_window(tx, campaign_id);
  WindowSummary out;
  const CallingHours hours{time_of_day_s(w.start), time_of_day_s(w.end)};
  for (const auto& g : w.groups) {
    out.waiting += g.leads;
    const auto c = check_window(hours, g.utc_offsets_s, w.now_s);
    if (c.next_s && (!out.next_open_s || *c.next_s < *out.next_open_s)) out.next_open_s = c.next_s;
  }
  return out;
}

}  // namespace hark::control
