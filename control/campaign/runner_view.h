// What the campaign runner shows the REST API. The API holds a pointer to this interface (null
// when no runner runs in the process), so control/api/ depends on control/campaign/ and never
// the other way round.
#pragma once

#include <boost/json.hpp>

#include <memory>

#include "control/campaign/event_stream.h"

namespace hark::control {

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
};

}  // namespace hark::control
