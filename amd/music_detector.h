// Music by its steady partials: hold music or a jingle before a greeting.
//
// Music's notes hold several partials at fixed frequencies for hundreds of ms (a chord's notes
// and their harmonics); a voice's harmonics glide with its pitch from syllable to syllable,
// and a beep is one partial (two for a dual tone). Fed the power spectrum the tone tracker
// already computes for the frame (60 ms Hann window, 15.6 Hz bins), it follows every clear
// spectral peak from frame to frame by its interpolated frequency; a peak that stays within a
// few Hz (0.6 %) of where it began for 200 ms is a steady partial. A frame is musical when
// three or more steady partials hold half the band's energy.
//
// Before a greeting, music's onset was counted as the first word and the greeting after it
// read as a person's second "hello" after a long pause (README, AMD). The front end
// (voice_front_end.h) keeps musical stretches out of the words: `in_music()` holds from the
// first musical frame until the sound stops (3 frames 10 dB under the music) or no analysed
// frame was musical for 260 ms (long enough to bridge a chord change while the new partials
// become steady). Frames the VAD's floor has absorbed (too quiet to transform) stay in it.
#pragma once

#include <cstdint>

namespace hark::amd {

class MusicDetector {
 public:
  /// Feeds one frame: `power` is the tone tracker's power spectrum (bins lo..hi valid) or
  /// nullptr when the frame was too quiet to transform; `frame_db` is its power.
  void rx(const float* power, int lo, int hi, float frame_db, uint32_t now_ms);

  /// This frame holds three or more steady partials with half the band's energy.
  bool musical() const { return musical_; }
  /// Inside a musical stretch (see above).
  bool in_music() const { return in_music_; }
  /// A musical stretch began at this frame; `stretch_start_ms()` is when its partials began.
  bool began() const { return began_; }
  uint32_t stretch_start_ms() const { return stretch_start_ms_; }
  /// Frames inside musical stretches so far, in ms.
  int music_ms() const { return music_frames_ * 20; }
  int steady_partials() const { return steady_; }

 private:
  struct Partial {
    float hz = 0;         // this frame's frequency
    float sum_hz = 0;     // over the frames followed (their mean: where it holds)
    float power = 0;
    int age = 0;          // frames followed
    int misses = 0;       // frames it was not seen since (a lost packet spoils the window)
    uint32_t since_ms = 0;
  };
  void track(const float* power, int lo, int hi, uint32_t now_ms);

  static constexpr int kMax = 24;
  Partial parts_[kMax];
  int n_ = 0;
  bool musical_ = false;
  bool in_music_ = false;
  bool began_ = false;
  int steady_ = 0;
  int quiet_frames_ = 0;
  float music_db_ = 0;
  int since_musical_ = 1 << 20;
  int music_frames_ = 0;
  uint32_t stretch_start_ms_ = 0;
};

}  // namespace hark::amd
