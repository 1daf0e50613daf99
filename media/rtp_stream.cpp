#include "media/rtp_stream.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

#include <arpa/inet.h>
#include <time.h>

#include "amd/classifier.h"
#include "media/rtcp.h"
#include "media/rtp_header.h"

namespace hark::media {

namespace {
constexpr size_t kFrame = amd::Classifier::kFrameSamples;
static_assert(kFrame == RtpStream::kAmdFrameSamples);

uint32_t random32() {
  static thread_local std::mt19937 g{std::random_device{}()};
  return g();
}
}  // namespace

RtpStream::~RtpStream() = default;

uint64_t wall_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

Prompt Prompt::from_pcm(const std::vector<int16_t>& pcm) {
  Prompt p;
  p.ulaw.resize(pcm.size());
  p.alaw.resize(pcm.size());
  g711_encode(G711Law::ulaw, pcm, p.ulaw.data());
  g711_encode(G711Law::alaw, pcm, p.alaw.data());
  return p;
}

RtpStream::RtpStream(StreamId id, const StreamParams& p)
    : id_(id), p_(p), law_(p.payload_type == 8 ? G711Law::alaw : G711Law::ulaw) {
  if (p_.srtp) {
    auto e1 = srtp_rx_.init(p_.srtp_rx_key, false);
    auto e2 = srtp_tx_.init(p_.srtp_tx_key, true);
    if (!e1.empty() || !e2.empty()) p_.srtp = false;  // reported by the worker via active()
  }
  if (p_.amd) amd_ = std::make_unique<amd::Classifier>(p_.amd_params);
  ssrc_ = p_.ssrc ? p_.ssrc : random32();
  tx_seq_ = uint16_t(random32());
  tx_ts_ = random32();
}

bool RtpStream::from_peer(const sockaddr_storage& from) const { return same_address(from, p_.remote); }

bool RtpStream::same_address(const sockaddr_storage& from, const sockaddr_storage& r) {
  if (from.ss_family != r.ss_family) return false;
  if (r.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(from);
    const auto& b = reinterpret_cast<const sockaddr_in&>(r);
    return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
  }
  if (r.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(from);
    const auto& b = reinterpret_cast<const sockaddr_in6&>(r);
    return a.sin6_port == b.sin6_port && std::memcmp(&a.sin6_addr, &b.sin6_addr, sizeof a.sin6_addr) == 0;
  }
  return false;
}

void RtpStream::on_rtp(uint8_t* buf, size_t len, const sockaddr_storage& from, uint64_t now_ns,
                       EventSink& sink) {
  if (!from_peer(from)) {
    ++counters_.foreign;
    return;
  }
  // RTCP multiplexed on the RTP port (RFC 5761): payload types 64-95 with the marker are RTCP.
  if (p_.rtcp_mux && len >= 2 && buf[1] >= 192 && buf[1] <= 223) {
    on_rtcp(buf, len, from, sink);
    return;
  }
  if (p_.srtp && !srtp_rx_.unprotect_rtp(buf, len)) {
    ++counters_.srtp_failures;
    return;
  }
  RtpHeader h;
  if (parse_rtp({buf, len}, h) != RtpError::ok) {
    ++counters_.malformed;
    return;
  }
  const std::span<const uint8_t> payload(buf + h.payload_offset, h.payload_size);
  if (h.payload_type == p_.dtmf_payload_type) {
    if (auto d = dtmf_.rx(h.timestamp, payload)) {
      MediaEvent e;
      e.kind = MediaEventKind::dtmf;
      e.id = id_;
      e.digit = *d;
      e.packet_ns = now_ns;
      sink.emit(e);
    }
    return;
  }
  if (h.payload_type != p_.payload_type) {
    ++counters_.other_payload;
    return;
  }
  peer_ssrc_ = h.ssrc;
  const uint32_t arrival_ts = uint32_t(now_ns / 125000);  // 8 kHz units
  if (!stats_.update(h.seq, h.timestamp, arrival_ts)) return;
  if (!reorder_.push(h.seq, payload)) return;  // too late to play
  ReorderBuffer::Out out;
  // Once the AMD is done and nothing records the call, nobody listens to the audio: the
  // packets still count (above) and leave the reorder buffer, but are not decoded.
  const bool listened = tap_ || (amd_ && !amd_->done());
  while (reorder_.pop(out)) {
    if (!listened) continue;
    int16_t pcm[ReorderBuffer::kMaxPayload];
    size_t n;
    if (out.lost) {
      // A lost packet is digital silence of the usual packet length: the AMD's VAD knows
      // such frames and keeps its noise floor, and the audio keeps its timing.
      n = last_payload_;
      std::memset(pcm, 0, n * sizeof(int16_t));
    } else {
      n = std::min(out.payload.size(), ReorderBuffer::kMaxPayload);
      last_payload_ = n;
      g711_decode(law_, out.payload.first(n), pcm);
    }
    deliver(pcm, n, now_ns, sink);
  }
}

void RtpStream::deliver(const int16_t* pcm, size_t n, uint64_t now_ns, EventSink& sink) {
  if (tap_) tap_->push(record_key(), p_.record_id == 0, p_.record_stereo, RecordFrame::rx, pcm, n);
  feed_amd(pcm, n, now_ns, sink);
}

void RtpStream::feed_amd(const int16_t* s, size_t n, uint64_t now_ns, EventSink& sink) {
  if (!amd_ || amd_->done()) return;
  while (n > 0) {
    const size_t take = std::min(n, kFrame - frame_fill_);
    std::memcpy(frame_ + frame_fill_, s, take * sizeof(int16_t));
    frame_fill_ += take;
    s += take;
    n -= take;
    if (frame_fill_ == kFrame) {
      frame_fill_ = 0;
      amd::Event ev[amd::Classifier::kMaxEvents];
      emit_amd(amd_->rx({frame_, kFrame}, ev), ev, now_ns, sink);
      if (amd_->done()) return;
    }
  }
}

void RtpStream::emit_amd(int n, const amd::Event* ev, uint64_t now_ns, EventSink& sink) {
  for (int i = 0; i < n; ++i) {
    MediaEvent e;
    e.kind = MediaEventKind::amd;
    e.id = id_;
    e.amd = ev[i];
    e.packet_ns = now_ns;
    sink.emit(e);
  }
}

bool RtpStream::from_peer_rtcp(const sockaddr_storage& from) const {
  if (p_.rtcp_mux) return from_peer(from);
  // Without rtcp-mux the peer's RTCP comes from its RTP port + 1 (RFC 3550 section 11), where
  // ours goes too.
  sockaddr_storage rtcp = p_.remote;
  if (rtcp.ss_family == AF_INET) {
    auto& a = reinterpret_cast<sockaddr_in&>(rtcp);
    a.sin_port = htons(uint16_t(ntohs(a.sin_port) + 1));
  } else if (rtcp.ss_family == AF_INET6) {
    auto& a = reinterpret_cast<sockaddr_in6&>(rtcp);
    a.sin6_port = htons(uint16_t(ntohs(a.sin6_port) + 1));
  }
  return same_address(from, rtcp);
}

void RtpStream::on_rtcp(uint8_t* buf, size_t len, const sockaddr_storage& from, EventSink&) {
  // Latched like RTP: a report from anyone else must not set our RTT or the peer's loss.
  if (!from_peer_rtcp(from)) {
    ++counters_.foreign;
    return;
  }
  if (p_.srtp && !srtp_rx_.unprotect_rtcp(buf, len)) {
    ++counters_.srtp_failures;
    return;
  }
  const auto r = parse_rtcp({buf, len}, ssrc_);
  if (!r) {
    ++counters_.malformed;
    return;
  }
  if (r->has_sr) {
    peer_sr_middle_ = r->sr_ntp_middle;
    peer_sr_at_ns_ = wall_ns();
  }
  if (r->about_us) {
    counters_.peer_fraction_lost = float(r->about_us->fraction_lost) / 256.0f;
    if (auto rtt = rtt_ms(*r->about_us, uint32_t(ntp_now() >> 16))) counters_.rtt_ms = float(*rtt);
  }
}

size_t RtpStream::next_packet(uint8_t* out, size_t cap, EventSink& sink) {
  constexpr size_t kHeader = 12;
  if (cap < kHeader + kFrame + SrtpSession::kMaxTrailer) return 0;
  out[0] = 0x80;
  out[1] = p_.payload_type;
  out[2] = uint8_t(tx_seq_ >> 8);
  out[3] = uint8_t(tx_seq_);
  for (int i = 0; i < 4; ++i) out[4 + i] = uint8_t(tx_ts_ >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) out[8 + i] = uint8_t(ssrc_ >> (24 - 8 * i));
  uint8_t* payload = out + kHeader;
  if (prompt_) {
    const auto& audio = law_ == G711Law::ulaw ? prompt_->ulaw : prompt_->alaw;
    const size_t take = std::min(kFrame, audio.size() - std::min(audio.size(), prompt_pos_));
    std::memcpy(payload, audio.data() + prompt_pos_, take);
    std::memset(payload + take, law_ == G711Law::ulaw ? 0xff : 0xd5, kFrame - take);
    prompt_pos_ += take;
    if (prompt_pos_ >= audio.size() && loop_) {
      prompt_pos_ = 0;  // music on hold: round again (the loop's seam lands on a packet edge)
    } else if (prompt_pos_ >= audio.size()) {
      prompt_ = nullptr;
      MediaEvent e;
      e.kind = MediaEventKind::playback_done;
      e.id = id_;
      sink.emit(e);
    }
  } else {
    // G.711 silence: the codes of a zero sample.
    std::memset(payload, law_ == G711Law::ulaw ? 0xff : 0xd5, kFrame);
  }
  if (tap_) {
    // What we said, as the callee heard it (decoded from the packet: no second source of truth).
    int16_t pcm[kFrame];
    g711_decode(law_, {payload, kFrame}, pcm);
    tap_->push(record_key(), p_.record_id == 0, p_.record_stereo, RecordFrame::tx, pcm, kFrame);
  }
  size_t len = kHeader + kFrame;
  if (p_.srtp && !srtp_tx_.protect_rtp(out, len, cap)) return 0;
  ++tx_seq_;
  tx_ts_ += kFrame;
  ++counters_.sent;
  tx_octets_ += kFrame;
  return len;
}

size_t RtpStream::rtcp_report(uint8_t* out, size_t cap) {
  SenderInfo si;
  si.ntp = ntp_now();
  si.rtp_ts = tx_ts_;
  si.packets = counters_.sent;
  si.octets = tx_octets_;
  ReceptionReport rr;
  const bool have_rr = stats_.received() > 0;
  if (have_rr) {
    rr.ssrc = peer_ssrc_;
    rr.fraction_lost = stats_.take_fraction_lost();
    rr.cumulative_lost = stats_.lost();
    rr.extended_max_seq = stats_.extended_max();
    rr.jitter = uint32_t(stats_.jitter());
    if (peer_sr_at_ns_) {
      rr.lsr = peer_sr_middle_;
      rr.dlsr = uint32_t((wall_ns() - peer_sr_at_ns_) * 65536 / 1000000000ull);
    }
  }
  if (cap < SrtpSession::kMaxTrailer + 4) return 0;
  size_t len = build_rtcp_report({out, cap - SrtpSession::kMaxTrailer - 4}, ssrc_, &si, have_rr ? &rr : nullptr, "hark");
  if (len && p_.srtp && !srtp_tx_.protect_rtcp(out, len, cap)) return 0;
  return len;
}

void RtpStream::close(EventSink& sink) {
  if (amd_ && !amd_->has_verdict()) {
    amd::Event ev[amd::Classifier::kMaxEvents];
    emit_amd(amd_->finish(ev), ev, wall_ns(), sink);
  }
  if (tap_) tap_->end(record_key(), p_.record_id == 0, p_.record_stereo);
  MediaEvent e;
  e.kind = MediaEventKind::ended;
  e.id = id_;
  e.stats = stats();
  sink.emit(e);
}

void RtpStream::continue_from(RtpStream& old) {
  ssrc_ = old.ssrc_;
  tx_seq_ = old.tx_seq_;
  tx_ts_ = old.tx_ts_;
  tx_octets_ = old.tx_octets_;
  counters_ = old.counters_;
  stats_ = old.stats_;
  peer_ssrc_ = old.peer_ssrc_;
  peer_sr_middle_ = old.peer_sr_middle_;
  peer_sr_at_ns_ = old.peer_sr_at_ns_;
  last_payload_ = old.last_payload_;
  prompt_ = old.prompt_;
  prompt_pos_ = old.prompt_pos_;
  loop_ = old.loop_;
  // The AMD goes on listening where it was (a re-INVITE before the verdict); a stream that no
  // longer asks for it (a held call) drops it.
  if (amd_ && old.amd_) {
    amd_ = std::move(old.amd_);
    std::memcpy(frame_, old.frame_, sizeof frame_);
    frame_fill_ = old.frame_fill_;
  }
}

StreamStats RtpStream::stats() const {
  StreamStats s = counters_;
  s.received = stats_.received();
  s.lost = stats_.lost();
  s.duplicates = stats_.duplicates();
  s.reordered = stats_.reordered();
  s.jitter_ms = float(stats_.jitter() / 8.0);
  return s;
}

}  // namespace hark::media
