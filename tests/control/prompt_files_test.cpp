// Prompt files without a database: what an upload must be, and what the runner will load.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "control/campaign/prompt_files.h"
#include "media/audio_file.h"
#include "media/g711.h"

using namespace hark;
using control::PromptEncoding;

namespace {

namespace fs = std::filesystem;

std::string wav_bytes(const std::vector<int16_t>& pcm, int rate = 8000) {
  const auto path = fs::temp_directory_path() / ("hark-prompt-files-" + std::to_string(::getpid()) + ".wav");
  EXPECT_EQ(media::write_wav(path.string(), pcm, rate), "");
  std::ifstream f(path, std::ios::binary);
  std::string b((std::istreambuf_iterator<char>(f)), {});
  fs::remove(path);
  return b;
}

TEST(PromptFiles, ContentTypesNameTheEncoding) {
  EXPECT_EQ(control::prompt_encoding("audio/wav"), PromptEncoding::wav);
  EXPECT_EQ(control::prompt_encoding("Audio/X-WAV; charset=binary"), PromptEncoding::wav);
  EXPECT_EQ(control::prompt_encoding("audio/basic"), PromptEncoding::ulaw);
  EXPECT_EQ(control::prompt_encoding("audio/PCMA"), PromptEncoding::alaw);
  EXPECT_FALSE(control::prompt_encoding("application/json"));
  EXPECT_FALSE(control::prompt_encoding(""));
}

TEST(PromptFiles, AnUploadMustBeWholeShortEnough8kHzAudio) {
  std::vector<int16_t> pcm;
  const auto good = wav_bytes(std::vector<int16_t>(8000, 500));
  EXPECT_EQ(control::decode_prompt_upload(good, PromptEncoding::wav, pcm), "");
  EXPECT_EQ(pcm.size(), 8000u);
  EXPECT_NE(control::decode_prompt_upload(good.substr(0, 3000), PromptEncoding::wav, pcm).find("truncated"), std::string::npos);
  EXPECT_NE(control::decode_prompt_upload("plain text", PromptEncoding::wav, pcm), "");
  EXPECT_NE(control::decode_prompt_upload(wav_bytes(std::vector<int16_t>(44100), 44100), PromptEncoding::wav, pcm), "");
  EXPECT_NE(control::decode_prompt_upload(good, PromptEncoding::ulaw, pcm), "");  // a WAV is not raw G.711
  EXPECT_NE(control::decode_prompt_upload(std::string(100, '\xff'), PromptEncoding::ulaw, pcm), "");  // 12 ms
  // Raw G.711: 300 s is the longest prompt; one second more is refused, as is more than 10 MiB.
  EXPECT_EQ(control::decode_prompt_upload(std::string(8000 * 300, '\xff'), PromptEncoding::alaw, pcm), "");
  EXPECT_NE(control::decode_prompt_upload(std::string(8000 * 301, '\xff'), PromptEncoding::alaw, pcm).find("300 s"), std::string::npos);
  EXPECT_NE(control::decode_prompt_upload(std::string(control::kMaxPromptUploadBytes + 1, '\xff'), PromptEncoding::ulaw, pcm)
                .find("10 MiB"), std::string::npos);
}

TEST(PromptFiles, TheRunnerLoadsOnlyABoundedRegularWavFromThePromptsFolder) {
  const auto dir = fs::temp_directory_path() / ("hark-prompt-load-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  long long size = 0;
  std::vector<int16_t> pcm(4000, 100);
  ASSERT_EQ(control::store_prompt_file(dir.string(), 1, pcm, size), "");
  EXPECT_EQ(size, 44 + 8000);
  std::vector<int16_t> got;
  EXPECT_EQ(control::load_prompt_file(dir.string(), 1, got), "");
  EXPECT_EQ(got, pcm);
  EXPECT_NE(control::load_prompt_file(dir.string(), 2, got), "");  // missing
  EXPECT_NE(control::load_prompt_file("", 1, got), "");            // no folder configured
  fs::create_directories(dir / control::prompt_file_name(3));
  EXPECT_NE(control::load_prompt_file(dir.string(), 3, got).find("not a regular file"), std::string::npos);
  fs::create_symlink("/dev/zero", dir / control::prompt_file_name(4));
  EXPECT_NE(control::load_prompt_file(dir.string(), 4, got), "");
  ASSERT_EQ(::mkfifo((dir / control::prompt_file_name(5)).c_str(), 0600), 0);
  EXPECT_NE(control::load_prompt_file(dir.string(), 5, got).find("not a regular file"), std::string::npos);
  std::ofstream(dir / control::prompt_file_name(6)) << "RIFF";
  fs::resize_file(dir / control::prompt_file_name(6), control::kMaxPromptFileBytes + 1);
  EXPECT_NE(control::load_prompt_file(dir.string(), 6, got).find("more than a prompt can"), std::string::npos);
  control::remove_prompt_file(dir.string(), 1);
  EXPECT_FALSE(fs::exists(dir / control::prompt_file_name(1)));
  fs::remove_all(dir);
}

}  // namespace
