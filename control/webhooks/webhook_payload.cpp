#include "control/webhooks/webhook_payload.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace hark::control {

namespace json = boost::json;

namespace {

std::string iso_utc(std::chrono::system_clock::time_point at) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  const std::time_t secs = std::time_t(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms % 1000));
  return buf;
}

}  // namespace

bool is_webhook_event(std::string_view name) {
  return std::find(kWebhookEvents.begin(), kWebhookEvents.end(), name) != kWebhookEvents.end();
}

std::optional<std::string_view> webhook_event_of(const signaling::CallEvent& e) {
  using signaling::CallState;
  switch (e.state) {
    case CallState::answered: return kWebhookEvents[0];
    case CallState::verdict: return e.has_verdict ? std::optional(kWebhookEvents[1]) : std::nullopt;
    case CallState::transferring: return kWebhookEvents[2];
    case CallState::ended: return kWebhookEvents[3];
    default: return std::nullopt;
  }
}

std::string webhook_payload(std::string_view event, const WebhookCall& call, const signaling::CallEvent& e,
                            std::chrono::system_clock::time_point at) {
  json::object o{{"event", event},
                 {"time", iso_utc(at)},
                 {"attemptId", call.attempt_id},
                 {"campaignId", call.campaign_id},
                 {"leadId", call.lead_id},
                 {"number", call.number},
                 {"answered", e.answered || e.state == signaling::CallState::answered}};
  json::object sip{{"code", e.sip_code ? json::value(e.sip_code) : json::value(nullptr)},
                   {"reason", e.sip_reason.empty() ? json::value(nullptr) : json::value(e.sip_reason)},
                   {"trunk", e.trunk.empty() ? json::value(nullptr) : json::value(e.trunk)}};
  o["sip"] = std::move(sip);
  if (e.has_verdict)
    o["amd"] = json::object{{"verdict", amd::to_string(e.verdict)},
                            {"cause", e.amd_cause},
                            {"ms", e.amd_ms},
                            {"beepMs", e.beep_ms >= 0 ? json::value(e.beep_ms) : json::value(nullptr)}};
  if (e.state == signaling::CallState::ended) {
    o["result"] = signaling::to_string(e.outcome);
    o["cause"] = e.cause;
    o["talkSeconds"] = e.talk_ms / 1000.0;
    // Whether our REFER put the person through: with result ABANDONED, a person transferred by
    // request during the identification message (counted abandoned, the lead closed as reached).
    o["transferred"] = e.transferred;
  }
  return json::serialize(o);
}

}  // namespace hark::control
