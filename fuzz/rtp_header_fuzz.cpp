// libFuzzer: the RTP header parser (RFC 3550: CSRCs, extensions, padding) on any bytes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/rtp_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hark::media::RtpHeader h;
  if (hark::media::parse_rtp(std::span(data, size), h) == hark::media::RtpError::ok) {
    // A header that parses must describe bytes inside the packet.
    if (h.payload_offset > size || h.payload_size > size - h.payload_offset) __builtin_trap();
  }
  return 0;
}
