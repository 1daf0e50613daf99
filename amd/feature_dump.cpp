#include "amd/feature_dump.h"

#include <algorithm>

#include "amd/greeting_decision.h"
#include "amd/tone_tracker.h"
#include "amd/voice_front_end.h"

namespace hark::amd {

void for_each_decision_point(std::span<const int16_t> samples, const Params& p, uint32_t stop_ms,
                             const std::function<void(uint32_t, const float*)>& point) {
  VoiceFrontEnd fe(p.vad_margin_db);
  ToneTracker tones;  // the music detector's spectrum, as the classifier's beep tracker gives it
  int16_t frame[VoiceFrontEnd::kFrameSamples], filtered[VoiceFrontEnd::kFrameSamples];
  float x[CallFeatures::kCount];
  uint32_t now = 0;
  for (size_t off = 0; off < samples.size(); off += VoiceFrontEnd::kFrameSamples) {
    const size_t n = std::min<size_t>(VoiceFrontEnd::kFrameSamples, samples.size() - off);
    std::copy_n(samples.begin() + off, n, frame);
    std::fill(frame + n, frame + VoiceFrontEnd::kFrameSamples, int16_t(0));
    now += 20;
    if (now > stop_ms) break;
    fe.rx(frame, now, filtered, &tones, true);
    if (fe.features().started() && GreetingDecision::decision_point(now)) {
      fe.features().values(now, x);
      point(now, x);
    }
  }
}

}  // namespace hark::amd
