// libFuzzer: a peer's compound RTCP packet (SR, RR, SDES, BYE, anything else) on any bytes,
// and the RTT computed from whatever report block it yields.
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/rtcp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uint32_t our_ssrc = size >= 4 ? uint32_t(data[0]) << 24 | data[1] << 16 | data[2] << 8 | data[3] : 0;
  if (auto r = hark::media::parse_rtcp(std::span(data, size), our_ssrc); r && r->about_us)
    (void)hark::media::rtt_ms(*r->about_us, 0x12345678);
  return 0;
}
