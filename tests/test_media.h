// A media engine for the runner and SIP tests: one worker on a loopback address of the test's
// own, with the RTP ports it may use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "media/media_engine.h"

namespace hark::test {

/// A one-worker media engine on `ip`, RTP ports lo..hi, at most `max_streams` calls.
inline std::unique_ptr<media::MediaEngine> engine_on(const std::string& ip, uint16_t lo, uint16_t hi,
                                                     size_t max_streams = 1000) {
  media::MediaEngineOptions mo;
  mo.workers = 1;
  mo.bind_ip = ip;
  mo.port_min = lo;
  mo.port_max = hi;
  mo.max_streams = max_streams;
  return std::make_unique<media::MediaEngine>(mo);
}

}  // namespace hark::test
