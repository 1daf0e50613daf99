#include "amd/tone_tracker.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <mutex>

namespace hark::amd {

namespace {
constexpr float kBinHz = 8000.0f / ToneTracker::kFft;
constexpr int kBandLo = 16;    // 250 Hz: total energy is measured over the telephone band
constexpr int kBandHi = 218;   // 3406 Hz
constexpr int kPeakLo = 19;    // 297 Hz: a beep lies between about 300 and 2500 Hz
constexpr int kPeakHi = 160;   // 2500 Hz
constexpr int kPeakHalfWidth = 2;  // a Hann-windowed 60 ms tone spreads over +-2 bins
constexpr float kMinTonality = 0.80f;
constexpr float kMinAboveFloorDb = 9.0f;
constexpr float kMinToneDb = -50.0f;
constexpr float kLevelDropDb = 6.0f;  // frames within this of the tone's level belong to it

// fftw's planner is not thread-safe, but executing one plan on other arrays is. So there is
// one plan for the whole process, made once, and every tracker runs it on its own buffers.
fftwf_plan shared_plan() {
  static std::once_flag once;
  static fftwf_plan plan;
  std::call_once(once, [] {
    float* in = fftwf_alloc_real(ToneTracker::kFft);
    fftwf_complex* out = fftwf_alloc_complex(ToneTracker::kFft / 2 + 1);
    plan = fftwf_plan_dft_r2c_1d(ToneTracker::kFft, in, out, FFTW_ESTIMATE);
    fftwf_free(in);
    fftwf_free(out);
  });
  return plan;
}

const std::array<float, ToneTracker::kWindow>& hann() {
  static const auto w = [] {
    std::array<float, ToneTracker::kWindow> a{};
    for (int i = 0; i < ToneTracker::kWindow; ++i)
      a[i] = 0.5f - 0.5f * std::cos(2.0f * float(M_PI) * float(i) / float(ToneTracker::kWindow - 1));
    return a;
  }();
  return w;
}
}  // namespace

ToneTracker::ToneTracker() {
  shared_plan();
  hann();
  in_ = fftwf_alloc_real(kFft);
  out_ = fftwf_alloc_complex(kFft / 2 + 1);
  std::fill(in_, in_ + kFft, 0.0f);
  db_ring_.fill(-120.0f);
}

ToneTracker::~ToneTracker() {
  fftwf_free(in_);
  fftwf_free(out_);
}

void ToneTracker::rx(std::span<const int16_t> frame, uint32_t now_ms, float frame_db,
                     float floor_db) {
  ended_.reset();
  ended_into_tone_ = false;
  std::copy(history_.begin() + kFrame, history_.end(), history_.begin());
  const size_t n = std::min<size_t>(frame.size(), kFrame);
  for (size_t i = 0; i < n; ++i) history_[kWindow - kFrame + i] = float(frame[i]);
  for (size_t i = n; i < size_t(kFrame); ++i) history_[kWindow - kFrame + i] = 0.0f;
  db_ring_[frames_ % kRing] = frame_db;
  last_now_ms_ = now_ms;

  const bool loud = frame_db >= floor_db + kMinAboveFloorDb && frame_db >= kMinToneDb;
  if (loud) {
    analyse();
  } else {
    tonality_ = 0;
  }
  tonal_ = loud && tonality_ >= kMinTonality;

  if (tonal_) {
    const float mean = in_segment_ ? float(seg_hz_sum_ / seg_count_) : hz_;
    const bool same = in_segment_ && std::fabs(hz_ - mean) <= std::max(15.0f, 0.02f * mean);
    if (in_segment_ && !same) {
      ended_ = close_segment();
      ended_into_tone_ = true;
      in_segment_ = false;
    }
    if (!in_segment_) {
      in_segment_ = true;
      seg_first_frame_ = frames_;
      seg_hz_sum_ = 0;
      seg_count_ = 0;
    }
    seg_last_frame_ = frames_;
    seg_hz_sum_ += hz_;
    ++seg_count_;
  } else if (in_segment_) {
    ended_ = close_segment();
    in_segment_ = false;
  }
  ++frames_;
}

void ToneTracker::analyse() {
  const auto& w = hann();
  for (int i = 0; i < kWindow; ++i) in_[i] = history_[i] * w[i];
  auto* out = static_cast<fftwf_complex*>(out_);
  fftwf_execute_dft_r2c(shared_plan(), in_, out);

  float power[kBandHi + 1];
  float total = 0;
  for (int k = kBandLo; k <= kBandHi; ++k) {
    power[k] = out[k][0] * out[k][0] + out[k][1] * out[k][1];
    total += power[k];
  }
  int peak = kPeakLo;
  for (int k = kPeakLo + 1; k <= kPeakHi; ++k)
    if (power[k] > power[peak]) peak = k;
  float around = 0;
  for (int k = peak - kPeakHalfWidth; k <= peak + kPeakHalfWidth; ++k) around += power[k];
  tonality_ = total > 0 ? around / total : 0;

  // Parabolic interpolation on log power refines the peak to a fraction of a bin.
  const float a = std::log(power[peak - 1] + 1e-9f), b = std::log(power[peak] + 1e-9f),
              c = std::log(power[peak + 1] + 1e-9f);
  const float denom = a - 2 * b + c;
  const float delta = denom != 0 ? 0.5f * (a - c) / denom : 0;
  hz_ = (float(peak) + std::clamp(delta, -0.5f, 0.5f)) * kBinHz;
}

ToneSegment ToneTracker::close_segment() const {
  // The tone's level is the loudest frame inside it; its first and last frames are found by
  // walking out from the tonal frames while the power stays near that level. The 60 ms window
  // makes the first tonal frame lag the onset by up to two frames.
  float level = -120;
  for (uint32_t f = seg_first_frame_; f <= seg_last_frame_; ++f) level = std::max(level, db_at(f));
  uint32_t first = seg_first_frame_;
  const uint32_t earliest = seg_first_frame_ >= 3 ? seg_first_frame_ - 3 : 0;
  while (first > earliest && db_at(first - 1) >= level - kLevelDropDb) --first;
  uint32_t last = seg_last_frame_;
  while (last > first && db_at(last) < level - kLevelDropDb) --last;

  ToneSegment s;
  s.onset_ms = first * 20;
  s.end_ms = (last + 1) * 20;
  s.hz = float(seg_hz_sum_ / std::max(1, seg_count_));
  s.level_db = level;
  return s;
}

std::optional<ToneSegment> ToneTracker::current() const {
  if (!in_segment_) return std::nullopt;
  ToneSegment s = close_segment();
  return s;
}

}  // namespace hark::amd
