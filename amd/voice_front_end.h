// The classifier's front end: DC blocker, VAD and call features, frame by frame.
//
// One class for the live classifier and for the offline feature dump the model is trained on
// (feature_dump.h), so what the model learned from is exactly what it sees in a call.
#pragma once

#include <cstdint>
#include <span>

#include "amd/call_features.h"
#include "amd/dc_blocker.h"
#include "amd/vad.h"

namespace hark::amd {

class VoiceFrontEnd {
 public:
  static constexpr int kFrameSamples = 160;
  explicit VoiceFrontEnd(float vad_margin_db) : vad_(vad_margin_db) {}

  /// Takes one 160-sample frame ending at `now_ms`; writes the DC-free frame to `filtered`
  /// and returns whether it holds voice. `music`: music was playing as of the frame before
  /// (MusicDetector), `music_dominant`: its peaks held most of that frame's power; the call
  /// features may then count a frame the VAD calls quiet as sound (CallFeatures::rx).
  bool rx(std::span<const int16_t> frame, uint32_t now_ms, int16_t* filtered, bool music = false,
          bool music_dominant = false) {
    dc_.run(frame, filtered);
    const std::span<const int16_t> f(filtered, frame.size());
    const bool voice = vad_.rx(f);
    features_.rx(f, voice, vad_.last_db(), vad_.floor_db(), now_ms, music, music_dominant);
    return voice;
  }

  const Vad& vad() const { return vad_; }
  const CallFeatures& features() const { return features_; }

 private:
  DcBlocker dc_;
  Vad vad_;
  CallFeatures features_;
};

}  // namespace hark::amd
