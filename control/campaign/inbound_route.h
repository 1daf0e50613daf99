// Inbound calls: who called and where the call goes. A pure unit (no SIP, no database): the
// caller's user part becomes a number the way leads' numbers are parsed, the leads whose
// numbers match it are looked up by the caller of this unit, and the decision picks the target.
//
// The rule: a caller with at most `internal_length` digits is internal (a PBX extension) and
// goes to the default route without lead matching. Otherwise the matching leads' campaign
// whose lead was attempted most recently wins (never-attempted leads rank last; ties: the
// newest lead), and the call goes to that campaign's pilot number. No match (or a caller that
// is no number): the default route; no default route: nowhere (the SIP side answers 404).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hark::control {

/// [inbound] in the configuration file.
struct InboundSettings {
  std::string default_route;          ///< a number or sip: URI for unknown and internal callers; empty: 404
  std::string default_region = "US";  ///< callers' numbers without a country code are read as from here
  int internal_length = 4;            ///< callers with at most this many digits are internal
};

/// The caller as hark matches it.
struct CallerNumber {
  std::string number;     ///< E.164, or an internal number's digits; empty when not a number
  bool internal = false;
};

/// Parses the caller's user part ("+14155550123", "4155550123", "201") like a lead's phone
/// (signaling/phone_number.h) under `s.default_region` and `s.internal_length`.
CallerNumber parse_caller(std::string_view user, const InboundSettings& s);

/// A lead whose phone (or one of its other numbers) is the caller's.
struct LeadMatch {
  long long lead_id = 0;
  long long campaign_id = 0;
  std::string pilot;             ///< the campaign's pilot number (transfer target)
  int64_t last_attempt_us = 0;   ///< the lead's last attempt, microseconds since 1970; 0: never
};

enum class InboundKind { lead, internal, unknown };
std::string_view to_string(InboundKind k);

struct InboundDecision {
  InboundKind kind = InboundKind::unknown;
  std::string target;              ///< where the call goes; empty: nowhere (404)
  long long campaign_id = 0;       ///< lead: the campaign whose pilot is the target
  /// lead: every matching lead, by campaign (the chosen campaign first, then by id), lead ids
  /// ascending; each campaign's call log lists the call with its leads.
  std::vector<std::pair<long long, std::vector<long long>>> leads_by_campaign;
};

/// The decision for `caller` given the leads that match it (`matches` is ignored for an
/// internal caller; the caller passes none).
InboundDecision decide_inbound(const CallerNumber& caller, const std::vector<LeadMatch>& matches,
                               const InboundSettings& s);

}  // namespace hark::control
