// What the campaign runner shows the REST API. The API holds a pointer to this interface (null
// when no runner runs in the process), so control/api/ depends on control/campaign/ and never
// the other way round.
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <string>

#include "control/campaign/event_stream.h"

namespace hark::control {

/// Click-to-dial (POST /api/v1/calls): one call placed on request, outside campaign dialing.
struct ClickToDial {
  long long campaign_id = 0, lead_id = 0;  ///< the attempt is logged under these
  std::string number;                      ///< the customer's number (E.164 or an extension)
  std::string agent;                       ///< set: agent first (ring it, no AMD, REFER it to `number`)
  long long placed_by = 0;                 ///< the user (live_calls.placed_by)
  bool new_lead = false;                   ///< the lead was made for this call: it stays done
};
/// What came of a click-to-dial: the attempt id (the call's id) once the INVITE is on its way,
/// or 0 and why not.
using ClickPlaced = std::function<void(long long call_id, const std::string& error)>;

/// What the campaign runner shows the API (absent when no runner runs in this process).
class RunnerView {
 public:
  virtual ~RunnerView() = default;
  /// Live figures of one campaign, as a JSON object.
  virtual boost::json::object live(long long campaign_id) = 0;
  /// A stream of the campaign's call events (0: every campaign).
  virtual std::shared_ptr<EventStream> subscribe(long long campaign_id) = 0;
  /// Something changed (start, stop, capacity): look again now rather than at the next tick.
  virtual void wake() = 0;
  /// Places one call on the runner's own thread (any thread may ask); `done` is called once,
  /// from that thread. Without dialing here: at once, with an error.
  virtual void place_call(ClickToDial /*req*/, ClickPlaced done) { done(0, "no dialing in this process"); }
};

}  // namespace hark::control
