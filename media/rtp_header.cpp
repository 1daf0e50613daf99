#include "media/rtp_header.h"

namespace hark::media {

std::string_view to_string(RtpError e) {
  switch (e) {
    case RtpError::ok: return "ok";
    case RtpError::too_short: return "packet shorter than the RTP header";
    case RtpError::bad_version: return "RTP version is not 2";
    case RtpError::csrc_past_end: return "CSRC list runs past the packet";
    case RtpError::extension_past_end: return "header extension runs past the packet";
    case RtpError::bad_padding: return "padding count is zero or larger than the payload";
  }
  return "?";
}

RtpError parse_rtp(std::span<const uint8_t> p, RtpHeader& h) {
  if (p.size() < 12) return RtpError::too_short;
  if ((p[0] >> 6) != 2) return RtpError::bad_version;
  const bool padding = p[0] & 0x20;
  const bool extension = p[0] & 0x10;
  h.csrc_count = p[0] & 0x0f;
  h.marker = p[1] & 0x80;
  h.payload_type = p[1] & 0x7f;
  h.seq = uint16_t(p[2] << 8 | p[3]);
  h.timestamp = uint32_t(p[4]) << 24 | uint32_t(p[5]) << 16 | uint32_t(p[6]) << 8 | p[7];
  h.ssrc = uint32_t(p[8]) << 24 | uint32_t(p[9]) << 16 | uint32_t(p[10]) << 8 | p[11];
  size_t off = 12 + 4 * size_t(h.csrc_count);
  if (off > p.size()) return RtpError::csrc_past_end;
  if (extension) {
    if (off + 4 > p.size()) return RtpError::extension_past_end;
    const size_t words = size_t(p[off + 2]) << 8 | p[off + 3];
    off += 4 + 4 * words;
    if (off > p.size()) return RtpError::extension_past_end;
  }
  size_t end = p.size();
  if (padding) {
    const size_t pad = p[p.size() - 1];
    if (pad == 0 || pad > end - off) return RtpError::bad_padding;
    end -= pad;
  }
  h.payload_offset = off;
  h.payload_size = end - off;
  return RtpError::ok;
}

}  // namespace hark::media
