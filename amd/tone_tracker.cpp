#include "amd/tone_tracker.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "amd/spectrum_select.h"
#include "amd/vad.h"

namespace hark::amd {

namespace {
constexpr float kBinHz = 8000.0f / ToneTracker::kFft;
constexpr int kBandLo = ToneTracker::kBandLoBin;  // total energy is measured over the telephone band
constexpr int kBandHi = ToneTracker::kBandHiBin;
constexpr int kPeakLo = ToneTracker::kPeakLoBin;
constexpr int kPeakHi = ToneTracker::kPeakHiBin;
constexpr int kPeakHalfWidth = ToneTracker::kPeakHalfWidth;
// A beep may be quieter than the voice before it and the line noisy: a tone only a few dB
// over the noise still puts most of the band's energy into its few bins.
constexpr float kMinTonality = 0.65f;
constexpr float kMinAboveFloorDb = 3.0f;
// -60 dBFS (about -54 dBm0) rather than -55: on a line 20 dB down a beep sits near -58 (on
// the 2355 non-test files: 2 beeps more and a false one fewer; -65 changed nothing more).
constexpr float kMinToneDb = -60.0f;
constexpr float kLevelDropDb = 6.0f;  // frames within this of the tone's level belong to it
// Frames belong to one tone when their frequency stays this close to its mean.
constexpr float kSameToneHz = 12.0f;
constexpr float kSameToneShare = 0.02f;
// Largest ratio of sub-block energies within one tonal frame (about 8 dB).
constexpr double kMaxEnvelopeRatio = 6.0;
// A lost packet (a 20 ms hole) disturbs up to three 60 ms windows: bridge that many.
constexpr int kMaxMisses = 3;
// Inside a tone, a frame this far under the noise floor it began over is a lost packet whose
// concealment faded out (the line's own noise went with it): lost, as digital silence is, for
// the tone's level and pitch. Not for how long a tone is bridged (kMaxLostMisses): the quiet
// after a beep, under the floor when the recording stops, would hold the beep 160 ms longer.
// 4 dB, not 2: a syllable's last frame dips 2-3 dB under a noisy floor, and as "lost" it let
// two syllables across a real loss pass as one flat tone (a false beep on the non-test files).
// On the 2355 non-test files no verdict, beep or false beep changed; the test split's one
// such beep was found (it was read).
constexpr float kUnderFloorDb = 4.0f;
// While the windows hold lost packets, bridge up to this many (a burst of 5 lost packets, 100
// ms, cut beeps in two, reported late from their second part); digital silence after a tone
// still ends it, 160 ms later.
constexpr int kMaxLostMisses = 8;
// A tone with lost packets this close to an edge was cut short by them (ToneSegment::cut_by_loss).
constexpr uint32_t kLossReachFrames = 4;
// Two tones at once (a dual-frequency beep): the two peaks together hold this share of the
// band, the weaker at least this share of the stronger. Such a pair beats, so the envelope
// check that rejects ringback cannot apply; the call-progress pairs are excluded by name.
constexpr float kMinDualTonality = 0.75f;
constexpr float kMinDualBalance = 0.2f;
constexpr int kDualMinBins = 5;  // peaks at least ~80 Hz apart
// Inner frames from which a tone's level spread is a percentile range, not max - min.
constexpr int kRobustSpreadFrames = 10;
// A falling glide continues a segment when it falls at most this much a frame (8 %, not 5 %,
// since 2026-12-03: a bloop falling 62 Hz a frame near 800 Hz was cut in two), or rises by
// less than kGlideJitterHz (on a noisy line or over a lost packet a frame's peak wobbles).
// On the 2355 non-test files: beeps 824 -> 827 of 870, false beeps unchanged.
constexpr float kMaxFallHz = 45.0f;
constexpr float kMaxFallShare = 0.08f;
constexpr float kGlideJitterHz = 8.0f;
// ... or 1.5 % of it, whichever is wider, once the tone has fallen by kFallenShare from its
// first clean frame (a glide under way, not a vowel's wobble): over a concealed or faded
// frame the peak of a fast glide stalls, and the next frame's measure rises by 11-14 Hz near
// 1.8 kHz as it catches up (a 2100 -> 1500 Hz bloop of 280 ms was cut in three where it
// stalled). On the dev speakers' 815 files: beeps 331 -> 333 of 346 (1 % found one of them;
// 2 and 3 % the same two); the train renderings: 483 of 517 either way; no false beep more
// in either. (Measured before kFallenShare was asked, which changed no beep.) The share is
// ToneTracker::kGlideJitterShare, public: the beep rules read a glide's tail with it.
constexpr float kFallenShare = 0.03f;

// Dial tone (350+440, 400+450), ringback (440+480) and busy (480+620): never a beep. Within
// 12 Hz: the tones are held within 1.5 % (9 Hz at 620), and at 20 Hz a 480+600 Hz beep was
// busy (beeps of the train renderings 496 -> 497 of 525, dev 295 -> 296 of 316, no false one).
bool call_progress_pair(float lo, float hi) {
  constexpr float pairs[][2] = {{350, 440}, {400, 450}, {440, 480}, {480, 620}};
  for (const auto& p : pairs)
    if (std::fabs(lo - p[0]) < 12 && std::fabs(hi - p[1]) < 12) return true;
  return false;
}

// Ringback pairs: 440+480 Hz (North America), 400+450 Hz (UK, Ireland; Australia's
// 400+425+450). Too close together for two peaks of the dual-tone check: in the 60 ms window
// they are one lump of 2-4 bins whose envelope beats (40-50 Hz). A frame whose band power lies
// this much within 380-500 Hz, and beats, holds one.
constexpr int kRingbackLoBin = 24, kRingbackHiBin = 32;  // 375-500 Hz
constexpr float kMinRingbackShare = 0.8f;
// The beat: over the 60 ms window, 5 ms blocks (a voice's pitch period or more, so a vowel's
// blocks hold alike) fall to this share of the loudest block's energy at the pair's nulls,
// every 20-25 ms. (Equal tones: 0.03-0.13 by where the null falls; 3 dB apart: about 0.15.)
constexpr int kBeatBlock = 40;
constexpr float kMaxBeatNullShare = 0.25f;

// fftw's planner is not thread-safe, but executing one plan on other arrays is. So there is
// one plan for the whole process, made once, and every tracker runs it on its own buffers.
fftwf_plan shared_plan() {
  static std::once_flag once;
  static fftwf_plan plan;
  std::call_once(once, [] {
    float* in = fftwf_alloc_real(ToneTracker::kFft);
    fftwf_complex* out = fftwf_alloc_complex(ToneTracker::kFft / 2 + 1);
    // FFTW_MEASURE times a few algorithms once per process (milliseconds) and keeps the fastest.
    plan = fftwf_plan_dft_r2c_1d(ToneTracker::kFft, in, out, FFTW_MEASURE);
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

// Energy of eight 2.5 ms sub-blocks of the frame: a lone tone keeps them within a few dB.
bool steady_envelope(std::span<const int16_t> frame) {
  constexpr int kBlocks = 8;
  const size_t len = frame.size() / kBlocks;
  double lo = 0, hi = 0;
  for (int b = 0; b < kBlocks; ++b) {
    double e = 0;
    for (size_t i = b * len; i < (b + 1) * len; ++i) e += double(frame[i]) * frame[i];
    lo = b == 0 ? e : std::min(lo, e);
    hi = std::max(hi, e);
  }
  return hi <= kMaxEnvelopeRatio * lo;
}

ToneTracker::ToneTracker() {
  shared_plan();
  hann();
  in_ = fftwf_alloc_real(kFft);
  out_ = fftwf_alloc_complex(kFft / 2 + 1);
  std::fill(in_, in_ + kFft, 0.0f);
  db_ring_.fill(kLostFrameDb);
}

ToneTracker::~ToneTracker() {
  fftwf_free(in_);
  fftwf_free(out_);
}

void ToneTracker::rx(std::span<const int16_t> frame, float frame_db,
                     float floor_db) {
  ended_.reset();
  ended_into_tone_ = false;
  has_spectrum_ = false;
  std::copy(history_.begin() + kFrame, history_.end(), history_.begin());
  const size_t n = std::min<size_t>(frame.size(), kFrame);
  for (size_t i = 0; i < n; ++i) history_[kWindow - kFrame + i] = float(frame[i]);
  for (size_t i = n; i < size_t(kFrame); ++i) history_[kWindow - kFrame + i] = 0.0f;
  db_ring_[frames_ % kRing] = frame_db;
  hz_ring_[frames_ % kHzRing] = 0.0f;
  // The VAD's floor starts at the first frame's level: in the first seconds it may be the
  // tone itself (a call can open with CED or SIT), so it is not trusted yet.
  const bool floor_known = frames_ >= 100;
  if (is_lost_frame(frame_db)) last_lost_frame_ = last_silent_frame_ = frames_;
  if (in_segment_ && floor_known && frame_db < seg_floor_db_ - kUnderFloorDb) {
    last_lost_frame_ = frames_;
    db_ring_[frames_ % kRing] = kLostFrameDb;
  }
  // A window holding a lost (zeroed or faded) frame smears the spectrum: its frequency is not
  // trusted.
  const bool clean_window = frames_ - last_lost_frame_ >= 3;
  floor_db_ = floor_db;

  // Loud enough to matter, and steady within the frame: two close tones (ringback's 440 + 480
  // Hz) beat, their envelope swinging from 0 to twice the amplitude every 25 ms.
  // Within a tone, the floor it is measured against is the one from before the tone: the VAD's
  // floor creeps up under a sustained tone (its 2 s window), and a 4 s beep would otherwise
  // stop counting as loud after about 2.4 s and be cut short (so the 4 s limit never applied).
  // Before a tone, against the lowest floor of the last 160 ms: a faint beep (4 dB over pink
  // line noise) is no voice to the VAD, whose floor then climbs into it by 0.5 dB a frame, and
  // the gate shut before the tone's third frame, the first whose window holds only the tone.
  // On the 2355 non-test files: 2 beeps more, 1 false beep fewer (320 ms: 5 more, but 2 more
  // of the 60 music excerpts held a "beep").
  floor_ring_[frames_ % kGateFloorFrames] = floor_db;
  float gate_floor = floor_db;
  for (uint32_t i = 0; i < uint32_t(kGateFloorFrames) && i <= frames_; ++i) gate_floor = std::min(gate_floor, floor_ring_[i]);
  const float ref_floor = in_segment_ ? std::min(gate_floor, seg_floor_db_) : gate_floor;
  const bool loud = frame_db >= kMinToneDb && (frame_db >= ref_floor + kMinAboveFloorDb || !floor_known);
  dual_ = false;
  ringback_pair_ = false;
  if (loud) {
    analyse();
    // One tone: steady envelope. Two: they beat, so no envelope check, but not a
    // call-progress pair.
    const bool steady = steady_envelope(frame);
    ringback_pair_ = !steady && ringback_band_share() >= kMinRingbackShare && beating();
    if (dual_ && call_progress_pair(hz_, hz2_)) dual_ = false;
    if (!steady && !dual_) tonality_ = 0;
  } else {
    tonality_ = 0;
    if (want_spectrum_) transform();
  }
  tonal_ = loud && (tonality_ >= kMinTonality || dual_);

  if (tonal_) {
    if (in_segment_) {
      const float mean = float(seg_hz_sum_ / seg_count_);
      const bool same = std::fabs(hz_ - mean) <= std::max(kSameToneHz, kSameToneShare * mean);
      // A falling glide moves on from frame to frame by a bounded step.
      const float fall = seg_prev_hz_ - hz_;
      const bool falling = seg_clean_ > 0 && seg_start_hz_ - seg_prev_hz_ >= kFallenShare * seg_start_hz_;
      const float jitter = std::max(kGlideJitterHz, falling ? kGlideJitterShare * seg_prev_hz_ : 0.0f);
      const bool gliding = fall > -jitter && fall <= std::max(kMaxFallHz, kMaxFallShare * seg_prev_hz_);
      if (!same && !gliding) {
        ended_ = close_segment(true);
        ended_into_tone_ = true;
        in_segment_ = false;
      }
    }
    if (!in_segment_) start_segment(ended_into_tone_);
    seg_last_frame_ = frames_;
    seg_hz_sum_ += hz_;
    ++seg_count_;
    seg_dual_ += dual_;
    // The first two tonal frames' windows may still hold noise from before the onset.
    // (From the second, when another tone ended into it: its window then holds that tone, and
    // the peak picks the stronger. A contiguous sequence's 90 ms piece is tonal for two
    // frames, and without a clean one it was no piece; with one, it is a piece only when that
    // frame reads the pitch of the segment's mean (beep_rules.cpp). The same after a gap of a
    // few frames the old segment bridged, whose noise the window may still hold: requiring
    // no gap lost 3 of the train renderings' beeps and no false one.)
    if (clean_window && frames_ >= seg_first_frame_ + (seg_from_tone_ ? 1 : 2)) {
      if (seg_clean_ == 0) {
        seg_hz_min_ = seg_hz_max_ = hz_;
        seg_start_hz_ = hz_;
      } else if (hz_ > seg_end_hz_ + 3.0f) {
        ++seg_rises_;
      }
      seg_end_hz_ = hz_;
      seg_hz_min_ = std::min(seg_hz_min_, hz_);
      seg_hz_max_ = std::max(seg_hz_max_, hz_);
      hz_ring_[frames_ % kHzRing] = hz_;
      ++seg_clean_;
    }
    seg_prev_hz_ = hz_;
    misses_ = 0;
  } else if (in_segment_ && ++misses_ > (frames_ - last_silent_frame_ >= 3 ? kMaxMisses : kMaxLostMisses)) {
    ended_ = close_segment(true);
    in_segment_ = false;
  }
  ++frames_;
}

bool ToneTracker::beating() const {
  float lo = 0, hi = 0;
  for (int b = 0; b < kWindow / kBeatBlock; ++b) {
    float e = 0;
    for (int i = b * kBeatBlock; i < (b + 1) * kBeatBlock; ++i) e += history_[i] * history_[i];
    lo = b == 0 ? e : std::min(lo, e);
    hi = std::max(hi, e);
  }
  return hi > 0 && lo <= kMaxBeatNullShare * hi;
}

float ToneTracker::ringback_band_share() const {
  float ring = 0;
  for (int k = kRingbackLoBin; k <= kRingbackHiBin; ++k) ring += power_[k];
  return band_total_ > 0 ? ring / band_total_ : 0.0f;
}

void ToneTracker::transform() {
  const auto& w = hann();
  for (int i = 0; i < kWindow; ++i) in_[i] = history_[i] * w[i];
  auto* out = static_cast<fftwf_complex*>(out_);
  fftwf_execute_dft_r2c(shared_plan(), in_, out);
  for (int k = kBandLo; k <= kBandHi; ++k) power_[k] = out[k][0] * out[k][0] + out[k][1] * out[k][1];
  has_spectrum_ = true;
}

float ToneTracker::peak_hz(int bin, float below, float at, float above) {
  const float a = std::log(below + 1e-9f), b = std::log(at + 1e-9f), c = std::log(above + 1e-9f);
  const float d = a - 2 * b + c;
  return (float(bin) + std::clamp(d != 0 ? 0.5f * (a - c) / d : 0.0f, -0.5f, 0.5f)) * kBinHz;
}

void ToneTracker::analyse() {
  transform();
  const float* power = power_.data();
  float total = 0;
  for (int k = kBandLo; k <= kBandHi; ++k) total += power[k];
  band_total_ = total;
  const int peak = first_max(power, kPeakLo, kPeakHi + 1);
  float around = 0;
  for (int k = peak - kPeakHalfWidth; k <= peak + kPeakHalfWidth; ++k) around += power[k];
  tonality_ = total > 0 ? around / total : 0;
  // A maximum on the edge of the search range is the flank of a peak outside it (a voice's
  // fundamental below 300 Hz, say), not a tone inside it.
  if (peak == kPeakLo || peak == kPeakHi) tonality_ = 0;

  // A second peak away from the first: two tones at once.
  int peak2 = -1;
  if (tonality_ > 0 && tonality_ < kMinTonality) {
    // The first greatest bin at least kDualMinBins from the first peak: below it, then above
    // it, the one above taken only when greater (as one loop over both would).
    const int lo = kPeakLo + 1, hi = kBandHi - kPeakHalfWidth;
    const int below_end = std::min(hi, peak - kDualMinBins + 1), above = std::max(lo, peak + kDualMinBins);
    if (lo < below_end) peak2 = first_max(power, lo, below_end);
    if (above < hi) {
      const int k = first_max(power, above, hi);
      if (peak2 < 0 || power[k] > power[peak2]) peak2 = k;
    }
  }
  float hz2 = 0;
  // It must be a peak of its own, not the flank of the first (the nearest bin it may take is
  // kDualMinBins away, where a wide or beating first peak still spreads).
  if (peak2 > kPeakLo && peak2 < kBandHi - kPeakHalfWidth && power[peak2] >= power[peak2 - 1] &&
      power[peak2] >= power[peak2 + 1]) {
    float around2 = 0;
    for (int k = peak2 - kPeakHalfWidth; k <= peak2 + kPeakHalfWidth; ++k) around2 += power[k];
    if (total > 0 && (around + around2) / total >= kMinDualTonality && around2 >= kMinDualBalance * around) {
      dual_ = true;
      hz2 = peak_hz(peak2, power[peak2 - 1], power[peak2], power[peak2 + 1]);
    }
  }

  hz_ = peak_hz(peak, power[peak - 1], power[peak], power[peak + 1]);
  if (dual_) {
    // The lower tone names the pair: the stronger of two equal tones flips frame to frame.
    hz2_ = std::max(hz_, hz2);
    hz_ = std::min(hz_, hz2);
  }
}

void ToneTracker::start_segment(bool from_tone) {
  in_segment_ = true;
  seg_from_tone_ = from_tone;
  seg_first_frame_ = frames_;
  seg_hz_sum_ = 0;
  seg_count_ = 0;
  seg_hz_min_ = seg_hz_max_ = hz_;
  seg_clean_ = 0;
  seg_prev_hz_ = seg_start_hz_ = seg_end_hz_ = hz_;
  seg_rises_ = 0;
  seg_dual_ = 0;
  seg_floor_db_ = floor_db_;
  misses_ = 0;
}

ToneSegment ToneTracker::close_segment(bool robust) const {
  // The tone's level is the loudest frame inside it; its first and last frames are found by
  // walking out from the tonal frames while the power stays near that level. The 60 ms window
  // makes the first tonal frame lag the onset by up to two frames.
  float level = -120;
  for (uint32_t f = seg_first_frame_; f <= seg_last_frame_; ++f) level = std::max(level, db_at(f));
  uint32_t first = seg_first_frame_;
  const uint32_t earliest = seg_first_frame_ >= 3 ? seg_first_frame_ - 3 : 0;
  while (first > earliest && db_at(first - 1) >= level - kLevelDropDb) --first;
  // The tone may go on past its last tonal frame when a lost packet spoiled the windows
  // near its end: walk forward over frames at its level (and lost ones), then back off any
  // lost frames at the very end.
  uint32_t last = seg_last_frame_;
  const uint32_t latest = std::min(frames_, seg_last_frame_ + kMaxMisses);
  while (last < latest && (db_at(last + 1) >= level - kLevelDropDb || is_lost_frame(db_at(last + 1)))) ++last;
  while (last > first && db_at(last) < level - kLevelDropDb) --last;

  // Level flatness over the inner frames (edges are partly silence; lost frames are skipped).
  float lo = 0, hi = -120;
  bool any = false;
  // A long tone's spread is its 10th to 90th percentile: a beep 6-15 dB over line noise (or
  // under an AGC) has a few frames off by 2-3 dB, while a vowel's swell spans most of it.
  float levels[kRing];
  int n = 0;
  for (uint32_t f = first + 1; f + 1 <= last; ++f) {
    const float d = db_at(f);
    // A lost frame, or the one before it while it still stands over the line's noise: a
    // concealment's first frame, already fading (not the tone's own end).
    if (is_lost_frame(d) || (is_lost_frame(db_at(f + 1)) && d >= seg_floor_db_ + kMinAboveFloorDb)) continue;
    lo = any ? std::min(lo, d) : d;
    hi = std::max(hi, d);
    any = true;
    if (n < kRing) levels[n++] = d;
  }
  if (robust && n >= kRobustSpreadFrames) {
    std::sort(levels, levels + n);
    lo = levels[n / 10];
    hi = levels[n - 1 - n / 10];
  }

  ToneSegment s;
  s.level_spread_db = any ? hi - lo : 0;
  s.hz_spread = seg_clean_ > 0 ? seg_hz_max_ - seg_hz_min_ : 1e6f;
  s.hz_spread_trimmed = s.hz_spread;
  // A long tone's trimmed pitch spread, as its level's: a frame or two that a concealed loss
  // moved by a few Hz are not the tone's own wobble (ToneSegment::pitch_spread). For the tone
  // in progress too, whose ring may be under way (ringback.cpp): two partial selections, not
  // a sort.
  if (seg_clean_ >= kRobustSpreadFrames && seg_last_frame_ - seg_first_frame_ < uint32_t(kHzRing)) {
    float hz[kHzRing];
    int m = 0;
    for (uint32_t f = seg_first_frame_; f <= seg_last_frame_; ++f)
      if (const float h = hz_ring_[f % kHzRing]; h > 0.0f) hz[m++] = h;
    if (m >= kRobustSpreadFrames) {
      std::nth_element(hz, hz + m / 10, hz + m);
      const float lo = hz[m / 10];
      std::nth_element(hz + m / 10, hz + (m - 1 - m / 10), hz + m);
      s.hz_spread_trimmed = hz[m - 1 - m / 10] - lo;
    }
  }
  s.floor_db = seg_floor_db_;
  s.tonal_frames = seg_count_;
  s.clean_frames = seg_clean_;
  // The frames right at the edges may hold part of the tone: look one frame further out.
  for (uint32_t k = 2; k <= 3; ++k) {
    if (first >= k) s.before_db = std::max(s.before_db, db_at(first - k));
    if (last + k <= frames_) s.after_db = std::max(s.after_db, db_at(last + k));
  }
  for (uint32_t k = 1; k <= kLossReachFrames; ++k) {
    if ((first >= k && is_lost_frame(db_at(first - k))) || (last + k <= frames_ && is_lost_frame(db_at(last + k))))
      s.cut_by_loss = true;
  }
  s.runs_on = last + 3 > frames_;  // a frame that after_db looks at is still to come
  s.onset_ms = first * 20;
  s.end_ms = (last + 1) * 20;
  s.hz = float(seg_hz_sum_ / std::max(1, seg_count_));
  s.dual = seg_dual_ * 2 > seg_count_;
  s.dual_share = seg_count_ > 0 ? float(seg_dual_) / float(seg_count_) : 0.0f;
  s.start_hz = seg_start_hz_;
  s.end_hz = seg_end_hz_;
  s.rises = seg_rises_;
  s.level_db = level;
  return s;
}

const std::optional<ToneSegment>& ToneTracker::current() const {
  if (current_frame_ != frames_) {
    current_frame_ = frames_;
    current_ = in_segment_ ? std::optional<ToneSegment>(close_segment(false)) : std::nullopt;
  }
  return current_;
}

}  // namespace hark::amd
