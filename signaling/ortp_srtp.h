// SRTP for the callee simulator's oRTP sessions: libortp 5.1 has none of its own, so an oRTP
// RtpTransportModifier on the session's RTP and RTCP transports calls libsrtp2 directly
// (AES_CM_128_HMAC_SHA1_80, SDES keys from the SDP). A separate code path from hark's
// media/srtp_session.*: only the crypto library is shared; oRTP builds and parses the packets.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "media/srtp_session.h"

struct _RtpSession;

namespace hark::signaling {

class OrtpSrtp {
 public:
  /// Installs itself on `session`'s transports: protects what oRTP sends with `ours`,
  /// unprotects what arrives with `theirs`. `error()` says why when it could not.
  OrtpSrtp(_RtpSession* session, const media::SrtpKey& ours, const media::SrtpKey& theirs);
  /// Destroy after the session: oRTP frees the modifiers, this frees the SRTP contexts.
  ~OrtpSrtp();
  OrtpSrtp(const OrtpSrtp&) = delete;
  OrtpSrtp& operator=(const OrtpSrtp&) = delete;
  const std::string& error() const { return error_; }
  /// A new key from the caller (a re-INVITE's crypto line): inbound starts again with it.
  void set_inbound_key(const media::SrtpKey& theirs);
  /// Packets (RTP and RTCP) that failed authentication or the replay check.
  uint32_t failures() const;

  struct Contexts;

 private:
  std::unique_ptr<Contexts> ctx_;
  media::SrtpKey inbound_key_;
  std::string error_;
};

}  // namespace hark::signaling
