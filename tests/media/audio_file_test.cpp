#include "media/audio_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "media/g711.h"
#include "test_audio.h"

using namespace hark;

namespace {
std::string tmp(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("hark-test-" + std::to_string(::getpid()) + "-" + name)).string();
}

// Writes a classic pcap (Ethernet) with one RTP/UDP/IPv4 packet per 20 ms of `pcm`,
// skipping the packets whose index is in `drop` and swapping the order of packets 3 and 4.
void write_pcap(const std::string& path, const std::vector<int16_t>& pcm, media::G711Law law,
                std::vector<int> drop) {
  std::ofstream f(path, std::ios::binary);
  auto put = [&](const void* p, size_t n) { f.write(static_cast<const char*>(p), std::streamsize(n)); };
  const uint32_t ghdr[] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
  put(ghdr, sizeof ghdr);  // magic, version 2.4, zone, sigfigs, snaplen, Ethernet
  std::vector<std::vector<uint8_t>> frames;
  for (size_t k = 0; k * 160 < pcm.size(); ++k) {
    std::vector<uint8_t> rtp = {0x80, uint8_t(law == media::G711Law::ulaw ? 0 : 8), uint8_t(k >> 8), uint8_t(k),
                                uint8_t((k * 160) >> 24), uint8_t((k * 160) >> 16), uint8_t((k * 160) >> 8), uint8_t(k * 160),
                                1, 2, 3, 4};
    const size_t n = std::min<size_t>(160, pcm.size() - k * 160);
    std::vector<uint8_t> g(n);
    media::g711_encode(law, {pcm.data() + k * 160, n}, g.data());
    rtp.insert(rtp.end(), g.begin(), g.end());
    std::vector<uint8_t> pkt(14, 0);
    pkt[12] = 0x08;
    const uint16_t ip_len = uint16_t(20 + 8 + rtp.size());
    uint8_t ip[20] = {0x45, 0, uint8_t(ip_len >> 8), uint8_t(ip_len), 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1};
    pkt.insert(pkt.end(), ip, ip + 20);
    const uint16_t ulen = uint16_t(8 + rtp.size());
    uint8_t udp[8] = {0x4e, 0x20, 0x4e, 0x22, uint8_t(ulen >> 8), uint8_t(ulen), 0, 0};
    pkt.insert(pkt.end(), udp, udp + 8);
    pkt.insert(pkt.end(), rtp.begin(), rtp.end());
    frames.push_back(pkt);
  }
  if (frames.size() > 4) std::swap(frames[3], frames[4]);
  for (size_t k = 0; k < frames.size(); ++k) {
    if (std::find(drop.begin(), drop.end(), int(k)) != drop.end()) continue;
    const uint32_t rec[] = {uint32_t(k), 0, uint32_t(frames[k].size()), uint32_t(frames[k].size())};
    put(rec, 16);
    put(frames[k].data(), frames[k].size());
  }
}
}  // namespace

TEST(AudioFile, WavRoundTrip) {
  std::vector<int16_t> s;
  test::add_tone(s, {1000}, 100, -10);
  const auto path = tmp("a.wav");
  ASSERT_EQ(media::write_wav(path, s), "");
  std::vector<int16_t> back;
  ASSERT_EQ(media::read_audio(path, back), "");
  EXPECT_EQ(back, s);
  std::remove(path.c_str());
}

TEST(AudioFile, WrongRateIsRejectedWithAClearMessage) {
  const auto path = tmp("b.wav");
  std::vector<int16_t> s(1600, 0);
  ASSERT_EQ(media::write_wav(path, s, 16000), "");
  std::vector<int16_t> back;
  const auto err = media::read_audio(path, back);
  EXPECT_NE(err.find("16000 Hz"), std::string::npos) << err;
  EXPECT_NE(err.find("8000"), std::string::npos) << err;
  std::remove(path.c_str());
}

TEST(AudioFile, GarbageAndTruncatedFilesGiveErrors) {
  const auto path = tmp("c.wav");
  std::ofstream(path) << "RIFF\x10\0\0\0WAVEjunk";
  std::vector<int16_t> back;
  EXPECT_NE(media::read_audio(path, back), "");
  std::ofstream(path) << "not audio at all";
  EXPECT_NE(media::read_audio(path, back), "");
  EXPECT_NE(media::read_audio(tmp("missing.wav"), back), "");
  const auto txt = tmp("d.txt");
  std::ofstream(txt) << "hello";
  EXPECT_NE(media::read_audio(txt, back).find("unknown file type"), std::string::npos);
  std::remove(path.c_str());
  std::remove(txt.c_str());
}

TEST(AudioFile, RawG711) {
  std::vector<int16_t> s;
  test::add_tone(s, {700}, 60, -12);
  std::vector<uint8_t> u(s.size());
  media::g711_encode(media::G711Law::ulaw, s, u.data());
  const auto path = tmp("e.ul");
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<char*>(u.data()), std::streamsize(u.size()));
  std::vector<int16_t> back;
  ASSERT_EQ(media::read_audio(path, back), "");
  ASSERT_EQ(back.size(), s.size());
  for (size_t i = 0; i < s.size(); ++i) EXPECT_NEAR(back[i], s[i], std::abs(s[i]) / 16 + 8);
  std::remove(path.c_str());
}

TEST(AudioFile, PcapRtpIsPlacedByTimestampWithGapsSilent) {
  std::vector<int16_t> s;
  test::add_tone(s, {500}, 200, -10);  // 10 packets
  const auto path = tmp("f.pcap");
  write_pcap(path, s, media::G711Law::alaw, {6});
  std::vector<int16_t> back;
  ASSERT_EQ(media::read_audio(path, back), "");
  ASSERT_EQ(back.size(), s.size());
  // Packet 6 was lost: silence; packets 3 and 4 arrived swapped: still in place.
  for (size_t i = 6 * 160; i < 7 * 160; ++i) EXPECT_EQ(back[i], 0);
  for (size_t i = 3 * 160; i < 5 * 160; ++i) EXPECT_NEAR(back[i], s[i], std::abs(s[i]) / 16 + 16);
  std::remove(path.c_str());
}

TEST(AudioFile, ReadsSippsG711aCapture) {
  std::vector<int16_t> back;
  ASSERT_EQ(media::read_audio("/usr/share/sip-tester/g711a.pcap", back), "");
  EXPECT_GT(back.size(), 8000u);  // several seconds of A-law audio
}

TEST(AudioFile, CaptureWithoutRtpIsAnError) {
  const auto path = tmp("g.pcap");
  write_pcap(path, {}, media::G711Law::ulaw, {});
  std::vector<int16_t> back;
  EXPECT_NE(media::read_audio(path, back).find("no G.711"), std::string::npos);
  std::remove(path.c_str());
}
