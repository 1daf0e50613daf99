// What crosses between the control thread and the media workers: stream parameters,
// commands, events. Every type here is trivially copyable so it can cross a lock-free queue.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <vector>

#include "amd/events.h"
#include "amd/params.h"
#include "media/srtp_session.h"

namespace hark::media {

using StreamId = uint32_t;

/// Audio to play into calls (e.g. a voicemail-drop message): encoded once in both laws and
/// shared read-only by every stream that plays it. Must outlive the streams playing it.
struct Prompt {
  std::vector<uint8_t> ulaw, alaw;
  uint32_t ms() const { return uint32_t(ulaw.size() / 8); }
  /// Builds a prompt from 8 kHz linear audio.
  static Prompt from_pcm(const std::vector<int16_t>& pcm);
};

/// How a stream is set up: the negotiated peer, codec, keys and AMD settings.
struct StreamParams {
  sockaddr_storage remote{};     ///< the peer's RTP address from its SDP; packets from
  socklen_t remote_len = 0;      ///< anywhere else are dropped (and counted)
  uint8_t payload_type = 0;      ///< 0 PCMU, 8 PCMA
  uint8_t dtmf_payload_type = 101;
  bool rtcp_mux = false;         ///< RTCP on the RTP port (else on port + 1)
  bool srtp = false;
  SrtpKey srtp_rx_key;           ///< the peer's key (its SDP crypto line)
  SrtpKey srtp_tx_key;           ///< ours (our SDP crypto line)
  bool amd = true;
  amd::Params amd_params = amd::Params::hark_defaults();
  bool record = false;           ///< stream the call's audio to the recorder (a WAV at the end)
  uint64_t record_id = 0;        ///< record: the file is <record_id>.wav; 0: stream-<stream id>.wav
  bool record_stereo = false;    ///< record: our audio left, the peer's right; else both mixed
  bool send = true;              ///< send a packet every 20 ms (silence unless playing)
  uint32_t ssrc = 0;             ///< our SSRC; 0: random
};

/// Receive and send counters of one stream.
struct StreamStats {
  uint32_t received = 0;        ///< RTP packets accepted
  uint32_t lost = 0;            ///< RFC 3550 cumulative lost
  uint32_t duplicates = 0;
  uint32_t reordered = 0;
  uint32_t foreign = 0;         ///< from an address other than the negotiated peer
  uint32_t malformed = 0;       ///< failed RTP header validation
  uint32_t srtp_failures = 0;   ///< failed SRTP authentication or replay check
  uint32_t other_payload = 0;   ///< payload types we did not negotiate
  uint32_t sent = 0;            ///< RTP packets sent
  uint32_t events_dropped = 0;  ///< events lost because the event queue was full
  float jitter_ms = 0;          ///< RFC 3550 interarrival jitter
  float rtt_ms = -1;            ///< from the peer's RTCP receiver report, -1 unknown
  float peer_fraction_lost = -1;///< what the peer reports of our stream, -1 unknown
};

enum class MediaEventKind : uint8_t {
  amd,            ///< an AMD event (verdict or beep) in `amd`
  dtmf,           ///< a DTMF digit in `digit`
  playback_done,  ///< the prompt finished playing
  stats,          ///< periodic statistics
  ended,          ///< the stream is closed; final statistics; its port is free again
  error,          ///< the stream could not be set up (`detail`)
};

struct MediaEvent {
  MediaEventKind kind = MediaEventKind::stats;
  StreamId id = 0;
  amd::Event amd{};
  char digit = 0;
  StreamStats stats{};
  uint64_t packet_ns = 0;  ///< wall-clock time (ns) the packet that caused it arrived
  char detail[48] = {};
};

enum class CommandKind : uint8_t { open, update, modify, play, stop_playback, close, shutdown };

struct MediaCommand {
  CommandKind kind = CommandKind::open;
  StreamId id = 0;
  int rtp_fd = -1;
  int rtcp_fd = -1;
  const StreamParams* params = nullptr;  ///< open, update: owned by the worker from then on
  const Prompt* prompt = nullptr;        ///< play
  bool loop = false;                     ///< play: from the start again at its end, no playback_done
};

}  // namespace hark::media
