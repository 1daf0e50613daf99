// The per-call media logic, packet by packet, without sockets.
#include "media/rtp_stream.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include "amd/replay.h"
#include "media/g711.h"
#include "media/rtcp.h"
#include "test_audio.h"

using namespace hark;
using namespace hark::media;

namespace {
struct Sink : EventSink {
  std::vector<MediaEvent> events;
  void emit(const MediaEvent& e) override { events.push_back(e); }
  std::vector<MediaEvent> of(MediaEventKind k) const {
    std::vector<MediaEvent> v;
    for (auto& e : events) if (e.kind == k) v.push_back(e);
    return v;
  }
};

sockaddr_storage addr(const char* ip, uint16_t port) {
  sockaddr_storage ss{};
  auto& a = reinterpret_cast<sockaddr_in&>(ss);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return ss;
}

StreamParams params(uint8_t pt = 0) {
  StreamParams p;
  p.remote = addr("127.0.0.1", 40000);
  p.remote_len = sizeof(sockaddr_in);
  p.payload_type = pt;
  return p;
}

size_t packet(uint8_t* b, uint16_t seq, uint8_t pt, const uint8_t* payload, size_t n) {
  const uint32_t ts = uint32_t(seq) * 160;
  const uint8_t h[12] = {0x80, pt, uint8_t(seq >> 8), uint8_t(seq), uint8_t(ts >> 24), uint8_t(ts >> 16),
                         uint8_t(ts >> 8), uint8_t(ts), 0, 0, 0, 9};
  std::memcpy(b, h, 12);
  std::memcpy(b + 12, payload, n);
  return 12 + n;
}

// Sends `pcm` as 20 ms packets in the given order of packet indexes (missing = lost).
void send_audio(RtpStream& s, Sink& sink, const std::vector<int16_t>& pcm, const std::vector<size_t>& order,
                G711Law law = G711Law::ulaw) {
  std::vector<uint8_t> g(pcm.size());
  g711_encode(law, pcm, g.data());
  const auto from = addr("127.0.0.1", 40000);
  uint8_t buf[256];
  for (size_t k : order) {
    const size_t len = packet(buf, uint16_t(k), law == G711Law::ulaw ? 0 : 8, g.data() + k * 160, 160);
    s.on_rtp(buf, len, from, wall_ns(), sink);
  }
}

std::vector<size_t> all(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}
}  // namespace

TEST(RtpStream, ForeignAndMalformedPacketsAreDroppedAndCounted) {
  RtpStream s(1, params());
  Sink sink;
  uint8_t buf[200], payload[160] = {};
  size_t len = packet(buf, 1, 0, payload, 160);
  s.on_rtp(buf, len, addr("127.0.0.2", 40000), 0, sink);  // other host
  s.on_rtp(buf, len, addr("127.0.0.1", 40002), 0, sink);  // other port
  EXPECT_EQ(s.stats().foreign, 2u);
  buf[0] = 0x40;
  s.on_rtp(buf, len, addr("127.0.0.1", 40000), 0, sink);
  s.on_rtp(buf, 5, addr("127.0.0.1", 40000), 0, sink);
  EXPECT_EQ(s.stats().malformed, 2u);
  buf[0] = 0x80;
  buf[1] = 18;  // G.729: not negotiated
  s.on_rtp(buf, len, addr("127.0.0.1", 40000), 0, sink);
  EXPECT_EQ(s.stats().other_payload, 1u);
  EXPECT_EQ(s.stats().received, 0u);
}

TEST(RtpStream, LiveVerdictEqualsOfflineReplayEvenWithReorderAndLoss) {
  std::vector<int16_t> pcm;
  test::add_silence(pcm, 300);
  test::add_babble(pcm, 4000, -20);
  test::add_silence(pcm, 400);
  test::add_tone(pcm, {1000}, 400, -20);
  test::add_silence(pcm, 2000);
  pcm.resize(pcm.size() / 160 * 160);
  const size_t n = pcm.size() / 160;
  // Swap neighbours now and then, lose packet 100 (inside the babble).
  std::vector<size_t> order;
  for (size_t i = 0; i < n; ++i) if (i != 100) order.push_back(i);
  for (size_t i = 10; i + 1 < order.size(); i += 37) std::swap(order[i], order[i + 1]);
  for (auto law : {G711Law::ulaw, G711Law::alaw}) {
    RtpStream s(7, params(law == G711Law::ulaw ? 0 : 8));
    Sink sink;
    send_audio(s, sink, pcm, order, law);
    // Offline: the same audio through the same codec, packet 100 zeroed.
    std::vector<uint8_t> g(pcm.size());
    std::vector<int16_t> offline(pcm.size());
    g711_encode(law, pcm, g.data());
    g711_decode(law, g, offline.data());
    std::fill(offline.begin() + 100 * 160, offline.begin() + 101 * 160, 0);
    const auto ref = amd::replay(offline, amd::Params::hark_defaults());
    const auto amd_events = sink.of(MediaEventKind::amd);
    ASSERT_EQ(amd_events.size(), 2u);
    EXPECT_EQ(amd_events[0].amd.verdict, ref.verdict.verdict);
    EXPECT_EQ(amd_events[0].amd.at_ms, ref.verdict.at_ms);
    EXPECT_STREQ(amd_events[0].amd.cause, ref.verdict.cause);
    ASSERT_TRUE(ref.has_beep);
    EXPECT_EQ(amd_events[1].amd.beep_onset_ms, ref.beep.beep_onset_ms);
    EXPECT_EQ(s.stats().lost, 1u);
    EXPECT_GT(s.stats().reordered, 0u);
  }
}

TEST(RtpStream, DtmfEventsBecomeDigits) {
  RtpStream s(1, params());
  Sink sink;
  uint8_t buf[64];
  const uint8_t ev[4] = {9, 0x80, 0, 160};
  for (int i = 0; i < 3; ++i) s.on_rtp(buf, packet(buf, uint16_t(1), 101, ev, 4), addr("127.0.0.1", 40000), 0, sink);
  const auto d = sink.of(MediaEventKind::dtmf);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].digit, '9');
}

TEST(RtpStream, TransmitPacingAndPromptPlayback) {
  RtpStream s(3, params());
  Sink sink;
  std::vector<int16_t> one_second;
  test::add_tone(one_second, {440}, 1000, -12);
  const Prompt prompt = Prompt::from_pcm(one_second);
  uint8_t buf[RtpStream::kMaxPacket];
  // Silence first: consecutive sequence numbers, timestamps 160 apart.
  size_t len = s.next_packet(buf, sizeof buf, sink);
  ASSERT_EQ(len, 172u);
  const uint16_t seq0 = uint16_t(buf[2] << 8 | buf[3]);
  const uint32_t ts0 = uint32_t(buf[4]) << 24 | uint32_t(buf[5]) << 16 | uint32_t(buf[6]) << 8 | buf[7];
  EXPECT_EQ(buf[12], 0xff);  // μ-law silence
  s.play(&prompt);
  int packets = 0;
  while (sink.of(MediaEventKind::playback_done).empty() && packets < 100) {
    len = s.next_packet(buf, sizeof buf, sink);
    ++packets;
    EXPECT_EQ(uint16_t(buf[2] << 8 | buf[3]), uint16_t(seq0 + packets));
    EXPECT_EQ(uint32_t(buf[4]) << 24 | uint32_t(buf[5]) << 16 | uint32_t(buf[6]) << 8 | buf[7], ts0 + 160u * uint32_t(packets));
    if (packets == 1) {
      EXPECT_EQ(std::memcmp(buf + 12, prompt.ulaw.data(), 160), 0);
    }
  }
  EXPECT_EQ(packets, 50);  // one second, 20 ms a packet
  s.next_packet(buf, sizeof buf, sink);
  EXPECT_EQ(buf[12], 0xff);  // back to silence
  EXPECT_EQ(s.stats().sent, 52u);
}

TEST(RtpStream, SrtpBetweenTwoStreams) {
  const SrtpKey a = srtp_random_key(), b = srtp_random_key();
  StreamParams pa = params(), pb = params();
  pa.srtp = pb.srtp = true;
  pa.srtp_tx_key = a; pa.srtp_rx_key = b;
  pb.srtp_tx_key = b; pb.srtp_rx_key = a;
  RtpStream sa(1, pa), sb(2, pb);
  Sink sink;
  uint8_t buf[RtpStream::kMaxPacket];
  for (int i = 0; i < 10; ++i) {
    const size_t len = sa.next_packet(buf, sizeof buf, sink);
    ASSERT_EQ(len, 182u);
    sb.on_rtp(buf, len, addr("127.0.0.1", 40000), wall_ns(), sink);
  }
  EXPECT_EQ(sb.stats().received, 10u);
  EXPECT_EQ(sb.stats().srtp_failures, 0u);
  size_t len = sa.next_packet(buf, sizeof buf, sink);
  buf[30] ^= 0x55;
  sb.on_rtp(buf, len, addr("127.0.0.1", 40000), wall_ns(), sink);
  EXPECT_EQ(sb.stats().srtp_failures, 1u);
  EXPECT_EQ(sb.stats().received, 10u);
  // RTCP too: A's report reaches B and is understood, and B's answer gives A the round trip
  // (never longer than the time between A's report and reading B's) and B's loss (none).
  EXPECT_LT(sa.stats().rtt_ms, 0);
  const auto t0 = std::chrono::steady_clock::now();
  len = sa.rtcp_report(buf, sizeof buf);
  ASSERT_GT(len, 0u);
  sb.on_rtcp(buf, len, addr("127.0.0.1", 40001), sink);
  EXPECT_EQ(sb.stats().malformed, 0u);
  EXPECT_EQ(sb.stats().srtp_failures, 1u);
  len = sb.rtcp_report(buf, sizeof buf);
  ASSERT_GT(len, 0u);
  sa.on_rtcp(buf, len, addr("127.0.0.1", 40001), sink);
  const double elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(sa.stats().srtp_failures, 0u);
  EXPECT_EQ(sa.stats().malformed, 0u);
  EXPECT_GE(sa.stats().rtt_ms, 0.0f);
  EXPECT_LE(sa.stats().rtt_ms, elapsed_ms + 0.05);  // NTP's 1/65536 s steps
  EXPECT_EQ(sa.stats().peer_fraction_lost, 0.0f);
}

namespace {
// A's RTP to B (packet `skip` lost on the way), then A's SR to B and B's report back to A.
struct Pair {
  RtpStream a, b;
  Sink sink;
  explicit Pair(StreamParams pa, StreamParams pb) : a(1, pa), b(2, pb) {}
  void rtp_a_to_b(int packets, int skip) {
    uint8_t buf[RtpStream::kMaxPacket];
    for (int i = 0; i < packets; ++i) {
      const size_t len = a.next_packet(buf, sizeof buf, sink);
      if (i != skip) b.on_rtp(buf, len, addr("127.0.0.1", 40000), wall_ns(), sink);
    }
  }
};
}  // namespace

TEST(RtpStream, ReceiverReportGivesRoundTripAndPeerLoss) {
  Pair p(params(), params());
  p.rtp_a_to_b(10, 5);  // B: 9 of 10, one lost
  uint8_t buf[RtpStream::kMaxPacket];
  const auto t0 = std::chrono::steady_clock::now();
  size_t len = p.a.rtcp_report(buf, sizeof buf);
  ASSERT_EQ(buf[1], 200);  // SR
  p.b.on_rtcp(buf, len, addr("127.0.0.1", 40001), p.sink);
  len = p.b.rtcp_report(buf, sizeof buf);
  ASSERT_GT(len, 0u);
  // B's report block about A: 1 lost of 10 is 25/256 (RFC 3550's fixed point).
  p.a.on_rtcp(buf, len, addr("127.0.0.1", 40001), p.sink);
  const double elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(p.a.stats().peer_fraction_lost, 25.0f / 256.0f);
  EXPECT_GE(p.a.stats().rtt_ms, 0.0f);
  EXPECT_LE(p.a.stats().rtt_ms, elapsed_ms + 0.05);

  // A report whose SR left 500 ms ago and was held 200 ms at the peer: 300 ms of round trip
  // (plus the microseconds this test takes), whatever the peer's clock says.
  // The clock starts before the LSR is taken: everything after it (stream set-up, building the
  // report; slow under ASan) adds to the round trip, and NTP's 1/65536 s units round it.
  const auto t1 = std::chrono::steady_clock::now();
  ReceptionReport block;
  block.ssrc = 0x5eed;
  block.fraction_lost = 64;
  block.lsr = uint32_t(ntp_now() >> 16) - 32768;  // 0.5 s ago
  block.dlsr = 13107;                              // 0.2 s
  StreamParams pa = params();
  pa.ssrc = 0x5eed;
  RtpStream a(9, pa);
  len = build_rtcp_report(buf, 0x77, nullptr, &block, "peer");
  a.on_rtcp(buf, len, addr("127.0.0.1", 40001), p.sink);
  const double elapsed2_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
  EXPECT_EQ(a.stats().peer_fraction_lost, 0.25f);
  EXPECT_GE(a.stats().rtt_ms, 300.0f - 0.05f);
  EXPECT_LE(a.stats().rtt_ms, 300.0 + elapsed2_ms + 0.1);
  // A report about another source changes nothing.
  RtpStream other(10, params());
  other.on_rtcp(buf, len, addr("127.0.0.1", 40001), p.sink);
  EXPECT_LT(other.stats().rtt_ms, 0.0f);
  EXPECT_LT(other.stats().peer_fraction_lost, 0.0f);
}

TEST(RtpStream, RtcpIsLatchedToThePeersRtcpAddress) {
  ReceptionReport block;
  block.ssrc = 0x5eed;
  block.fraction_lost = 128;
  block.lsr = uint32_t(ntp_now() >> 16) - 6554;  // 100 ms ago
  uint8_t buf[256];
  const size_t len = build_rtcp_report(buf, 0x77, nullptr, &block, "x");
  StreamParams p = params();  // peer RTP 127.0.0.1:40000, so its RTCP is :40001
  p.ssrc = 0x5eed;
  RtpStream s(1, p);
  Sink sink;
  for (auto from : {addr("127.0.0.2", 40001), addr("127.0.0.1", 40000), addr("127.0.0.1", 40003)}) {
    uint8_t copy[256];
    std::memcpy(copy, buf, len);
    s.on_rtcp(copy, len, from, sink);
  }
  EXPECT_EQ(s.stats().foreign, 3u);
  EXPECT_LT(s.stats().rtt_ms, 0.0f);
  EXPECT_LT(s.stats().peer_fraction_lost, 0.0f);
  s.on_rtcp(buf, len, addr("127.0.0.1", 40001), sink);
  EXPECT_EQ(s.stats().foreign, 3u);
  EXPECT_EQ(s.stats().peer_fraction_lost, 0.5f);
  EXPECT_GE(s.stats().rtt_ms, 100.0f - 0.05f);
}

TEST(RtpStream, RtcpMuxReportsArriveOnTheRtpPort) {
  ReceptionReport block;
  block.ssrc = 0x5eed;
  block.fraction_lost = 32;
  block.lsr = uint32_t(ntp_now() >> 16) - 6554;
  uint8_t buf[256], copy[256];
  const size_t len = build_rtcp_report(buf, 0x77, nullptr, &block, "x");
  StreamParams p = params();
  p.ssrc = 0x5eed;
  p.rtcp_mux = true;
  RtpStream mux(1, p);
  Sink sink;
  // From anyone but the peer's RTP address: dropped like foreign RTP.
  std::memcpy(copy, buf, len);
  mux.on_rtp(copy, len, addr("127.0.0.1", 40001), wall_ns(), sink);
  EXPECT_EQ(mux.stats().foreign, 1u);
  EXPECT_LT(mux.stats().peer_fraction_lost, 0.0f);
  // From the peer's RTP address: RTCP, not an RTP packet of a strange payload type.
  std::memcpy(copy, buf, len);
  mux.on_rtp(copy, len, addr("127.0.0.1", 40000), wall_ns(), sink);
  EXPECT_EQ(mux.stats().peer_fraction_lost, 0.125f);
  EXPECT_GE(mux.stats().rtt_ms, 100.0f - 0.05f);
  EXPECT_EQ(mux.stats().received, 0u);
  EXPECT_EQ(mux.stats().other_payload + mux.stats().malformed, 0u);
  // Without rtcp-mux the same datagram on the RTP port is no report.
  p.rtcp_mux = false;
  RtpStream plain(2, p);
  std::memcpy(copy, buf, len);
  plain.on_rtp(copy, len, addr("127.0.0.1", 40000), wall_ns(), sink);
  EXPECT_LT(plain.stats().peer_fraction_lost, 0.0f);
  EXPECT_LT(plain.stats().rtt_ms, 0.0f);
  EXPECT_EQ(plain.stats().received, 0u);
}

TEST(RtpStream, CloseGivesTheFinalVerdictAndStats) {
  RtpStream s(5, params());
  Sink sink;
  std::vector<int16_t> pcm(8000, 0);  // one second of digital silence: no verdict yet
  send_audio(s, sink, pcm, all(50));
  EXPECT_TRUE(sink.of(MediaEventKind::amd).empty());
  s.close(sink);
  const auto v = sink.of(MediaEventKind::amd);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].amd.verdict, amd::Verdict::silence);
  const auto end = sink.of(MediaEventKind::ended);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].stats.received, 50u);
}

// Music on hold (issue 16): a looped prompt starts again at its end, with no playback_done.
TEST(RtpStream, LoopedPromptPlaysAgainWithoutPlaybackDone) {
  RtpStream s(5, params());
  Sink sink;
  std::vector<int16_t> pcm;
  test::add_tone(pcm, {440}, 100, -12);  // 5 packets
  const Prompt prompt = Prompt::from_pcm(pcm);
  uint8_t buf[RtpStream::kMaxPacket];
  s.play(&prompt, true);
  for (int i = 0; i < 12; ++i) {
    s.next_packet(buf, sizeof buf, sink);
    EXPECT_EQ(std::memcmp(buf + 12, prompt.ulaw.data() + (i % 5) * 160, 160), 0) << "packet " << i;
  }
  EXPECT_TRUE(sink.of(MediaEventKind::playback_done).empty());
  s.stop_playback();
  s.next_packet(buf, sizeof buf, sink);
  EXPECT_EQ(buf[12], 0xff);
}

// MediaEngine::modify (a re-INVITE): the new stream goes on where the old one was: SSRC,
// sequence, timestamps, counters, and the prompt playing.
TEST(RtpStream, ContinueFromKeepsTheRunningState) {
  RtpStream old(6, params());
  Sink sink;
  std::vector<int16_t> pcm;
  test::add_tone(pcm, {440}, 200, -12);
  const Prompt prompt = Prompt::from_pcm(pcm);
  uint8_t buf[RtpStream::kMaxPacket];
  old.play(&prompt, true);
  for (int i = 0; i < 3; ++i) old.next_packet(buf, sizeof buf, sink);
  const uint16_t seq = uint16_t(buf[2] << 8 | buf[3]);
  const uint32_t ts = uint32_t(buf[4]) << 24 | uint32_t(buf[5]) << 16 | uint32_t(buf[6]) << 8 | buf[7];
  const uint32_t ssrc = uint32_t(buf[8]) << 24 | uint32_t(buf[9]) << 16 | uint32_t(buf[10]) << 8 | buf[11];
  StreamParams moved = params();
  moved.remote = addr("127.0.0.1", 40100);
  moved.amd = false;
  RtpStream next(6, moved);
  next.continue_from(old);
  next.next_packet(buf, sizeof buf, sink);
  EXPECT_EQ(uint16_t(buf[2] << 8 | buf[3]), uint16_t(seq + 1));
  EXPECT_EQ(uint32_t(buf[4]) << 24 | uint32_t(buf[5]) << 16 | uint32_t(buf[6]) << 8 | buf[7], ts + 160);
  EXPECT_EQ(uint32_t(buf[8]) << 24 | uint32_t(buf[9]) << 16 | uint32_t(buf[10]) << 8 | buf[11], ssrc);
  EXPECT_EQ(std::memcmp(buf + 12, prompt.ulaw.data() + 3 * 160, 160), 0) << "the prompt goes on";
  EXPECT_EQ(next.stats().sent, 4u);
  // Packets from the old address are foreign now.
  const uint8_t payload[160] = {};
  const size_t len = packet(buf, 1, 0, payload, sizeof payload);
  next.on_rtp(buf, len, addr("127.0.0.1", 40000), wall_ns(), sink);
  EXPECT_EQ(next.stats().foreign, 1u);
  EXPECT_EQ(next.stats().received, 0u);
}
