// FFT (fftw3) tracker of sustained narrowband tones: the basis of beep detection.
//
// Each 20 ms frame it transforms the last 60 ms (Hann window, 512-point real FFT, 15.6 Hz
// bins). A frame is tonal when one peak between 300 and 3300 Hz holds most of the energy of
// the telephone band. 60 ms rather than 20 ms because ringback (440 + 480 Hz) looks like one
// tone in a 20 ms window and only splits into two peaks over a longer one. Consecutive tonal
// frames at a stable frequency form a segment; its onset and end are refined to the frame
// from the per-frame energy, so a beep's onset is known to within a frame.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace hark::amd {

/// One sustained tone: when it began and ended (audio ms), its frequency and level.
struct ToneSegment {
  uint32_t onset_ms = 0;
  uint32_t end_ms = 0;
  float hz = 0;
  float level_db = 0;
  float hz_spread = 0;        ///< max - min frequency over its frames
  float hz_spread_trimmed = 0;  ///< the 10th to 90th percentile of its measured frequencies
                                ///< (a concealed loss moves a frame or two), over 10 such
                                ///< frames or more within 5 s; else hz_spread
  float level_spread_db = 0;  ///< max - min power over its inner frames (a long tone's: the
                              ///< 10th to 90th percentile, so line noise riding on a faint
                              ///< tone does not widen it frame by frame)
  float before_db = -120;     ///< power of the louder of frames onset-3 and onset-2
  float after_db = -120;      ///< power of the louder of frames end+2 and end+3
  float floor_db = -120;      ///< the noise floor when it began
  int tonal_frames = 0;       ///< frames found tonal inside it
  int clean_frames = 0;       ///< ... of which the frequency was measured (hz_spread, start_hz)
  bool dual = false;          ///< two frequencies at once (hz is the lower one)
  float dual_share = 0;       ///< share of its tonal frames that held two tones
  float start_hz = 0;         ///< frequency of its first clean frame ...
  float end_hz = 0;           ///< ... and of its last: apart for a falling glide
  int rises = 0;              ///< frame-to-frame steps up by more than a few Hz
  bool cut_by_loss = false;   ///< lost packets within 4 frames of an edge (concealment fades
                              ///< out over 2-3 frames first): it may be longer than measured
  bool runs_on = false;       ///< its level held to within a frame or two of the newest one:
                              ///< a frame after_db looks at was not yet heard (after_db unknown)
  uint32_t duration_ms() const { return end_ms - onset_ms; }

  /// From this long, a single tone's pitch is judged on its trimmed spread.
  static constexpr uint32_t kTrimmedSpreadMs = 600;
  /// The pitch spread the beep, ring and fax rules read: a single tone of kTrimmedSpreadMs or
  /// more on hz_spread_trimmed (a loss that moved a frame or two of a beep, a ring or a fax
  /// tone does not make it a voice), anything else on hz_spread.
  float pitch_spread() const {
    return duration_ms() >= kTrimmedSpreadMs && !dual ? hz_spread_trimmed : hz_spread;
  }
};

class ToneTracker {
 public:
  static constexpr int kFrame = 160;
  static constexpr int kWindow = 480;
  static constexpr int kFft = 512;

  ToneTracker();
  ~ToneTracker();
  ToneTracker(const ToneTracker&) = delete;
  ToneTracker& operator=(const ToneTracker&) = delete;

  /// Feeds the next 160-sample frame (frames are counted from 0: audio time is derived from
  /// that). `frame_db` is its power and `floor_db` the noise floor (both from the VAD): quiet
  /// frames skip the FFT.
  void rx(std::span<const int16_t> frame, float frame_db, float floor_db);

  /// True while the current frame is part of a tone.
  bool tonal() const { return tonal_; }
  /// A segment that ended at this frame (because the tone stopped or changed frequency).
  const std::optional<ToneSegment>& ended() const { return ended_; }
  /// True when the segment in `ended()` gave way to a tone of another frequency (directly, or
  /// after a few non-tonal frames the segment bridged).
  bool ended_into_tone() const { return ended_into_tone_; }
  /// The tone in progress, if any (measured once a frame, however often it is asked for).
  const std::optional<ToneSegment>& current() const;

  /// Asks for the spectrum of every frame, quiet ones too (band_power()); by default only
  /// frames loud enough to hold a tone are transformed.
  void want_spectrum(bool on) { want_spectrum_ = on; }
  /// The power of this frame's 60 ms window in the telephone band: kBandBins bins from
  /// bin kBandLoBin (250 Hz), 15.6 Hz apart. Empty when the frame was not transformed.
  std::span<const float> band_power() const {
    return has_spectrum_ ? std::span<const float>(power_.data() + kBandLoBin, kBandBins) : std::span<const float>();
  }
  static constexpr int kBandLoBin = 16;   // 250 Hz
  static constexpr int kBandHiBin = 218;  // 3406 Hz
  static constexpr int kBandBins = kBandHiBin - kBandLoBin + 1;
  /// A falling glide's segment goes on through a frame whose pitch reads up to this share
  /// higher (its peak stalls over a faded frame, then catches up; tone_tracker.cpp).
  static constexpr float kGlideJitterShare = 0.015f;
  /// Where a tone is sought: bins 19 (297 Hz) to 211 (3297 Hz), a beep lying between about
  /// 300 and 3300 Hz; a Hann-windowed 60 ms tone spreads over this many bins either side.
  static constexpr int kPeakLoBin = 19, kPeakHiBin = 211;
  static constexpr int kPeakHalfWidth = 2;
  /// The frequency of a spectral peak at `bin` (of kFft), refined to a fraction of a bin by a
  /// parabola through the log power of the bin (`at`) and its neighbours (`below`, `above`).
  static float peak_hz(int bin, float below, float at, float above);

  float last_tonality() const { return tonality_; }
  bool last_dual() const { return dual_; }
  /// The last frame held a ringback pair (440+480 or 400+450 Hz), which is never a tone here.
  bool last_ringback_pair() const { return ringback_pair_; }
  float last_hz() const { return hz_; }

 private:
  void transform();  // the FFT of the window into power_
  void analyse();
  float ringback_band_share() const;  // of this frame's band power (after analyse())
  bool beating() const;               // the window's envelope falls to nulls (two close tones)
  void start_segment(bool from_tone);
  /// `robust`: the level spread of a long tone as a percentile range (sorting its frames'
  /// levels: done for ended segments only, not for the tone in progress every frame).
  ToneSegment close_segment(bool robust) const;
  float db_at(uint32_t frame_index) const { return db_ring_[frame_index % kRing]; }

  static constexpr int kRing = 512;  // frames of per-frame power kept (10 s)
  float* in_ = nullptr;              // fftwf_malloc'd, aligned for SIMD
  void* out_ = nullptr;              // fftwf_complex[kFft / 2 + 1]
  std::array<float, kWindow> history_{};
  std::array<float, kRing> db_ring_{};
  // Each frame's measured frequency (0: none measured), for a long tone's trimmed spread; as
  // long as the longest beep (kHzRing frames of 20 ms).
  static constexpr int kHzRing = 256;
  std::array<float, kHzRing> hz_ring_{};
  // The VAD's floor over the last kGateFloorFrames frames: a tone is loud against the lowest.
  static constexpr int kGateFloorFrames = 8;
  std::array<float, kGateFloorFrames> floor_ring_{};
  std::array<float, kBandHiBin + 1> power_{};  // this frame's power per bin (from kBandLoBin)
  bool has_spectrum_ = false;
  bool want_spectrum_ = false;
  uint32_t frames_ = 0;
  bool tonal_ = false;
  float tonality_ = 0;
  float hz_ = 0;
  bool dual_ = false;  // the last analysed frame held two tones of comparable power
  bool ringback_pair_ = false;  // the last analysed frame held a ringback pair (beating, 375-500 Hz)
  float band_total_ = 0;        // the last analysed frame's band power (analyse())
  float hz2_ = 0;      // ... the higher one

  bool in_segment_ = false;
  uint32_t seg_first_frame_ = 0;  // first tonal frame (window end)
  uint32_t seg_last_frame_ = 0;   // last tonal frame
  double seg_hz_sum_ = 0;
  int seg_count_ = 0;
  float seg_hz_min_ = 0, seg_hz_max_ = 0;  // over frames whose window held no lost frame
  int seg_clean_ = 0;
  float seg_prev_hz_ = 0;          // the last tonal frame's frequency
  float seg_start_hz_ = 0, seg_end_hz_ = 0;
  int seg_rises_ = 0;
  int seg_dual_ = 0;               // frames of the segment that were dual
  bool seg_from_tone_ = false;     // another tone ended into it (ended_into_tone())
  float seg_floor_db_ = -120;
  float floor_db_ = -120;
  int misses_ = 0;                 // non-tonal frames since the last tonal one
  uint32_t last_lost_frame_ = 1u << 31;    // last lost frame (digital silence, or a concealment's fade)
  uint32_t last_silent_frame_ = 1u << 31;  // last frame of digital silence
  std::optional<ToneSegment> ended_;
  bool ended_into_tone_ = false;
  // current()'s answer for frame current_frame_: the classifier asks for it up to four times
  // a frame (the fax, ring, beep and greeting checks), and measuring a long tone's trimmed
  // pitch spread copies and partly selects up to kHzRing values each time. A cache, not state.
  mutable std::optional<ToneSegment> current_;
  mutable uint32_t current_frame_ = UINT32_MAX;
};

}  // namespace hark::amd
