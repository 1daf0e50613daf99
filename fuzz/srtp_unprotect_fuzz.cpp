// libFuzzer: SRTP and SRTCP unprotect (libsrtp2 behind SrtpSession) on any bytes, with a fixed
// inbound key: authentication must fail cleanly, never read or write out of bounds. Half the
// inputs are first protected with the matching outbound session, so the fuzzer also reaches
// the paths after a successful authentication (the RTP header parse of a genuine packet).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "media/srtp_session.h"

namespace {
hark::media::SrtpKey fixed_key() {
  hark::media::SrtpKey k;
  for (size_t i = 0; i < sizeof k.bytes; ++i) k.bytes[i] = uint8_t(i * 7 + 3);
  return k;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 1500) return 0;
  const bool protect_first = data[0] & 1, rtcp = data[0] & 2;
  ++data, --size;
  // One pair of sessions for the whole run: srtp_create costs milliseconds, and only a packet
  // that authenticates changes the inbound session's state (its replay window).
  static hark::media::SrtpSession in, out;
  static const bool ready = in.init(fixed_key(), false).empty() && out.init(fixed_key(), true).empty();
  if (!ready) __builtin_trap();
  std::vector<uint8_t> buf(size + hark::media::SrtpSession::kMaxTrailer);
  std::memcpy(buf.data(), data, size);
  size_t len = size;
  if (protect_first) {
    // Only a packet with a plausible header can be protected; failing here is fine.
    if (size < 12 || !(rtcp ? out.protect_rtcp(buf.data(), len, buf.size()) : out.protect_rtp(buf.data(), len, buf.size())))
      return 0;
  }
  if (rtcp) (void)in.unprotect_rtcp(buf.data(), len);
  else (void)in.unprotect_rtp(buf.data(), len);
  if (len > buf.size()) __builtin_trap();
  return 0;
}
