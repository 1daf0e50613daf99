#include "amd/vad.h"

#include <algorithm>
#include <cmath>

namespace hark::amd {

namespace {
// How fast the floor may move, in dB per 20 ms frame. Down fast: a pause shows the noise at
// once. Up slowly: a long greeting must not lift the floor to the level of speech, yet a real
// rise in line noise is followed within a couple of seconds.
constexpr float kDownStepDb = 3.0f;
constexpr float kRiseInVoiceDb = 0.05f;
constexpr float kRiseInNoiseDb = 0.5f;
// When the quietest frame of the last 2 s is this far above the floor, the floor climbs to it.
constexpr float kCatchUpGapDb = 3.0f;
constexpr float kCatchUpStepDb = 1.0f;
constexpr float kLowestFloorDb = -75.0f;
// A concealed lost packet fades out over 2-3 frames and the next packet brings the line back.
constexpr int kMaxBlipFrames = 3;
constexpr float kBlipDepthDb = 2.0f;
constexpr float kMinFadeDb = 8.0f;  // how far below the old floor a fade ends, at least
// The floor starts at the first frame's level, which may be a talker's: a fade is repaired
// only after 600 ms of audio (and not only once the 2 s window is full, as before 2026-12-03:
// concealments in the first two seconds left the floor 9-12 dB down, and dead air became a
// person; on the 2355 non-test files 2 dead-air files more, 200 ms instead of 600: 1 machine
// fewer still).
constexpr int kSettledBlocks = 3;
}  // namespace

float frame_power_db(std::span<const int16_t> samples) {
  if (samples.empty()) return kLostFrameDb;
  int64_t acc = 0;
  for (int16_t s : samples) acc += int32_t(s) * int32_t(s);
  if (acc == 0) return kLostFrameDb;
  double mean = double(acc) / double(samples.size());
  return float(10.0 * std::log10(mean / (32768.0 * 32768.0)));
}

bool Vad::rx(std::span<const int16_t> frame) {
  last_db_ = frame_power_db(frame);
  if (is_lost_frame(last_db_)) {  // a lost frame says nothing about the line's noise ...
    // ... and the frames that faded into it were a packet loss's concealment dying away, not
    // the line getting quieter: a floor left down there reads the line's noise as voice for
    // seconds (dead air called a person).
    if (dipping_) floor_db_ = floor_before_dip_;
    dipping_ = false;
    return false;
  }
  if (!started_) {
    floor_db_ = std::max(last_db_, kLowestFloorDb);
    started_ = true;
  }
  // A dip of at most three frames, each lower than the last and ending 8 dB or more under the
  // old floor, after which the line comes back at its old level: a concealed packet loss
  // fading out and the next packet arriving, not the line getting quieter (a floor left down
  // there reads the noise as voice for half a second). Speech's gaps wobble rather than fade.
  // Only once the floor has settled (kSettledBlocks).
  const bool settled = window_full_ || block_ >= kSettledBlocks;
  if (settled && dipping_ && fading_ && dip_last_db_ <= floor_before_dip_ - kMinFadeDb &&
      last_db_ >= floor_db_ && dip_frames_ <= kMaxBlipFrames &&
      last_db_ <= floor_before_dip_ + margin_db_)
    floor_db_ = floor_before_dip_;
  const bool voice = last_db_ > floor_db_ + margin_db_ && last_db_ > kQuietestVoiceDb;
  if (last_db_ < floor_db_) {
    // The fade is judged from its first frame clearly (kBlipDepthDb) under the old floor:
    // frames before it are the noise's own flicker, and need not fall 2 dB each.
    if (!dipping_) floor_before_dip_ = floor_db_, dip_frames_ = 0, fading_ = true;
    else if (dip_frames_ > 0) fading_ = fading_ && last_db_ < dip_last_db_ - kBlipDepthDb;
    dip_last_db_ = last_db_;
    dipping_ = true;
    dip_frames_ += last_db_ < floor_before_dip_ - kBlipDepthDb;  // not the noise's own flicker
    floor_db_ = std::max({last_db_, floor_db_ - kDownStepDb, kLowestFloorDb});
  } else {
    dipping_ = false;
    floor_db_ = std::min(last_db_, floor_db_ + (voice ? kRiseInVoiceDb : kRiseInNoiseDb));
  }

  float& bmin = block_min_[block_];
  bmin = in_block_ == 0 ? last_db_ : std::min(bmin, last_db_);
  if (++in_block_ == kBlockFrames) {
    in_block_ = 0;
    window_full_ |= block_ == kBlocks - 1;
    block_ = (block_ + 1) % kBlocks;
  }
  if (window_full_) {
    float window_min = block_min_[0];
    for (float m : block_min_) window_min = std::min(window_min, m);
    if (window_min > floor_db_ + kCatchUpGapDb) floor_db_ = std::min(window_min, floor_db_ + kCatchUpStepDb);
  }
  return voice;
}

}  // namespace hark::amd
