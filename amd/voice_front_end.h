// The classifier's front end: DC blocker, VAD, call features and the music detector, frame
// by frame.
//
// One class for the live classifier and for the offline feature dump the model is trained on
// (feature_dump.h), so what the model learned from is exactly what it sees in a call.
#pragma once

#include <cstdint>
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
  explicit VoiceFrontEnd(float vad_margin_db) : vad_(vad_margin_db) {}

  /// Takes one 160-sample frame ending at `now_ms`; writes the DC-free frame to `filtered`
  /// and returns whether it holds voice. `tones`, when given, is fed the filtered frame with
  /// the VAD's levels (the caller's beep tracker, or one of its own); with `every_frame` the
  /// tracker transforms quiet frames too (the faint-tone detector reads beeps under the line's
  /// noise in its spectrum: faint_tone.h). While `listening`, each frame's spectrum feeds the
  /// music detector, whose word of the frame before reaches the
  /// call features: music they may count as sound where the VAD hears quiet (CallFeatures::rx).
  /// From the line's first frame, not from the first word: the detector needs a second of
  /// history, and music already playing when the line opened must be known by the time its
  /// swells make a "word" and its next bars a "pause" (GreetingDecision). A tone is not music
  /// (a clipped beep's harmonics hold like a chord): the beep rules judge it.
  bool rx(std::span<const int16_t> frame, uint32_t now_ms, int16_t* filtered, ToneTracker* tones = nullptr,
          bool listening = false, bool every_frame = false) {
    const bool music = listening && music_.playing() && !(tones && tones->tonal());
    dc_.run(frame, filtered);
    const std::span<const int16_t> f(filtered, frame.size());
    const bool voice = vad_.rx(f);
    // Whether the frame before held a chord's lasting peaks (CallFeatures::words_held_like_music),
    // and they carried a good share of its power: a person who answers at once over a steady
    // chord or buzz 20 dB under their voice has its peaks under every word frame.
    HeldPeaks held = HeldPeaks::unknown;
    if (listening && music_.hold_known())
      held = music_.last_held() && music_.held_power_share() >= kHeldPowerShare ? HeldPeaks::held
                                                                                : HeldPeaks::none;
    features_.rx(f, voice, vad_.last_db(), vad_.floor_db(), now_ms, music,
                 music && music_.dominant(), held);
    if (tones) {
      tones->want_spectrum(listening || every_frame);
      tones->rx(f, vad_.last_db(), vad_.floor_db());
      if (listening) music_.rx(tones->band_power());
    }
    return voice;
  }

  /// The share of a frame's power its lasting peaks must hold for the frame to count as held.
  static constexpr float kHeldPowerShare = 0.3f;

  const Vad& vad() const { return vad_; }
  const CallFeatures& features() const { return features_; }

 private:
  DcBlocker dc_;
  Vad vad_;
  CallFeatures features_;
  MusicDetector music_;
};

}  // namespace hark::amd
