// The media engine over real loopback sockets.
#include "media/media_engine.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iterator>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "amd/replay.h"
#include "media/audio_file.h"
#include "media/g711.h"
#include "media/rtcp.h"
#include "tests/support/load_generator.h"
#include "test_audio.h"
#include "test_paths.h"

using namespace hark;
using namespace hark::media;

namespace {
StreamParams params_from(const sockaddr_in& peer, uint8_t pt = 0) {
  StreamParams p;
  std::memcpy(&p.remote, &peer, sizeof peer);
  p.remote_len = sizeof peer;
  p.payload_type = pt;
  return p;
}

// A non-blocking UDP socket on a free loopback port, standing for the peer; `at` is its address.
int bound_peer(sockaddr_in& at) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  at = loopback(0);
  socklen_t len = sizeof at;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&at), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

// Collects events until `done()` or `seconds` pass.
template <class Done>
void pump(MediaEngine& e, std::vector<MediaEvent>& out, double seconds, Done done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::vector<pollfd> p;
  for (int fd : e.event_fds()) p.push_back({fd, POLLIN, 0});
  while (std::chrono::steady_clock::now() < until && !done()) {
    ::poll(p.data(), p.size(), 20);
    e.drain_events([&](const MediaEvent& ev) { out.push_back(ev); });
  }
}

// Test ports stay out of the kernel's ephemeral range (32768-60999 here), where any bind to
// port 0 could take them, and each test family has its own range so ctest runs them side by
// side: SIP calls 2000-16999, sipp interop 17000-26999, load-test CLI 27000-28999 and
// 61000-64999, media engine 29000-32699. Here each test has its own block (`slot`): blocks
// picked by pid could coincide between two test processes.
MediaEngineOptions options(int streams, int slot) {
  MediaEngineOptions o;
  o.workers = 2;
  o.port_min = uint16_t(29000 + slot * 300);
  o.port_max = uint16_t(o.port_min + 2 * streams + 40);
  o.max_streams = size_t(streams) + 8;
  return o;
}
}  // namespace

TEST(MediaEngine, HundredStreamsGetTheOfflineVerdicts) {
  const char* dir = std::getenv("HARK_CORPUS") ? std::getenv("HARK_CORPUS") : hark::test::kCorpusDir;
  std::ifstream m(std::string(dir) + "/manifest.tsv");
  ASSERT_TRUE(m) << "corpus missing";
  std::string line;
  std::getline(m, line);
  // Every 4th file: a mix of humans, machines with beeps, fax, SIT and dead air.
  std::vector<std::string> files;
  for (int i = 0; std::getline(m, line); ++i)
    if (i % 4 == 0 && files.size() < 100) files.push_back(std::string(dir) + "/" + line.substr(0, line.find('\t')));
  ASSERT_EQ(files.size(), 100u);

  // What the engine will hear is each file's μ-law round trip: replay that offline.
  std::vector<std::vector<uint8_t>> audio(files.size());
  std::vector<amd::ReplayResult> offline(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    std::vector<int16_t> pcm;
    ASSERT_EQ(media::read_audio(files[i], pcm), "");
    pcm.resize(pcm.size() / 160 * 160);
    audio[i].resize(pcm.size());
    g711_encode(G711Law::ulaw, pcm, audio[i].data());
    g711_decode(G711Law::ulaw, audio[i], pcm.data());
    offline[i] = amd::replay(pcm, amd::Params::hark_defaults());
  }

  MediaEngine engine(options(100, 0));
  // Run on both paths (ctest runs this once more with HARK_MEDIA_IO=epoll): check we got the
  // one asked for.
  RecordProperty("io_path", engine.io_path());
  if (io_mode_from_env() == IoMode::uring) {
    EXPECT_EQ(engine.io_path(), "io_uring") << engine.io_fallback_reason();
  } else if (io_mode_from_env() == IoMode::epoll) {
    EXPECT_EQ(engine.io_path(), "epoll");
  }
  LoadOptions lo;
  lo.interval_us = 5000;  // 4x real time: the AMD needs the packets, not the wall clock
  // Two sender threads, as the benchmark runs it: their SO_REUSEPORT sockets must look like
  // one peer (the engine latches to it: `foreign` stays 0) and their replies all be counted.
  lo.threads = 2;
  LoadGenerator gen(lo);
  std::vector<LoadStream> targets(files.size());
  std::map<StreamId, size_t> index;
  for (size_t i = 0; i < files.size(); ++i) {
    auto r = engine.open(params_from(gen.local()));
    ASSERT_TRUE(r.ok()) << r.error;
    index[r.id] = i;
    targets[i] = {loopback(r.port), &audio[i], 0};
  }
  gen.set_streams(targets);
  std::atomic<bool> sent_all{false};
  std::thread sender([&] {
    gen.run();
    sent_all = true;
  });
  std::vector<MediaEvent> events;
  pump(engine, events, 120, [&] { return sent_all.load(); });
  sender.join();
  // Close at once: a worker reads what is still queued on a socket before it closes it, so
  // the final statistics below count every packet the kernel accepted. A worker that fell so
  // far behind that its sockets overflowed shows it as fewer packets received than sent.
  for (auto& [id, i] : index) engine.close(id);
  pump(engine, events, 30, [&] { return engine.open_streams() == 0; });
  ASSERT_EQ(engine.open_streams(), 0u);

  std::map<size_t, MediaEvent> verdict, beep, ended;
  for (auto& e : events) {
    const size_t i = index.at(e.id);
    if (e.kind == MediaEventKind::amd && e.amd.kind == amd::EventKind::verdict) verdict.emplace(i, e);
    if (e.kind == MediaEventKind::amd && e.amd.kind == amd::EventKind::beep) beep.emplace(i, e);
    if (e.kind == MediaEventKind::ended) ended.emplace(i, e);
  }
  int same = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    ASSERT_TRUE(verdict.count(i)) << files[i];
    EXPECT_EQ(verdict[i].amd.verdict, offline[i].verdict.verdict) << files[i];
    EXPECT_EQ(verdict[i].amd.at_ms, offline[i].verdict.at_ms) << files[i];
    EXPECT_EQ(beep.count(i) > 0, offline[i].has_beep) << files[i];
    if (beep.count(i) && offline[i].has_beep) {
      EXPECT_EQ(beep[i].amd.beep_onset_ms, offline[i].beep.beep_onset_ms);
    }
    ASSERT_TRUE(ended.count(i)) << files[i];
    ASSERT_GT(gen.sent_per_stream()[i], 0u) << files[i];
    EXPECT_EQ(ended[i].stats.received, gen.sent_per_stream()[i]) << files[i];
    EXPECT_EQ(ended[i].stats.lost, 0u) << files[i];
    EXPECT_EQ(ended[i].stats.foreign + ended[i].stats.malformed, 0u) << files[i];
    same += verdict[i].amd.verdict == offline[i].verdict.verdict;
  }
  EXPECT_EQ(same, 100);
  EXPECT_EQ(engine.events_dropped(), 0u);
  // The engine sent silence back on every stream while it was open.
  EXPECT_GT(gen.received(), 100u);
}

TEST(MediaEngine, PromptPlaysPacedAndPortsAreReused) {
  MediaEngine engine(options(4, 1));
  sockaddr_in pa;
  const int peer = bound_peer(pa);
  ASSERT_GE(peer, 0);

  auto r = engine.open(params_from(pa, 8));
  ASSERT_TRUE(r.ok()) << r.error;
  std::vector<int16_t> pcm;
  test::add_tone(pcm, {700}, 600, -12);
  const Prompt prompt = Prompt::from_pcm(pcm);
  // Drain the silence sent so far, then play.
  uint8_t buf[2048];
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  while (::recv(peer, buf, sizeof buf, 0) > 0) {}
  ASSERT_TRUE(engine.play(r.id, &prompt));
  std::vector<MediaEvent> events;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::vector<uint8_t>> got;
  pump(engine, events, 5, [&] {
    for (ssize_t n; (n = ::recv(peer, buf, sizeof buf, 0)) > 0;) got.emplace_back(buf, buf + n);
    for (auto& e : events) if (e.kind == MediaEventKind::playback_done) return true;
    return false;
  });
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(60));  // the last packets in flight
  for (ssize_t n; (n = ::recv(peer, buf, sizeof buf, 0)) > 0;) got.emplace_back(buf, buf + n);
  // 600 ms of prompt is 30 packets, one per 20 ms tick, not a burst. A stalled worker may
  // catch up at most 5 ticks at once, so at least 25 tick intervals pass (less one for the
  // phase of the first tick). Only a lower bound: a loaded machine makes it longer, never shorter.
  EXPECT_GE(took, 24 * 0.020);
  size_t first = 0;
  while (first < got.size() && std::memcmp(got[first].data() + 12, prompt.alaw.data(), 160) != 0) ++first;
  ASSERT_LT(first + 30, got.size() + 1);
  for (size_t k = 0; k < 30 && first + k < got.size(); ++k) {
    EXPECT_EQ(got[first + k][1], 8);
    EXPECT_EQ(std::memcmp(got[first + k].data() + 12, prompt.alaw.data() + 160 * k, 160), 0) << k;
  }

  const uint16_t port = r.port;
  engine.close(r.id);
  pump(engine, events, 5, [&] { return engine.open_streams() == 0; });
  // Its sockets are closed: the port pair can be bound again.
  for (uint16_t p : {port, uint16_t(port + 1)}) {
    const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a = loopback(p);
    EXPECT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << p;
    ::close(s);
  }
  // And the engine hands every port out again: open as many streams as it has port pairs.
  const size_t pairs = (options(4, 1).port_max - options(4, 1).port_min + 1) / 2;
  std::vector<uint16_t> seen;
  for (size_t i = 0; i < pairs; ++i) {
    auto s = engine.open(params_from(pa));
    if (!s.ok()) break;
    seen.push_back(s.port);
  }
  EXPECT_NE(std::find(seen.begin(), seen.end(), port), seen.end());
  ::close(peer);
}

TEST(MediaEngine, PacketsTheKernelRefusesAreCounted) {
  // The engine sends silence on every open stream. A peer on loopback takes it; the broadcast
  // address, which a socket without SO_BROADCAST may not send to, refuses every packet
  // (EACCES), on either I/O path: sendto fails, or the ring's send completes with the error.
  MediaEngine engine(options(2, 9));  // blocks 6-8 are media_io_path_test.cpp's
  sockaddr_in pa;
  const int peer = bound_peer(pa);
  ASSERT_GE(peer, 0);
  auto good = engine.open(params_from(pa));
  ASSERT_TRUE(good.ok()) << good.error;
  std::vector<MediaEvent> events;
  uint8_t buf[2048];
  int received = 0;
  pump(engine, events, 10, [&] {
    while (::recv(peer, buf, sizeof buf, 0) > 0) ++received;
    return received >= 5;
  });
  ASSERT_GE(received, 5);
  EXPECT_EQ(engine.send_errors(), 0u);

  sockaddr_in broadcast = loopback(9);
  broadcast.sin_addr.s_addr = htonl(INADDR_BROADCAST);
  auto refused = engine.open(params_from(broadcast));
  ASSERT_TRUE(refused.ok()) << refused.error;
  pump(engine, events, 10, [&] { return engine.send_errors() >= 5; });
  EXPECT_GE(engine.send_errors(), 5u) << engine.io_path();
  engine.close(good.id);
  engine.close(refused.id);
  pump(engine, events, 5, [&] { return engine.open_streams() == 0; });
  ::close(peer);
}

TEST(MediaEngine, RecordsReceivedAudioOffThePath) {
  const auto dir = std::filesystem::temp_directory_path() / ("hark-rec-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    auto o = options(2, 2);
    o.record_dir = dir.string();
    MediaEngine engine(o);
    LoadGenerator gen({});
    std::vector<int16_t> pcm;
    test::add_tone(pcm, {500}, 400, -10);
    std::vector<uint8_t> g(pcm.size());
    g711_encode(G711Law::ulaw, pcm, g.data());
    auto p = params_from(gen.local());
    p.record = true;
    p.send = false;  // only the received audio: the file must equal what was sent to us
    p.amd = false;
    auto r = engine.open(p);
    ASSERT_TRUE(r.ok());
    gen.set_streams({{loopback(r.port), &g, 0}});
    gen.run();  // returns when the last packet is sent
    // The close reads what is still queued, then the stream ends and the recorder writes.
    std::vector<MediaEvent> events;
    engine.close(r.id);
    pump(engine, events, 30, [&] { return engine.open_streams() == 0; });
    ASSERT_EQ(engine.open_streams(), 0u);
    const auto ended = std::find_if(events.begin(), events.end(), [](auto& e) { return e.kind == MediaEventKind::ended; });
    ASSERT_NE(ended, events.end());
    EXPECT_EQ(ended->stats.received, pcm.size() / 160);
    std::vector<int16_t> back;
    const auto path = (dir / ("stream-" + std::to_string(r.id) + ".wav")).string();
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (engine.recorder()->written() == 0 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_EQ(engine.recorder()->written(), 1u);
    ASSERT_EQ(media::read_audio(path, back), "");
    EXPECT_EQ(back.size(), pcm.size());
  }
  std::filesystem::remove_all(dir);
}

// Stereo, named by the caller's id: what we sent (a prompt) on the left, what came in on the
// right, each where it belongs; written whole after the close, never touching the worker.
TEST(MediaEngine, RecordsStereoByRecordIdWithBothDirections) {
  const auto dir = std::filesystem::temp_directory_path() / ("hark-rec-st-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    auto o = options(1, 2);
    o.record_dir = dir.string();
    MediaEngine engine(o);
    LoadGenerator gen({});
    std::vector<int16_t> pcm;
    test::add_tone(pcm, {500}, 600, -10);
    std::vector<uint8_t> g(pcm.size());
    g711_encode(G711Law::ulaw, pcm, g.data());
    std::vector<int16_t> said;
    test::add_tone(said, {1200}, 300, -10);
    const auto prompt = Prompt::from_pcm(said);
    auto p = params_from(gen.local());
    p.record = true;
    p.record_id = 4242;
    p.record_stereo = true;
    p.amd = false;
    auto r = engine.open(p);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(engine.play(r.id, &prompt));
    gen.set_streams({{loopback(r.port), &g, 0}});
    gen.run();
    std::vector<MediaEvent> events;
    engine.close(r.id);
    pump(engine, events, 30, [&] { return engine.open_streams() == 0; });
    ASSERT_TRUE(engine.recorder()->wait_idle(30000));
    EXPECT_EQ(engine.recorder()->written(), 1u);
    EXPECT_EQ(engine.recorder()->dropped(), 0u);
  }
  std::ifstream f(dir / "4242.wav", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(f)), {});
  ASSERT_GT(bytes.size(), 44u);
  EXPECT_EQ(bytes[22], 2);  // channels
  const auto* s = reinterpret_cast<const int16_t*>(bytes.data() + 44);
  const size_t frames = (bytes.size() - 44) / 4;
  double left = 0, right = 0;
  for (size_t i = 0; i < frames; ++i) {
    left += std::abs(s[2 * i]);
    right += std::abs(s[2 * i + 1]);
  }
  EXPECT_GE(frames, size_t(600 * 8));  // all that came in
  EXPECT_GT(left / frames, 100.0);     // the prompt went out
  EXPECT_GT(right / frames, 100.0);    // the tone came in
  std::filesystem::remove_all(dir);
}

TEST(MediaEngine, BindFailureIsReportedAtOpen) {
  auto o = options(1, 3);
  o.bind_ip = "203.0.113.7";  // TEST-NET-3: not an address of this machine
  MediaEngine engine(o);
  auto r = engine.open(StreamParams{});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("bind"), std::string::npos) << r.error;
}

// RTCP on the wire: an SR every rtcp_report_ticks ticks (here 100, 2 s, rather than the default
// 5 s: the test waits for two; the first spread by the slot over a fifth more), on the RTP port
// with rtcp-mux and on RTP port + 1 without; the peer's RR comes back as RTT and loss. Counted
// in RTP packets (ticks), not in seconds.
TEST(MediaEngine, SenderReportsOnScheduleMuxedOrNotAndReceiverReportsGiveRtt) {
  constexpr uint32_t kTicks = 100;
  auto o = options(2, 4);
  o.rtcp_report_ticks = int(kTicks);
  MediaEngine engine(o);
  auto bound = [](uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in a = loopback(port);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << port;
    return fd;
  };
  // The peers: one rtcp-mux (RTP and RTCP on one socket), one with RTCP on RTP port + 1.
  const uint16_t peer_port = uint16_t(29000 + 4 * 300 + 250);
  const int mux_fd = bound(peer_port), rtp_fd = bound(uint16_t(peer_port + 2)), rtcp_fd = bound(uint16_t(peer_port + 3));
  auto p_mux = params_from(loopback(peer_port));
  p_mux.rtcp_mux = true;
  p_mux.amd = false;
  auto p_plain = params_from(loopback(uint16_t(peer_port + 2)));
  p_plain.amd = false;
  const auto mux = engine.open(p_mux), plain = engine.open(p_plain);
  ASSERT_TRUE(mux.ok()) << mux.error;
  ASSERT_TRUE(plain.ok()) << plain.error;

  // On the mux socket, count RTP packets before each SR; on the other, RTCP must come on +1.
  std::vector<uint32_t> rtp_before_sr, sr_packets;  // RTP seen before SR k; SR k's packet count
  uint32_t rtp_seen = 0, mux_middle = 0, plain_sr = 0, plain_rtp = 0, plain_rtcp_on_rtp_port = 0, plain_middle = 0;
  uint8_t buf[2048];
  std::vector<MediaEvent> events;
  pump(engine, events, 60, [&] {
    for (ssize_t n; (n = ::recv(mux_fd, buf, sizeof buf, 0)) > 0;) {
      if (buf[1] == 200) {
        rtp_before_sr.push_back(rtp_seen);
        sr_packets.push_back(uint32_t(buf[20]) << 24 | uint32_t(buf[21]) << 16 | uint32_t(buf[22]) << 8 | buf[23]);
        mux_middle = uint32_t(buf[10]) << 24 | uint32_t(buf[11]) << 16 | uint32_t(buf[12]) << 8 | buf[13];
      } else {
        ++rtp_seen;
      }
    }
    for (ssize_t n; (n = ::recv(rtp_fd, buf, sizeof buf, 0)) > 0;) {
      if (buf[1] >= 192 && buf[1] <= 223) ++plain_rtcp_on_rtp_port;
      else ++plain_rtp;
    }
    for (ssize_t n; (n = ::recv(rtcp_fd, buf, sizeof buf, 0)) > 0;)
      if (buf[1] == 200) {
        ++plain_sr;
        plain_middle = uint32_t(buf[10]) << 24 | uint32_t(buf[11]) << 16 | uint32_t(buf[12]) << 8 | buf[13];
      }
    return rtp_before_sr.size() >= 2 && plain_sr >= 1;
  });
  ASSERT_GE(rtp_before_sr.size(), 2u) << "RTP packets seen: " << rtp_seen;
  ASSERT_GE(plain_sr, 1u);
  EXPECT_EQ(plain_rtcp_on_rtp_port, 0u);
  EXPECT_GT(plain_rtp, kTicks / 2);  // the RTP went to the RTP port, up to its first SR at least
  // The first SR after 100..119 ticks (a packet a tick), the next 100 ticks later; the SR's own
  // packet count agrees with what arrived. A worker that wakes late sends up to 5 frames at
  // once and the report after them, so a report can come up to 4 packets late; the next one
  // keeps to the grid. (Bounds 50 below: a worker stalled over 100 ms skips ticks it missed.)
  constexpr uint32_t kCatchUpLate = 4;
  EXPECT_GE(rtp_before_sr[0], kTicks - 50);
  EXPECT_LE(rtp_before_sr[0], kTicks + kTicks / 5 + kCatchUpLate);
  EXPECT_GE(rtp_before_sr[1] - rtp_before_sr[0], kTicks - 50);
  EXPECT_LE(rtp_before_sr[1] - rtp_before_sr[0], kTicks + kCatchUpLate);
  EXPECT_EQ(sr_packets[0], rtp_before_sr[0]);
  EXPECT_EQ(sr_packets[1], rtp_before_sr[1]);

  // The peers answer with an RR about the engine's stream: 25 % lost, LSR its last SR.
  auto ssrc_of = [&](int fd) {
    for (int tries = 0; tries < 500; ++tries) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n >= 12 && buf[1] < 192) return uint32_t(buf[8]) << 24 | uint32_t(buf[9]) << 16 | uint32_t(buf[10]) << 8 | buf[11];
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return uint32_t(0);
  };
  const uint32_t mux_ssrc = ssrc_of(mux_fd), plain_ssrc = ssrc_of(rtp_fd);
  ASSERT_NE(mux_ssrc, 0u);
  ASSERT_NE(plain_ssrc, 0u);
  auto send_rr = [&](int fd, uint32_t about, uint32_t lsr, uint16_t to) {
    ReceptionReport rr;
    rr.ssrc = about;
    rr.fraction_lost = 64;
    rr.lsr = lsr;
    rr.dlsr = 0;  // answered at once: the RTT is the time since that SR, never negative
    uint8_t out[256];
    const size_t len = build_rtcp_report(out, 0x77, nullptr, &rr, "peer");
    const sockaddr_in a = loopback(to);
    ASSERT_EQ(::sendto(fd, out, len, 0, reinterpret_cast<const sockaddr*>(&a), sizeof a), ssize_t(len));
  };
  send_rr(mux_fd, mux_ssrc, mux_middle, mux.port);                    // rtcp-mux: to the RTP port
  send_rr(rtcp_fd, plain_ssrc, plain_middle, uint16_t(plain.port + 1));  // else to RTP port + 1
  // An RR from the plain peer's RTP port is not from its RTCP address: ignored, counted.
  send_rr(rtp_fd, plain_ssrc, plain_middle, uint16_t(plain.port + 1));
  // The close reads the reports still queued; `ended` carries what they said.
  engine.close(mux.id);
  engine.close(plain.id);
  pump(engine, events, 30, [&] { return engine.open_streams() == 0; });
  ASSERT_EQ(engine.open_streams(), 0u);
  for (auto [id, foreign] : {std::pair{mux.id, 0u}, std::pair{plain.id, 1u}}) {
    const auto e = std::find_if(events.begin(), events.end(), [&](auto& ev) { return ev.kind == MediaEventKind::ended && ev.id == id; });
    ASSERT_NE(e, events.end());
    EXPECT_EQ(e->stats.peer_fraction_lost, 0.25f) << id;
    // The time since the SR, at most this test's run (a wrapped negative would be ~65536 s).
    EXPECT_GE(e->stats.rtt_ms, 0.0f) << id;
    EXPECT_LT(e->stats.rtt_ms, 120000.0f) << id;
    EXPECT_EQ(e->stats.foreign, foreign) << id;
  }
  for (int fd : {mux_fd, rtp_fd, rtcp_fd}) ::close(fd);
}

// A callee may send from the moment it answers, before the SIP thread has handled its 200 OK
// and told the stream the callee's address. That audio (a person's first "hello?") is kept and
// played into the stream once the address is known; another sender's still counts as foreign.
TEST(MediaEngine, RtpBeforeThePeerIsKnownIsPlayedOnceItIs) {
  auto o = options(2, 5);
  o.workers = 1;  // the stream and the one that shows the worker has read (below) share it
  MediaEngine engine(o);
  auto bound = [] {
    sockaddr_in a;
    const int fd = bound_peer(a);
    EXPECT_GE(fd, 0);
    return std::pair{fd, a};
  };
  const auto [callee, callee_addr] = bound();
  const auto [stranger, stranger_addr] = bound();
  const auto [watch, watch_addr] = bound();
  StreamParams idle;  // as SipAgent opens a dialed call's stream: no peer yet
  idle.amd = false;
  const auto call = engine.open(idle);
  ASSERT_TRUE(call.ok()) << call.error;
  const auto unanswered = engine.open(idle);  // never learns a peer: what it got is foreign
  ASSERT_TRUE(unanswered.ok()) << unanswered.error;
  auto ticker = params_from(watch_addr);
  ticker.amd = false;
  const auto tick_stream = engine.open(ticker);
  ASSERT_TRUE(tick_stream.ok()) << tick_stream.error;

  auto send = [&](int fd, uint16_t seq, uint16_t port) {
    const sockaddr_in to = loopback(port);
    uint8_t pkt[172] = {0x80, 0x00, uint8_t(seq >> 8), uint8_t(seq), 0, 0, uint8_t(seq * 160 >> 8), uint8_t(seq * 160),
                        0x11, 0x22, 0x33, 0x44};
    std::memset(pkt + 12, 0xff, 160);
    ASSERT_EQ(::sendto(fd, pkt, sizeof pkt, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to), ssize_t(sizeof pkt));
  };
  for (uint16_t seq = 1; seq <= 10; ++seq) send(callee, seq, call.port);
  for (uint16_t seq = 100; seq < 103; ++seq) send(stranger, seq, call.port);
  for (uint16_t seq = 200; seq < 202; ++seq) send(stranger, seq, unanswered.port);
  // The worker reads its sockets at each tick, then sends: two packets of the other stream
  // sent after this point mean a whole tick has read what was sent above.
  uint8_t buf[2048];
  while (::recv(watch, buf, sizeof buf, 0) > 0) {}
  int ticks = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (ticks < 2 && std::chrono::steady_clock::now() < until) {
    pollfd p{watch, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) ticks += ::recv(watch, buf, sizeof buf, 0) > 0;
  }
  ASSERT_EQ(ticks, 2);
  // The 200 OK is handled: the stream learns its peer, then five more packets come.
  auto answered = params_from(callee_addr);
  answered.amd = false;
  ASSERT_TRUE(engine.update(call.id, answered));
  for (uint16_t seq = 11; seq <= 15; ++seq) send(callee, seq, call.port);
  std::vector<MediaEvent> events;
  // Closing reads what the socket still holds, then reports the stream's statistics.
  engine.close(call.id);
  engine.close(unanswered.id);
  auto ended_of = [&](StreamId id) {
    return std::find_if(events.begin(), events.end(), [&](const MediaEvent& e) { return e.kind == MediaEventKind::ended && e.id == id; });
  };
  pump(engine, events, 10, [&] { return ended_of(call.id) != events.end() && ended_of(unanswered.id) != events.end(); });
  const auto ended = ended_of(call.id);
  ASSERT_NE(ended, events.end());
  EXPECT_EQ(ended->stats.received, 15u) << "the ten packets sent before the answer was handled are lost";
  EXPECT_EQ(ended->stats.lost, 0u);
  EXPECT_EQ(ended->stats.foreign, 3u);
  const auto never = ended_of(unanswered.id);
  ASSERT_NE(never, events.end());
  EXPECT_EQ(never->stats.received, 0u);
  EXPECT_EQ(never->stats.foreign, 2u) << "held packets of a stream that never learnt its peer must still count";
  engine.close(tick_stream.id);
  for (int fd : {callee, stranger, watch}) ::close(fd);
}
