// The media engine over real loopback sockets.
#include "media/media_engine.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "amd/replay.h"
#include "media/audio_file.h"
#include "media/g711.h"
#include "tests/support/load_generator.h"
#include "test_audio.h"

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
  const char* dir = std::getenv("HARK_CORPUS") ? std::getenv("HARK_CORPUS") : HARK_CORPUS_DIR;
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
  LoadOptions lo;
  lo.interval_us = 5000;  // 4x real time: the AMD needs the packets, not the wall clock
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
  std::thread sender([&] { gen.run(); });
  std::vector<MediaEvent> events;
  pump(engine, events, 60, [&] { return gen.sent() > 0 && !sender.joinable(); });
  sender.join();
  pump(engine, events, 0.5, [] { return false; });  // the last packets
  for (auto& [id, i] : index) engine.close(id);
  pump(engine, events, 10, [&] { return engine.open_streams() == 0; });
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
    EXPECT_EQ(ended[i].stats.received, gen.sent_per_stream()[i]) << files[i];
    EXPECT_EQ(ended[i].stats.lost, 0u);
    same += verdict[i].amd.verdict == offline[i].verdict.verdict;
  }
  EXPECT_EQ(same, 100);
  EXPECT_EQ(engine.events_dropped(), 0u);
  // The engine sent silence back on every stream while it was open.
  EXPECT_GT(gen.received(), 100u);
}

TEST(MediaEngine, PromptPlaysPacedAndPortsAreReused) {
  MediaEngine engine(options(4, 1));
  const int peer = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  sockaddr_in pa = loopback(0);
  ASSERT_EQ(::bind(peer, reinterpret_cast<sockaddr*>(&pa), sizeof pa), 0);
  socklen_t len = sizeof pa;
  ::getsockname(peer, reinterpret_cast<sockaddr*>(&pa), &len);

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
  // catch up at most 5 ticks at once, so at least 25 tick intervals pass.
  EXPECT_GE(took, 0.4);
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
    p.amd = false;
    auto r = engine.open(p);
    ASSERT_TRUE(r.ok());
    gen.set_streams({{loopback(r.port), &g, 0}});
    gen.run();
    std::vector<MediaEvent> events;
    pump(engine, events, 0.3, [] { return false; });
    engine.close(r.id);
    pump(engine, events, 5, [&] { return engine.open_streams() == 0; });
    std::vector<int16_t> back;
    const auto path = (dir / ("stream-" + std::to_string(r.id) + ".wav")).string();
    for (int i = 0; i < 100 && engine.recorder()->written() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_EQ(media::read_audio(path, back), "");
    EXPECT_EQ(back.size(), pcm.size());
  }
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
