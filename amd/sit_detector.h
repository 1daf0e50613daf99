// Special Information Tone detection: three ascending tones, each 274 or 380 ms, in the bands
// 913.8/985.2 Hz, 1370.6/1428.5 Hz and 1776.7 Hz, that precede "the number you have dialled
// is not in service" announcements. Goertzel filters (spandsp) over each 20 ms frame.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "amd/spandsp_fwd.h"

namespace hark::amd {

class SitDetector {
 public:
  SitDetector();

  /// Feeds one frame (160 samples) whose power is `frame_db` over a floor of `floor_db`.
  /// Returns true once the full tri-tone has been heard.
  bool rx(std::span<const int16_t> frame, float frame_db, float floor_db);
  bool detected() const { return detected_; }
  /// Counts a frame known to hold no SIT tone (the FFT saw no tone near SIT frequencies)
  /// without running the filters.
  void skip();
  /// True while a possible SIT sequence is under way: then every frame must be analysed.
  bool in_sequence() const { return run_band_ >= 0; }
  /// Band of the last frame: 0, 1, 2 for the three SIT tones, -1 for none.
  int last_band() const { return last_band_; }

 private:
  void advance(int band);
  /// A frame skipped with no tone under way: loss more than a gap ago leads no tone.
  void forget_old_loss();
  /// The current run is long enough for a SIT tone, lost frames counted (see the .cpp).
  bool run_long_enough() const;
  std::array<goertzel_descriptor_t, 5> desc_{};
  int stage_ = 0;      // which tone of the three is expected next
  int run_ = 0;        // frames of the current band
  int run_band_ = -1;
  int gap_ = 0;        // frames of no band since the last run
  int lost_ = 0;       // lost frames (digital silence) bridged in a row in the current run
  int lost_lead_ = 0;  // lost frames in a row while no tone was under way
  int heard_since_lost_ = 0;  // frames skipped, no tone under way, since the last of those
  int lost_in_run_ = 0;  // lost frames that may have held the current run's tone
  int lost_before_ = 0;  // lost frames in a row just before the frame being analysed
  int last_band_ = -1;
  bool detected_ = false;
};

}  // namespace hark::amd
