#include "media/audio_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "media/g711.h"
#include "test_audio.h"
#include "test_pcap.h"

using namespace hark;

namespace {
std::string tmp(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("hark-test-" + std::to_string(::getpid()) + "-" + name)).string();
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
  test::write_rtp_pcap(path, s, media::G711Law::alaw, {6}, true);
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
  test::write_rtp_pcap(path, {}, media::G711Law::ulaw);
  std::vector<int16_t> back;
  EXPECT_NE(media::read_audio(path, back).find("no G.711"), std::string::npos);
  std::remove(path.c_str());
}
