// The per-call media logic, packet by packet, without sockets.
#include "media/rtp_stream.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>

#include "amd/replay.h"
#include "media/g711.h"
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
  // RTCP too: A's report reaches B and is understood.
  len = sa.rtcp_report(buf, sizeof buf);
  ASSERT_GT(len, 0u);
  sb.on_rtcp(buf, len, addr("127.0.0.1", 40001), sink);
  EXPECT_EQ(sb.stats().malformed, 0u);
  EXPECT_EQ(sb.stats().srtp_failures, 1u);
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
