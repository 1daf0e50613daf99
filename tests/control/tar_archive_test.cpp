// The QA export's tar writer (read back by the system's tar) and the recording share rule.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "control/api/tar_archive.h"
#include "control/campaign/runner_rules.h"

namespace hark::control {
namespace {

TEST(TarArchive, SystemTarExtractsWhatWasAdded) {
  const auto dir = std::filesystem::temp_directory_path() / ("hark-tar-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  TarArchive t;
  const std::string big(1300, 'x');
  t.add("manifest.tsv", "file\tlabel\n");
  t.add("recordings/12.wav", big);
  t.add("empty", "");
  const auto bytes = t.finish();
  EXPECT_EQ(bytes.size() % 512, 0u);
  std::ofstream(dir / "a.tar", std::ios::binary) << bytes;
  ASSERT_EQ(std::system(("tar -xf " + (dir / "a.tar").string() + " -C " + dir.string()).c_str()), 0);
  std::ifstream f(dir / "recordings/12.wav", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(f), {}), big);
  EXPECT_EQ(std::filesystem::file_size(dir / "manifest.tsv"), 11u);
  EXPECT_EQ(std::filesystem::file_size(dir / "empty"), 0u);
  std::filesystem::remove_all(dir);
  EXPECT_THROW(TarArchive().add(std::string(101, 'n'), "x"), std::invalid_argument);
}

TEST(RecordingShare, OffAllAndAPercentageOfAttempts) {
  int picked = 0;
  for (long long id = 1; id <= 10000; ++id) {
    EXPECT_FALSE(records_attempt(0, id));
    EXPECT_TRUE(records_attempt(100, id));
    picked += records_attempt(25, id);
    EXPECT_EQ(records_attempt(25, id), records_attempt(25, id));  // the same choice each time
  }
  EXPECT_NEAR(picked, 2500, 150);
}

TEST(RecordingShare, TheCallOfARecordingCampaignIsRecordedByAttemptId) {
  CampaignPlan plan;
  plan.settings.pilot_number = "5000";
  auto req = call_request(plan, "5551234", 77);
  EXPECT_EQ(req.record_id, 0u);  // recording off by default
  plan.settings.recording_percent = 100;
  plan.settings.recording_channels = "stereo";
  req = call_request(plan, "5551234", 77);
  EXPECT_EQ(req.record_id, 77u);
  EXPECT_TRUE(req.record_stereo);
  EXPECT_FALSE(req.record_early_media);  // a campaign's recording starts at the answer
}

}  // namespace
}  // namespace hark::control
