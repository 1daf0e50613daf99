// The callee simulator's RTP, behind a small interface so the simulator's behaviour code does
// not depend on the stack: hark's own MediaEngine (callee_media_hark.cpp) or oRTP
// (callee_media_ortp.*, an independent implementation that checks our RTP, RTCP, SRTP and
// DTMF from the other end of every test and demo call).
//
// Every method is for the simulator's SIP thread; events come back through event_fds().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "media/media_engine.h"
#include "media/media_types.h"

namespace hark::signaling {

/// Which RTP stack the callee simulator runs on.
enum class RtpStack { ortp, hark };
const char* to_string(RtpStack s);
/// "ortp" or "hark"; false for anything else.
bool parse_rtp_stack(const std::string& s, RtpStack& out);
/// The stack `hark simulate-callee` uses without --rtp-stack (README: the 3000-call measurement).
RtpStack default_rtp_stack();

/// What the simulator learns of a stream when it ends: what it received of the caller.
struct CalleeStreamEnd {
  uint32_t received = 0;       ///< RTP packets accepted (decrypted, when SRTP)
  uint32_t srtp_failures = 0;  ///< packets that failed SRTP authentication
};

class CalleeMedia {
 public:
  struct Opened {
    uint32_t id = 0;
    uint16_t port = 0;   ///< our RTP port, for the SDP answer
    std::string error;   ///< set when no stream could be opened
    bool ok() const { return error.empty(); }
  };
  virtual ~CalleeMedia() = default;
  /// "ortp" or "hark".
  virtual const char* name() const = 0;
  /// Opens a stream to the caller's address, codec and keys (p.remote, p.payload_type,
  /// p.dtmf_payload_type, p.rtcp_mux, p.srtp with both keys, p.send); silence until `play`.
  virtual Opened open(const media::StreamParams& p) = 0;
  /// A re-INVITE: the new address, codec, direction (p.send) and the caller's key.
  virtual void modify(uint32_t id, const media::StreamParams& p) = 0;
  /// Plays `prompt` (kept alive by the simulator), then silence.
  virtual void play(uint32_t id, const media::Prompt* prompt) = 0;
  /// Sends `digits` as RFC 4733 telephone events once the prompt has played. False when the
  /// stack cannot send DTMF (hark's engine only receives it).
  virtual bool send_dtmf(uint32_t id, const std::string& digits) = 0;
  /// Closes the stream; its CalleeStreamEnd comes through drain().
  virtual void close(uint32_t id) = 0;
  /// Descriptors readable when drain() has something to do.
  virtual std::vector<int> event_fds() const = 0;
  /// Handles pending events; `ended` is called for each stream closed since.
  virtual void drain(const std::function<void(const CalleeStreamEnd&)>& ended) = 0;
};

/// hark's own engine, which the caller keeps (tests give theirs).
std::unique_ptr<CalleeMedia> hark_callee_media(media::MediaEngine& engine);
/// hark's own engine, owned: `o`'s address and ports.
std::unique_ptr<CalleeMedia> owned_hark_callee_media(const media::MediaEngineOptions& o);
/// oRTP: one RtpSession per stream on o.bind_ip, RTP ports in [o.port_min, o.port_max], at
/// most o.max_streams; a thread of its own ticks every session every 20 ms.
std::unique_ptr<CalleeMedia> ortp_callee_media(const media::MediaEngineOptions& o);
/// The one `stack` names (owned).
std::unique_ptr<CalleeMedia> make_callee_media(RtpStack stack, const media::MediaEngineOptions& o);

}  // namespace hark::signaling
