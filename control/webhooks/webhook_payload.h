// The JSON a webhook receives for one call event. The runner builds the call's part here; the
// lead's fields (name, phone, external id, extra CSV columns) are added under "lead" when the
// event is queued (sql/webhook_store.h), so the runner reads nothing from the database.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "signaling/sip_agent.h"

namespace hark::control {

/// The events a webhook may ask for, in a call's order.
inline constexpr std::array<std::string_view, 4> kWebhookEvents = {"answered", "verdict", "transferred", "ended"};

/// Whether `name` is one of kWebhookEvents.
bool is_webhook_event(std::string_view name);

/// The webhook event a call event is: answered, verdict (the AMD's), transferred (the REFER to
/// the pilot went out) or ended; none for the others (dialing, ringing, ...).
std::optional<std::string_view> webhook_event_of(const signaling::CallEvent& e);

/// What the runner knows of the call beyond the event.
struct WebhookCall {
  long long attempt_id = 0, campaign_id = 0, lead_id = 0;
  std::string number;  ///< the number dialed
};

/// The event's JSON object, serialised: event, time (UTC, ISO 8601 with ms), attemptId,
/// campaignId, leadId, number, answered, sip {code, reason, trunk}, amd {verdict, cause, ms,
/// beepMs} once there is a verdict, and for `ended` result, cause and talkSeconds.
std::string webhook_payload(std::string_view event, const WebhookCall& call, const signaling::CallEvent& e,
                            std::chrono::system_clock::time_point at);

}  // namespace hark::control
