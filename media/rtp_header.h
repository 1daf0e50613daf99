// RTP fixed header parsing and validation (RFC 3550 section 5.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace hark::media {

struct RtpHeader {
  uint8_t payload_type = 0;
  bool marker = false;
  uint8_t csrc_count = 0;
  uint16_t seq = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  size_t payload_offset = 0;  ///< where the payload starts in the packet
  size_t payload_size = 0;    ///< payload bytes, padding removed
};

enum class RtpError : uint8_t {
  ok,
  too_short,          ///< fewer than 12 bytes
  bad_version,        ///< version is not 2
  csrc_past_end,      ///< the CSRC list runs past the packet
  extension_past_end, ///< the header extension runs past the packet
  bad_padding,        ///< padding count is 0 or larger than the payload
};

std::string_view to_string(RtpError e);

/// Parses and validates one RTP packet without copying. Never reads past `packet`.
RtpError parse_rtp(std::span<const uint8_t> packet, RtpHeader& out);

}  // namespace hark::media
