// Requests that arrive outside any dialog of ours (REFER, SUBSCRIBE, MESSAGE, OPTIONS, INFO,
// NOTIFY, PUBLISH, unknown methods). sofia-sip creates a handle for each and keeps it, with
// any dialog and implicit subscription it set up (a REFER's), until the application destroys
// it: unreleased, 20,000 REFERs grew hark by 280 MB (issue 13 #4). The SIP agent and the
// callee simulator both answer them here and release the handle.
#pragma once

#include <sofia-sip/nua.h>

namespace hark::signaling {

/// NUTAG_APPL_METHOD for our NUAs: methods sofia leaves to us to answer, REFER among them, so
/// that an out-of-dialog REFER is refused instead of accepted with 202 and a NOTIFY.
inline constexpr const char* kApplMethods = "REFER";

/// If `event` is an incoming non-INVITE request on `nh`, a handle sofia created for it (not
/// one of our calls), answers it unless sofia already did (OPTIONS: 200 with Allow; the rest:
/// 403, 481 or 405) and destroys the handle. Returns whether it did. Call it on the SIP thread,
/// from the NUA callback.
bool release_unsolicited(nua_t* nua, nua_event_t event, int status, nua_handle_t* nh);

}  // namespace hark::signaling
