// The oRTP peer of media_bench: the same traffic as the engine (N streams, 50 packets/s in,
// one packet back per stream per 20 ms), received and sent by oRTP (libortp 5.1, one
// RtpSession per stream, its jitter buffer on, no AMD), on `threads` threads that each tick
// every 20 ms, like the engine's workers. A reference implementation's cost, not ours.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hark::bench {

class OrtpPeer {
 public:
  /// Opens `n` sessions on `ip`, RTP ports from `port_min` (RTCP on the port above), sending
  /// to `remote`; `error()` says why when it could not.
  OrtpPeer(int n, const std::string& ip, uint16_t port_min, const sockaddr_in& remote);
  ~OrtpPeer();
  const std::string& error() const { return error_; }
  /// The sessions' RTP ports, in order.
  const std::vector<uint16_t>& ports() const { return ports_; }
  /// Runs the tick loop on `threads` threads for `seconds` after `warmup` seconds; returns
  /// their CPU time during the measured seconds.
  double run(int threads, double warmup, double seconds);
  /// Packets oRTP counted as received, over every session.
  uint64_t received() const;

 private:
  std::vector<void*> sessions_;  // RtpSession*, kept opaque here
  std::vector<uint16_t> ports_;
  std::string error_;
};

}  // namespace hark::bench
