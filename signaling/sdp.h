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

/// An SDP stream's direction attribute (RFC 3264 section 5.1), from the writer's side.
enum class Direction : uint8_t { sendrecv, sendonly, recvonly, inactive };
const char* to_string(Direction d);
/// RFC 3264 section 6.1: the direction of our answer to an offer of `offered` when we `hold`
/// (we send music on hold but want nothing back).
Direction answer_direction(Direction offered, bool hold);

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
  Direction direction = Direction::sendrecv;
  uint32_t version = 1;        ///< o= version: one more in each new offer or answer of a session
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
  Direction direction = Direction::sendrecv;  ///< the audio stream's (else the session's) attribute
  bool null_address = false;   ///< c=0.0.0.0 (RFC 2543 hold): send nothing there
  /// Whether the peer wants our audio: it receives (sendrecv, recvonly) at a real address.
  bool wants_our_audio() const {
    return !null_address && (direction == Direction::sendrecv || direction == Direction::recvonly);
  }
};

/// Parses the peer's SDP (offer or answer). Returns an error message naming what is wrong
/// (unparsable, no audio, audio rejected, no G.711, SRTP without a usable key, ...), empty on
/// success.
std::string parse_peer_sdp(std::string_view sdp, PeerMedia& out);

}  // namespace hark::signaling
