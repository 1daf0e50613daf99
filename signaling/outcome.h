// Lead statuses and how call results map onto them (the table in the README).
#pragma once

#include <string_view>

#include "amd/events.h"

namespace hark::signaling {

enum class LeadStatus {
  not_called,
  success,                          ///< a person answered and was transferred
  failure,                          ///< invalid number: 404/410/484 or SIT
  busy,                             ///< 486, 600
  no_answer,                        ///< ring timeout, 480, 408
  rejected,                         ///< 603
  amd,                              ///< a machine or a fax answered
  service_temporarily_unavailable,  ///< 500, 502, 503, 504
  dnc,                              ///< on a do-not-call list (decided before dialing)
  abandoned,                        ///< a person answered and no agent was free in time (issue 18)
  unknown,                          ///< anything else
};

std::string_view to_string(LeadStatus s);

/// The status for a call that ended with a final non-2xx response `code`.
LeadStatus status_for_sip_code(int code);

/// The status for an answered call, by its AMD verdict and whether the transfer succeeded.
LeadStatus status_for_answered(amd::Verdict v, bool transferred);

}  // namespace hark::signaling
