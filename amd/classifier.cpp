#include "amd/classifier.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace hark::amd {

namespace {
constexpr uint32_t kMinBeepMs = 120;
constexpr uint32_t kMaxBeepMs = 4000;
// Frames to wait after a tone ends before calling it a beep: long enough to see whether
// another tone follows straight away (SIT, music).
constexpr int kBeepGuardFrames = 3;
// Tones at the fax frequencies wait longer, so spandsp's CNG/CED detectors decide first.
constexpr int kFaxBandGuardFrames = 25;

bool near_fax_frequency(float hz) {
  return std::fabs(hz - 1100.0f) < 40.0f || std::fabs(hz - 2100.0f) < 40.0f;
}
}  // namespace

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::human: return "human";
    case Verdict::machine: return "machine";
    case Verdict::fax: return "fax";
    case Verdict::sit: return "sit";
    case Verdict::silence: return "silence";
    case Verdict::unknown: return "unknown";
  }
  return "unknown";
}

bool parse_verdict(std::string_view s, Verdict& out) {
  for (Verdict v : {Verdict::human, Verdict::machine, Verdict::fax, Verdict::sit,
                    Verdict::silence, Verdict::unknown}) {
    if (to_string(v) == s) {
      out = v;
      return true;
    }
  }
  return false;
}

Classifier::Classifier(const Params& p)
    : p_(p), vad_(p.vad_margin_db), timing_(p), asterisk_(p) {
  if (p_.algorithm == Algorithm::hark) {
    if (p_.detect_beep) tones_ = std::make_unique<ToneTracker>();
    if (p_.detect_fax) fax_ = std::make_unique<FaxDetector>();
    if (p_.detect_sit) sit_ = std::make_unique<SitDetector>();
  }
}

Event Classifier::make_verdict(Verdict v, const char* cause) const {
  Event e;
  e.kind = EventKind::verdict;
  e.verdict = v;
  e.at_ms = now_ms_;
  std::snprintf(e.cause, sizeof e.cause, "%s", cause);
  return e;
}

int Classifier::rx(std::span<const int16_t> frame, Event* out) {
  if (phase_ == Phase::done) return 0;
  int16_t padded[kFrameSamples];
  if (frame.size() != size_t(kFrameSamples)) {
    const size_t n = std::min(frame.size(), size_t(kFrameSamples));
    std::memcpy(padded, frame.data(), n * sizeof(int16_t));
    std::memset(padded + n, 0, (kFrameSamples - n) * sizeof(int16_t));
    frame = std::span<const int16_t>(padded, kFrameSamples);
  }
  now_ms_ += kFrameMs;

  if (p_.algorithm == Algorithm::asterisk) {
    auto v = asterisk_.rx(frame, kFrameMs, now_ms_);
    if (!v) return 0;
    phase_ = Phase::done;
    out[0] = *v;
    return 1;
  }
  return rx_hark(frame, out);
}

bool Classifier::beep_confirmed(ToneSegment& beep) {
  if (!tones_) return false;
  if (const auto& seg = tones_->ended()) {
    const uint32_t d = seg->duration_ms();
    if (!tones_->ended_into_tone() && d >= kMinBeepMs && d <= kMaxBeepMs) {
      candidate_ = *seg;
      candidate_wait_ =
          phase_ == Phase::analysing && near_fax_frequency(seg->hz) ? kFaxBandGuardFrames
                                                                    : kBeepGuardFrames;
    } else {
      candidate_wait_ = -1;
    }
  }
  if (candidate_wait_ < 0) return false;
  if (tones_->tonal()) {  // another tone followed: a sequence, not a beep
    candidate_wait_ = -1;
    return false;
  }
  if (candidate_wait_-- > 0) return false;
  beep = candidate_;
  candidate_wait_ = -1;
  return true;
}

int Classifier::rx_hark(std::span<const int16_t> frame, Event* out) {
  int n = 0;
  const bool voice = vad_.rx(frame);
  if (tones_) tones_->rx(frame, now_ms_, vad_.last_db(), vad_.floor_db());

  if (phase_ == Phase::listening_for_beep) {
    ToneSegment beep;
    if (beep_confirmed(beep)) {
      Event e;
      e.kind = EventKind::beep;
      e.verdict = Verdict::machine;
      e.at_ms = now_ms_;
      e.beep_onset_ms = beep.onset_ms;
      e.beep_hz = uint16_t(std::lround(beep.hz));
      std::snprintf(e.cause, sizeof e.cause, "beep-%dHz-%ums", int(std::lround(beep.hz)),
                    beep.duration_ms());
      out[n++] = e;
      phase_ = Phase::done;
    } else if (now_ms_ - verdict_ms_ >= uint32_t(p_.beep_timeout_ms)) {
      phase_ = Phase::done;
    }
    return n;
  }

  // Analysing.
  if (fax_) {
    const auto tone = fax_->rx(frame);
    if (tone != FaxDetector::Tone::none) {
      out[n++] = make_verdict(Verdict::fax, tone == FaxDetector::Tone::cng ? "fax-cng" : "fax-ced");
      phase_ = Phase::done;
      return n;
    }
  }
  if (sit_ && sit_->rx(frame, vad_.last_db(), vad_.floor_db())) {
    out[n++] = make_verdict(Verdict::sit, "sit-tri-tone");
    phase_ = Phase::done;
    return n;
  }
  ToneSegment beep;
  if (beep_confirmed(beep)) {
    out[n++] = make_verdict(Verdict::machine, "beep-before-verdict");
    Event e = out[0];
    e.kind = EventKind::beep;
    e.beep_onset_ms = beep.onset_ms;
    e.beep_hz = uint16_t(std::lround(beep.hz));
    std::snprintf(e.cause, sizeof e.cause, "beep-%dHz-%ums", int(std::lround(beep.hz)),
                  beep.duration_ms());
    out[n++] = e;
    phase_ = Phase::done;
    return n;
  }

  // Tones are not speech: a beep, SIT or fax tone must not pass for a short greeting.
  const bool tone_now = (tones_ && tones_->tonal()) || (sit_ && sit_->last_band() >= 0);
  if (auto v = timing_.rx(voice && !tone_now, kFrameMs, now_ms_)) {
    out[n++] = *v;
    verdict_ms_ = now_ms_;
    phase_ = v->verdict == Verdict::machine && tones_ ? Phase::listening_for_beep : Phase::done;
  }
  return n;
}

int Classifier::finish(Event* out) {
  if (phase_ != Phase::analysing) {
    phase_ = Phase::done;
    return 0;
  }
  phase_ = Phase::done;
  if (p_.algorithm == Algorithm::asterisk) {
    out[0] = make_verdict(Verdict::unknown, "audio-ended");
    return 1;
  }
  out[0] = timing_.finish(now_ms_);
  return 1;
}

}  // namespace hark::amd
