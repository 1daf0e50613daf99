// libFuzzer: the peer's SDP (offer or answer) on any text: an error message or a settled media
// description, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signaling/sdp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hark::signaling::PeerMedia m;
  const auto err = hark::signaling::parse_peer_sdp(std::string_view(reinterpret_cast<const char*>(data), size), m);
  if (err.empty() && m.payload_type != 0 && m.payload_type != 8) __builtin_trap();  // only G.711 is settled
  return 0;
}
