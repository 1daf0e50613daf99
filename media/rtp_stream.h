// One call's media on a worker: the receive path (latching, SRTP, header checks, RFC 3550
// statistics, reordering, G.711 decode, DTMF, AMD, recording) and the transmit path (one
// packet a tick: silence or a prompt). No sockets here: the worker reads and sends, so this
// can be tested packet by packet. Nothing in the per-packet path allocates.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "media/dtmf.h"
#include "media/g711.h"
#include "media/media_types.h"
#include "media/recorder.h"
#include "media/reorder_buffer.h"
#include "media/rtp_stats.h"
#include "media/srtp_session.h"

// Only a pointer to the classifier lives here: media's headers, included by signaling, control
// and the tests, then do not change when the AMD's internals do (a feature added to
// amd/call_features.h rebuilt most of the project through this include).
namespace hark::amd {
class Classifier;
}  // namespace hark::amd

namespace hark::media {

/// Where a stream's events go (the worker's event queue, or a test's vector).
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void emit(const MediaEvent& e) = 0;
};

class RtpStream {
 public:
  static constexpr size_t kMaxPacket = 1500;
  /// The AMD's frame, 20 ms (amd::Classifier::kFrameSamples; checked in the .cpp).
  static constexpr size_t kAmdFrameSamples = 160;

  RtpStream(StreamId id, const StreamParams& p);
  ~RtpStream();
  RtpStream(const RtpStream&) = delete;
  RtpStream& operator=(const RtpStream&) = delete;

  StreamId id() const { return id_; }
  const StreamParams& params() const { return p_; }

  /// Handles one received RTP datagram (modified in place by SRTP). `now_ns` is the arrival
  /// time on the steady clock.
  void on_rtp(uint8_t* buf, size_t len, const sockaddr_storage& from, uint64_t now_ns, EventSink& sink);
  /// Handles one received RTCP datagram; one from other than the peer's RTCP address is
  /// dropped and counted as foreign.
  void on_rtcp(uint8_t* buf, size_t len, const sockaddr_storage& from, EventSink& sink);

  /// Writes the next 20 ms RTP packet to send into `out`; returns its length.
  size_t next_packet(uint8_t* out, size_t cap, EventSink& sink);
  /// Writes an RTCP report (SR + SDES) into `out`; returns its length (0 on failure).
  size_t rtcp_report(uint8_t* out, size_t cap);

  /// Starts playing `prompt` from its beginning (replacing any prompt playing); `loop`: again
  /// and again until stop_playback, without playback_done.
  void play(const Prompt* prompt, bool loop = false) { prompt_ = prompt; prompt_pos_ = 0; loop_ = loop; }
  /// Takes over `old`'s running state (MediaEngine::modify): SSRC, sequence, timestamps,
  /// statistics, the prompt playing, and the AMD's state when this stream's params ask for one.
  void continue_from(RtpStream& old);
  void stop_playback() { prompt_ = nullptr; }

  /// Ends the stream: gives the AMD a last chance to decide (as offline replay does at the end
  /// of a file) and emits `ended` with the final statistics.
  void close(EventSink& sink);

  StreamStats stats() const;
  /// Where the stream's audio goes when params.record (null: nowhere). The tap belongs to the
  /// worker and outlives the stream.
  void attach_recorder(RecordTap* tap) { tap_ = p_.record ? tap : nullptr; }

 private:
  uint64_t record_key() const { return p_.record_id ? p_.record_id : id_; }
  void deliver(const int16_t* pcm, size_t n, uint64_t now_ns, EventSink& sink);
  void feed_amd(const int16_t* samples, size_t n, uint64_t now_ns, EventSink& sink);
  void emit_amd(int n, const amd::Event* ev, uint64_t now_ns, EventSink& sink);
  bool from_peer(const sockaddr_storage& from) const;
  /// RTCP's source: the RTP peer with rtcp-mux, else the peer's host at its RTP port + 1.
  bool from_peer_rtcp(const sockaddr_storage& from) const;
  static bool same_address(const sockaddr_storage& a, const sockaddr_storage& b);

  StreamId id_;
  StreamParams p_;
  G711Law law_;
  SrtpSession srtp_rx_, srtp_tx_;
  RtpStats stats_;
  ReorderBuffer reorder_;
  DtmfReceiver dtmf_;
  std::unique_ptr<amd::Classifier> amd_;
  int16_t frame_[kAmdFrameSamples] = {};
  size_t frame_fill_ = 0;
  size_t last_payload_ = 160;  // samples per packet, for filling lost packets
  RecordTap* tap_ = nullptr;
  uint32_t peer_ssrc_ = 0;
  StreamStats counters_{};
  // RTCP: the last SR from the peer, to fill LSR/DLSR.
  uint32_t peer_sr_middle_ = 0;
  uint64_t peer_sr_at_ns_ = 0;
  // Transmit.
  uint32_t ssrc_;
  uint16_t tx_seq_;
  uint32_t tx_ts_;
  uint32_t tx_octets_ = 0;
  const Prompt* prompt_ = nullptr;
  size_t prompt_pos_ = 0;
  bool loop_ = false;
};

/// The wall clock in nanoseconds: the time base of packet arrival stamps (the kernel's
/// SO_TIMESTAMPNS receive stamps are wall-clock) and of MediaEvent::packet_ns.
uint64_t wall_ns();

}  // namespace hark::media
