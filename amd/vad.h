// Voice activity with an adaptive noise floor.
//
// A fixed energy threshold (Asterisk's mean |sample| < 256) calls steady line noise "voice"
// and misses quiet talkers. This detector follows the noise floor instead: the floor drops
// quickly to quiet frames and climbs slowly through loud ones, and a frame is voice when it
// stands vad_margin_db above the floor. Speech always dips within two seconds; when nothing
// in the last two seconds came near the floor, the line itself got louder and the floor
// catches up with the window's minimum.
#pragma once

#include <cstdint>
#include <span>

namespace hark::amd {

/// What frame_power_db gives digital silence: a lost packet the jitter buffer zeroed.
inline constexpr float kLostFrameDb = -120.0f;
/// True for a frame of digital silence (a lost packet), by its frame_power_db.
inline bool is_lost_frame(float frame_db) { return frame_db <= kLostFrameDb; }

/// Mean power of a block in dB relative to a full-scale square wave (digital silence:
/// kLostFrameDb).
float frame_power_db(std::span<const int16_t> samples);

class Vad {
 public:
  /// Nothing quieter than this is voice, whatever the floor (about -51 dBm0).
  static constexpr float kQuietestVoiceDb = -57.0f;

  explicit Vad(float margin_db = 6.0f) : margin_db_(margin_db) {}

  /// Feeds one frame; returns true when it holds voice (or any sound well above the floor).
  bool rx(std::span<const int16_t> frame);

  float last_db() const { return last_db_; }
  float floor_db() const { return floor_db_; }

 private:
  static constexpr int kBlocks = 10;       // the window: 10 blocks of 10 frames, 2 s
  static constexpr int kBlockFrames = 10;
  float margin_db_;
  float floor_db_ = 0;
  float block_min_[kBlocks] = {};
  int block_ = 0, in_block_ = 0;
  bool window_full_ = false;
  float last_db_ = kLostFrameDb;  // no frame yet
  bool started_ = false;
  bool dipping_ = false;         // the floor went down on every frame since floor_before_dip_
  float floor_before_dip_ = 0;
  int dip_frames_ = 0;           // frames of the current dip well below floor_before_dip_
  bool fading_ = false;          // ... each lower than the one before (a concealment's fade)
  float dip_last_db_ = 0;
};

}  // namespace hark::amd
