// The runner and voicemail prompts: a prompt is loaded only from the prompts folder by id, and
// one campaign whose prompt cannot be prepared (missing, damaged, a directory, a device, huge)
// is paused with the reason while the runner goes on serving every other campaign.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "control/campaign/prompt_files.h"
#include "media/audio_file.h"
#include "runner_harness.h"
#include "test_audio.h"

using namespace hark;

namespace {

namespace fs = std::filesystem;
using test::kDay;
using test::RunnerHarness;
using Numbers = std::vector<std::string>;

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("hark-runner-prompt-" + std::to_string(::getpid()));
  TempDir() { fs::remove_all(path), fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  fs::path file(long long id) const { return path / control::prompt_file_name(id); }
};

/// Campaign `bad` (group 1) plays prompt 41, made unusable by `spoil`; campaign `good` (group 2)
/// has no voicemail. Both are running with one lead each.
struct TwoGroups {
  TempDir dir;
  std::unique_ptr<RunnerHarness> h;
  long long bad = 0, good = 0;
  explicit TwoGroups(const std::function<void(const fs::path&)>& spoil) {
    spoil(dir.file(41));
    control::RunnerOptions o;
    o.prompts_dir = dir.path.string();
    h = std::make_unique<RunnerHarness>(o);
    auto& b = h->campaign();
    b.group_id = 1, b.voicemail_prompt_id = 41;
    bad = b.id;
    h->schedule(bad, kDay);
    h->lead(bad, "100");
    auto& g = h->campaign();
    g.group_id = 2;
    good = g.id;
    h->schedule(good, kDay);
    h->lead(good, "200");
  }
};

TEST(RunnerPrompts, AnUnusablePromptPausesItsCampaignAndAnotherGroupsCampaignDials) {
  const std::vector<std::pair<std::string, std::function<void(const fs::path&)>>> spoilers = {
      {"missing", [](const fs::path&) {}},
      {"not audio", [](const fs::path& p) { std::ofstream(p) << "this is not a WAV file\n"; }},
      {"truncated", [](const fs::path& p) {
         std::vector<int16_t> pcm(8000, 1000);
         ASSERT_EQ(media::write_wav(p.string(), pcm), "");
         fs::resize_file(p, 4000);  // its data chunk still announces 16000 bytes
       }},
      {"44.1 kHz", [](const fs::path& p) { ASSERT_EQ(media::write_wav(p.string(), std::vector<int16_t>(44100), 44100), ""); }},
      {"a directory", [](const fs::path& p) { fs::create_directories(p); }},
      {"a link to /dev/zero", [](const fs::path& p) { fs::create_symlink("/dev/zero", p); }},
      {"a pipe", [](const fs::path& p) { ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0); }},
      {"1 GiB", [](const fs::path& p) {  // sparse: it costs no disk, and must cost no memory
         std::ofstream(p) << "RIFF";
         fs::resize_file(p, size_t(1) << 30);
       }},
  };
  for (const auto& [what, spoil] : spoilers) {
    SCOPED_TRACE(what);
    TwoGroups t(spoil);
    auto& h = *t.h;
    h.tick();
    h.tick();
    EXPECT_EQ(h.take_dialed(), Numbers{"200"});
    EXPECT_EQ(h.d->campaigns[t.bad].state, "PAUSED");
    EXPECT_NE(h.d->last_error[t.bad].find("prompt 41"), std::string::npos) << h.d->last_error[t.bad];
    EXPECT_NE(h.d->last_error[t.bad].find("/api/v1/prompts"), std::string::npos) << h.d->last_error[t.bad];
    EXPECT_EQ(h.d->open_attempts(t.bad), 0);  // nothing of it was claimed or dialed
    EXPECT_FALSE(h.d->lead(h.d->leads[0].id).in_progress);
    EXPECT_EQ(h.d->campaigns[t.good].state, "STARTED");
    // The runner goes on: the good campaign's next lead is dialed too.
    h.lead(t.good, "201");
    h.tick();
    EXPECT_EQ(h.take_dialed(), Numbers{"201"});
  }
}

TEST(RunnerPrompts, AnyFailureToPrepareOneCampaignSkipsOnlyThatCampaign) {
  // Not a prompt: stored settings the runner cannot read. Skipped (and logged), not paused:
  // nothing says the campaign is wrong rather than this process.
  TwoGroups t([](const fs::path& p) { ASSERT_EQ(media::write_wav(p.string(), std::vector<int16_t>(8000)), ""); });
  auto& h = *t.h;
  h.d->campaigns[t.bad].amd_params = "{ not json";
  h.tick();
  EXPECT_EQ(h.take_dialed(), Numbers{"200"});
  EXPECT_EQ(h.d->campaigns[t.bad].state, "STARTED");
  h.d->campaigns[t.bad].amd_params = "{}";  // repaired: it dials again
  h.tick();
  EXPECT_EQ(h.take_dialed(), Numbers{"100"});
}

TEST(RunnerPrompts, AnUploadedPromptReachesTheCallRequest) {
  // What POST /prompts does with a raw μ-law body, then a campaign naming the prompt by id.
  TempDir dir;
  std::vector<int16_t> tone;
  test::add_tone(tone, {440}, 1200, -12);
  std::string ulaw(tone.size(), '\0');
  media::g711_encode(media::G711Law::ulaw, tone, reinterpret_cast<uint8_t*>(ulaw.data()));
  std::vector<int16_t> pcm;
  ASSERT_EQ(control::decode_prompt_upload(ulaw, control::PromptEncoding::ulaw, pcm), "");
  long long size = 0;
  ASSERT_EQ(control::store_prompt_file(dir.path.string(), 9, pcm, size), "");
  EXPECT_EQ(size, 44 + 2 * 9600);
  control::RunnerOptions o;
  o.prompts_dir = dir.path.string();
  RunnerHarness h(o);
  auto& c = h.campaign();
  c.voicemail_prompt_id = 9;
  h.schedule(c.id, kDay);
  h.lead(c.id, "300");
  h.tick();
  ASSERT_EQ(h.dialed.size(), 1u);
  const auto& plan = h.dialed[0].plan;
  ASSERT_EQ(plan.machine.kind, signaling::Reaction::Kind::voicemail);
  ASSERT_NE(plan.machine.prompt, nullptr);
  EXPECT_EQ(plan.machine.prompt->ms(), 1200u);
}

}  // namespace
