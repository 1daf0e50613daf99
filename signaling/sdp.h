// SDP for our calls: we write our own offers and answers (soa rewrote them and cost CPU) and
// read the peer's with sofia-sip's sdp_parse.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>
#include <string_view>

#include "media/srtp_session.h"

namespace hark::signaling {

/// What we put in our SDP.
struct LocalMedia {
  std::string ip = "127.0.0.1";
  uint16_t port = 0;
  uint64_t session_id = 1;
  bool srtp = false;           ///< offer RTP/SAVP with an SDES crypto line
  bool srtp_best_effort = false;  ///< with srtp: RTP/AVP with the crypto line (RFC 4568 best effort)
  std::vector<int> codecs;     ///< offers: payload types in order of preference (empty: PCMU, PCMA)
  media::SrtpKey key;          ///< our key, when srtp
  int only_payload_type = -1;  ///< answers: the one codec chosen (-1: offer PCMU and PCMA)
  uint8_t dtmf_payload_type = 101;
};

/// Our offer (or, with only_payload_type set, our answer).
std::string build_sdp(const LocalMedia& m);

/// What the peer's SDP settles.
struct PeerMedia {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  uint8_t payload_type = 0;    ///< 0 PCMU or 8 PCMA: the first of those the peer lists
  int dtmf_payload_type = -1;  ///< telephone-event, -1 when the peer has none
  bool srtp = false;
  media::SrtpKey key;          ///< the peer's key, when srtp (or has_key)
  bool has_key = false;        ///< a usable SDES key, also on RTP/AVP (a best-effort SRTP answer)
  bool rtcp_mux = false;
  bool hold = false;           ///< sendonly/inactive or a 0.0.0.0 address
};

/// Parses the peer's SDP (offer or answer). Returns an error message naming what is wrong
/// (unparsable, no audio, audio rejected, no G.711, SRTP without a usable key, ...), empty on
/// success.
std::string parse_peer_sdp(std::string_view sdp, PeerMedia& out);

}  // namespace hark::signaling
