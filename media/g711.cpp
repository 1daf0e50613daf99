#include "media/g711.h"

#include <array>

#include "amd/spandsp_fwd.h"

namespace hark::media {

namespace {
struct Tables {
  std::array<int16_t, 256> ulaw{}, alaw{};
  Tables() {
    for (int i = 0; i < 256; ++i) {
      ulaw[i] = ulaw_to_linear(uint8_t(i));
      alaw[i] = alaw_to_linear(uint8_t(i));
    }
  }
};
const Tables& tables() {
  static const Tables t;
  return t;
}
}  // namespace

void g711_decode(G711Law law, std::span<const uint8_t> in, int16_t* out) {
  const auto& t = law == G711Law::ulaw ? tables().ulaw : tables().alaw;
  for (size_t i = 0; i < in.size(); ++i) out[i] = t[in[i]];
}

void g711_encode(G711Law law, std::span<const int16_t> in, uint8_t* out) {
  if (law == G711Law::ulaw)
    for (size_t i = 0; i < in.size(); ++i) out[i] = linear_to_ulaw(in[i]);
  else
    for (size_t i = 0; i < in.size(); ++i) out[i] = linear_to_alaw(in[i]);
}

}  // namespace hark::media
