// The classifier's front end: DC blocker, VAD, tone tracker, music detector and call features,
// frame by frame.
//
// One class for the live classifier and for the offline feature dump the model is trained on
// (feature_dump.h), so what the model learned from is exactly what it sees in a call.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "amd/call_features.h"
#include "amd/dc_blocker.h"
#include "amd/music_detector.h"
#include "amd/tone_tracker.h"
#include "amd/vad.h"

namespace hark::amd {

class VoiceFrontEnd {
 public:
  static constexpr int kFrameSamples = 160;
  /// `tones`: run the FFT tone tracker (beeps), whose spectrum also feeds the music detector.
  explicit VoiceFrontEnd(float vad_margin_db, bool tones = true) : vad_(vad_margin_db) {
    if (tones) tones_ = std::make_unique<ToneTracker>();
  }

  /// Takes one 160-sample frame ending at `now_ms`; writes the DC-free frame to `filtered`
  /// and returns whether it holds voice.
  bool rx(std::span<const int16_t> frame, uint32_t now_ms, int16_t* filtered) {
    dc_.run(frame, filtered);
    const std::span<const int16_t> f(filtered, frame.size());
    const bool voice = vad_.rx(f);
    bool music = false;
    if (tones_) {
      tones_->rx(f, vad_.last_db(), vad_.floor_db());
      music_.rx(tones_->spectrum(), ToneTracker::kSpectrumLo, ToneTracker::kSpectrumHi, vad_.last_db(), now_ms);
      music = music_.in_music();
      // Music's onset was taken for the first word(s) before its partials proved steady:
      // when every word so far began with the music, none of them was talk.
      if (music_.began() && features_.started() && features_.onset_ms() + kOnsetSlackMs >= music_.stretch_start_ms())
        features_.restart();
      features_.note_music(music_.music_ms());
    }
    features_.rx(f, voice && !music, vad_.last_db(), vad_.floor_db(), now_ms);
    return voice;
  }

  const Vad& vad() const { return vad_; }
  const CallFeatures& features() const { return features_; }
  const MusicDetector& music() const { return music_; }
  /// The tone tracker (nullptr when not asked for).
  ToneTracker* tones() { return tones_.get(); }
  const ToneTracker* tones() const { return tones_.get(); }

 private:
  // The first word's measured onset may lead the partials' by a frame or two (the 60 ms
  // window, a kick or a note's attack before it settles).
  static constexpr uint32_t kOnsetSlackMs = 100;
  DcBlocker dc_;
  Vad vad_;
  std::unique_ptr<ToneTracker> tones_;
  MusicDetector music_;
  CallFeatures features_;
};

}  // namespace hark::amd
