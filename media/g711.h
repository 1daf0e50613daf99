// G.711 μ-law / A-law to and from 16-bit linear (spandsp's codec, tabled for speed).
#pragma once

#include <cstdint>
#include <span>

namespace hark::media {

enum class G711Law : uint8_t { ulaw, alaw };

/// Decodes `in` into `out` (out.size() >= in.size()).
void g711_decode(G711Law law, std::span<const uint8_t> in, int16_t* out);
/// Encodes `in` into `out` (out.size() >= in.size()).
void g711_encode(G711Law law, std::span<const int16_t> in, uint8_t* out);

/// RTP static payload types: 0 is PCMU, 8 is PCMA.
inline bool g711_payload_type(int pt, G711Law& law) {
  if (pt == 0) { law = G711Law::ulaw; return true; }
  if (pt == 8) { law = G711Law::alaw; return true; }
  return false;
}

}  // namespace hark::media
