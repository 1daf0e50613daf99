#include "amd/classifier.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace hark::amd {

namespace {
// Backups for spandsp's fax detectors, which miss tones on noisy lines: before any verdict a
// pure 2100 Hz tone this long is CED, and a lone 1100 Hz burst of CNG's length before anyone
// spoke is CNG. Such tones are never taken for beeps before a verdict.
constexpr uint32_t kCedMinMs = 2000;
constexpr uint32_t kCngMinMs = 350, kCngMaxMs = 800;
constexpr float kMaxFaxHzSpread = 20.0f;
// ... and a CNG burst stands out of the line's floor by the VAD's margin at least: a note of
// music near 1100 Hz rises 4 dB out of the music it is part of (on the 2355 non-test files
// the backup's CNG stood 7-38 dB over the floor). Unless the tone began with the first frame
// heard (the line's first, or the first after digital silence): the VAD's floor starts at that
// frame's level, the tone's own.
constexpr float kMinCngOverFloorDb = 6.0f;
bool near(float hz, float f, float tolerance = 40.0f) { return std::fabs(hz - f) < tolerance; }
// The FFT gate: a frame this tonal near a detector's frequencies wakes that detector.
constexpr float kGateTonality = 0.4f;
constexpr int kFaxGateFrames = 50;
// ... with this many word frames of a voice (pitched, and no pure tone) heard before the tone
// began. Not a line's noise that an AGC lifted into a "word" at the answer, before a fax's CED
// or CNG (2 of the 40 fax files of the dev renderings were machines by their "beep").
constexpr int kMinPitchedWordFramesBeforeBeep = 4;
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
    : p_(p), front_(p.vad_margin_db), timing_(p), decision_(p), asterisk_(p) {
  if (p_.algorithm == Algorithm::hark) {
    // Without beep detection the music detector still needs a spectrum: the model was
    // trained on features that heard music (feature_dump.cpp).
    if (p_.detect_beep) {
      tones_ = std::make_unique<ToneTracker>();
      faint_ = std::make_unique<FaintToneDetector>();
    } else if (p_.learned_decision) {
      spectrum_ = std::make_unique<ToneTracker>();
    }
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

Event Classifier::beep_event(const ToneSegment& beep) const {
  Event e;
  e.kind = EventKind::beep;
  e.verdict = Verdict::machine;
  e.at_ms = now_ms_;
  e.beep_onset_ms = beep.onset_ms;
  e.beep_hz = uint16_t(std::lround(beep.hz));
  std::snprintf(e.cause, sizeof e.cause, "beep-%dHz-%ums", int(e.beep_hz), beep.duration_ms());
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
  return to_audio_time(out, rx_hark(frame, out));
}

int Classifier::to_audio_time(Event* out, int n) const {
  // Detectors count from the last restart after ringing; events say audio time since the
  // first frame. (A beep-only greeting's beep began before the restart: its onset was written
  // as onset - base, which wraps, and wraps back here.)
  for (int i = 0; i < n; ++i) {
    out[i].at_ms += base_ms_;
    if (out[i].beep_hz != 0) out[i].beep_onset_ms += base_ms_;
  }
  return n;
}

int Classifier::restart_after_ring(const RingBurst& ring, bool single_tone, float hz, Event* out) {
  if (base_ms_ + now_ms_ > kMaxRingingMs) {
    out[0] = make_verdict(Verdict::silence, "");
    std::snprintf(out[0].cause, sizeof out[0].cause, "ringing-%d-bursts-%ums", rings_ + 1, base_ms_ + now_ms_);
    phase_ = Phase::done;
    return 1;
  }
  // A fresh classifier from this frame on: nothing heard so far says anything of who answers.
  // (Its detectors are allocated anew: once per ring, a few times a call at most.) Silence is
  // dead air only past the longest pause between rings. late_listen and the analysis window
  // count from here, where the call is answered after all.
  Params p = p_;
  p.initial_silence_ms = std::max(p.initial_silence_ms, kLongestRingPauseMs);
  Classifier fresh(p);
  // It starts where the ring ended, on the frames heard since (this one included).
  const uint32_t since = std::min<uint32_t>({(now_ms_ - std::min(now_ms_, ring.end_ms)) / kFrameMs,
                                             uint32_t(kRecentFrames), recent_ ? recent_->n : 0u});
  fresh.base_ms_ = base_ms_ + now_ms_ - since * kFrameMs;
  fresh.rings_ = rings_ + 1;
  fresh.last_ring_single_ = single_tone;
  fresh.last_ring_ = {base_ms_ + ring.onset_ms, base_ms_ + ring.end_ms};
  fresh.last_ring_hz_ = hz;
  // Little can come of so few frames after a restart (no verdict before a word and a pause, no
  // ring shorter than kMinRingMs); what does is sent after the ringing event (kMaxEvents - 1).
  Event from_replay[kMaxEvents];
  int replayed = 0;
  for (uint32_t i = since; i > 0; --i) {
    const int16_t* f = recent_->frame[(recent_->n - i) % kRecentFrames];
    fresh.now_ms_ += kFrameMs;
    Event ev[kMaxEvents];
    const int k = fresh.phase_ == Phase::analysing ? fresh.rx_hark({f, size_t(kFrameSamples)}, ev) : 0;
    for (int j = 0; j < k && replayed < kMaxEvents - 1; ++j) from_replay[replayed++] = ev[j];
  }
  *this = std::move(fresh);
  // Stamped with the ring's end, where the new classifier's time starts (rx() adds the base):
  // the call's real answer.
  Event e;
  e.kind = EventKind::ringing;
  e.verdict = Verdict::unknown;
  e.at_ms = 0;
  std::snprintf(e.cause, sizeof e.cause, "ring-%d-%ums", rings_, last_ring_.end_ms - last_ring_.onset_ms);
  out[0] = e;
  for (int j = 0; j < replayed; ++j) out[1 + j] = from_replay[j];
  return 1 + replayed;
}

int Classifier::dead_air_after_ringing(const Event& dead_air, Event* out) {
  phase_ = Phase::done;
  if (rings_ == 1 && last_ring_single_) {
    // One 400-450 Hz tone, then silence past the longest pause between rings (the restart's
    // initial silence is at least kLongestRingPauseMs): no ring after all but
    // the beep of an answering machine that plays no greeting (it records now).
    out[0] = make_verdict(Verdict::machine, "beep-only-greeting");
    if (!tones_) return 1;  // beep detection off: no beep event
    ToneSegment beep;
    beep.onset_ms = last_ring_.onset_ms - base_ms_;  // wraps; rx() adds base_ms_ back
    beep.end_ms = last_ring_.end_ms - base_ms_;
    beep.hz = last_ring_hz_;
    out[1] = beep_event(beep);
    return 2;
  }
  out[0] = dead_air;
  std::snprintf(out[0].cause, sizeof out[0].cause, "dead-air-after-%d-rings", rings_);
  return 1;
}

uint32_t Classifier::greeting_onset_ms() const {
  if (!p_.learned_decision) return timing_.greeting_onset_ms();
  // The first word's, even once a clear word restarted the features (a music intro's swell):
  // a tone after it came after sound (CallFeatures::first_word_ms).
  return front_.features().started() ? front_.features().first_word_ms() : UINT32_MAX / 2;
}

int Classifier::rx_after_human(Event* out) {
  constexpr int kTurnPauseMs = 1500;  // a person pauses this long to let the agent talk
  const auto& f = front_.features();
  ToneSegment beep;
  if (beep_confirmed(beep)) {
    if (late_reported_) {  // the monologue was reported: the beep that ends it is news still
      out[0] = beep_event(beep);
      phase_ = Phase::done;
      return 1;
    }
    Event e = beep_event(beep);
    e.kind = EventKind::late_machine;
    std::snprintf(e.cause, sizeof e.cause, "late-beep-%dHz-%ums", int(e.beep_hz), beep.duration_ms());
    out[0] = e;
    Event b = beep_event(beep);
    out[1] = b;
    phase_ = Phase::done;
    return 2;
  }
  if (now_ms_ >= uint32_t(p_.late_listen_ms)) phase_ = Phase::done;
  if (late_reported_) return 0;
  // (No word at all: the features went back to none, CallFeatures::started(); a talk begun
  // before that is over.)
  if (!f.started() || f.pause_ms(now_ms_) >= kTurnPauseMs) talk_start_ms_ = 0;
  else if (talk_start_ms_ == 0 && f.run_ms() > 0) talk_start_ms_ = now_ms_ - uint32_t(f.run_ms());
  if (talk_start_ms_ != 0 && f.last_voice_ms() > talk_start_ms_ &&
      int(f.last_voice_ms() - talk_start_ms_) > p_.longest_human_greeting_ms) {
    Event e = make_verdict(Verdict::machine, "");
    e.kind = EventKind::late_machine;
    std::snprintf(e.cause, sizeof e.cause, "late-monologue-%ums", f.last_voice_ms() - talk_start_ms_);
    out[0] = e;
    // A monologue is a machine's greeting: keep listening for the beep that ends it (the
    // voicemail drop waits for it, and `hark amd` reports it).
    late_reported_ = true;
    return 1;
  }
  return 0;
}

int Classifier::rx_hark(std::span<const int16_t> raw, Event* out) {
  int n = 0;
  int16_t filtered[kFrameSamples];
  // The front end feeds the tone tracker and, while the greeting is decided, listens for
  // music in its spectrum, as in the feature dump the model was trained on. The faint-tone
  // detector reads the spectrum of every frame, quiet ones too. Not on early media, which
  // decides nothing but SIT: no FFT of every quiet frame of a ringback.
  ToneTracker* spectrum = tones_ ? tones_.get() : spectrum_.get();
  const bool deciding = phase_ == Phase::analysing && p_.learned_decision && !p_.early_media_sit_only;
  const bool every_frame = faint_ && !p_.early_media_sit_only;
  const bool voice = front_.rx(raw, now_ms_, filtered, spectrum, deciding, every_frame);
  // (Every frame, heard or not: the detector keeps the line's own spectrum. A tone it finds
  // ending on a frame that returns before the beep rules, a ring's, is dropped: a faint beep
  // needs words before it, and a ring comes before any.)
  if (every_frame)
    faint_ended_ = faint_->rx(tones_->band_power(), now_ms_, voice || tones_->tonal(),
                              is_lost_frame(front_.vad().last_db()));
  const std::span<const int16_t> frame(filtered, kFrameSamples);
  const Vad& vad_ = front_.vad();
  if (first_heard_ms_ == UINT32_MAX && !is_lost_frame(vad_.last_db())) first_heard_ms_ = now_ms_ - kFrameMs;

  if (phase_ == Phase::listening_after_human) return rx_after_human(out);
  if (phase_ == Phase::listening_for_beep) {
    ToneSegment beep;
    if (beep_confirmed(beep)) {
      out[n++] = beep_event(beep);
      phase_ = Phase::done;
    } else if (now_ms_ - verdict_ms_ >= uint32_t(p_.beep_timeout_ms)) {
      phase_ = Phase::done;
    }
    return n;
  }

  // Analysing (the only phase that asks whether a voice was heard before a tone).
  if (front_.features().last_frame_pitched_word() && !(tones_ && tones_->tonal()) &&
      ++pitched_word_frames_ == kMinPitchedWordFramesBeforeBeep)
    voice_heard_ms_ = now_ms_;
  // Half a second of words before `tone` began (without one: the tone that just
  // ended, or one that ended before now), and a voice among them: a fax sends its tones with
  // no voice first (a line's AGC lifting its noise can make the first 300 ms read as a word,
  // or half a second, flat and unpitched). Without the tone tracker the fax tone itself reads
  // as words, so spandsp's verdict stands.
  const auto speech_before = [&](const std::optional<ToneSegment>& tone) {
    if (!tones_) return false;
    const auto& ended = tones_->ended();
    const uint32_t onset = tone ? tone->onset_ms : ended ? ended->onset_ms : now_ms_;
    return greeting_onset_ms() + kMinSpeechBeforeBeepMs < onset && voice_heard_ms_ <= onset;
  };
  // The FFT's view of this frame gates the per-sample detectors (see
  // bench/amd_bench.cpp for what each costs).
  const bool fft_gate = tones_ != nullptr;
  const float tonality = fft_gate ? tones_->last_tonality() : 1.0f;
  const float hz = fft_gate ? tones_->last_hz() : 0.0f;
  if (fax_ && fft_gate && tonality >= kGateTonality && (near(hz, 1100.0f, 80.0f) || near(hz, 2100.0f, 80.0f))) {
    if (fax_frames_left_ == 0) fax_->rx(previous_);
    fax_frames_left_ = kFaxGateFrames;
  }
  const bool run_fax = fax_ && !p_.early_media_sit_only && (!fft_gate || fax_frames_left_ > 0);
  std::memmove(previous_, previous_ + kFrameSamples, kFrameSamples * sizeof(int16_t));
  std::memcpy(previous_ + kFrameSamples, frame.data(), kFrameSamples * sizeof(int16_t));
  if (run_fax) {
    if (fax_frames_left_ > 0) --fax_frames_left_;
    auto tone = fax_->rx(frame);
    // A fax calls or answers with no voice first. An 1100 or 2100 Hz tone after a greeting is
    // the machine's beep (spandsp names any half-second 1100 Hz tone CNG, and a second of
    // 2100 Hz CED): left to the beep rules.
    if (tone != FaxDetector::Tone::none && speech_before(tones_ ? tones_->current() : std::nullopt))
      tone = FaxDetector::Tone::none;
    // spandsp names CNG 415 ms into any 1100 Hz tone, whatever follows; CNG is a burst of
    // about half a second. While the tracker follows the tone, its end is awaited: one longer
    // than the CNG backup takes (kCngMaxMs) is no CNG but a beep (a beep-only machine's, or
    // one after too few words to vouch for it), and spandsp's call is taken back. (A fax's
    // next burst comes 3 s later, and is named again.)
    if (tone == FaxDetector::Tone::cng && tones_) {
      if (const auto cur = tones_->current(); cur && near(cur->hz, 1100.0f)) {
        if (cur->duration_ms() > kCngMaxMs) fax_->forget();
        tone = FaxDetector::Tone::none;
      }
    }
    if (tone != FaxDetector::Tone::none) {
      out[n++] = make_verdict(Verdict::fax, tone == FaxDetector::Tone::cng ? "fax-cng" : "fax-ced");
      phase_ = Phase::done;
      return n;
    }
  }
  bool sit_now = false;
  if (sit_) {
    // A lost frame goes to the detector too: lost frames just before a tone count in its length.
    const bool lost = is_lost_frame(vad_.last_db());
    if (!fft_gate || sit_->in_sequence() || lost || (tonality >= kGateTonality && hz > 850.0f && hz < 1850.0f))
      sit_now = sit_->rx(frame, vad_.last_db(), vad_.floor_db());
    else
      sit_->skip();
  }
  if (sit_now) {
    out[n++] = make_verdict(Verdict::sit, "sit-tri-tone");
    phase_ = Phase::done;
    return n;
  }
  if (tones_) {
    if (auto cur = tones_->current();
        cur && near(cur->hz, 2100.0f) && cur->duration_ms() >= kCedMinMs && !speech_before(cur)) {
      out[n++] = make_verdict(Verdict::fax, "fax-ced-tone");
      phase_ = Phase::done;
      return n;
    }
    if (const auto& seg = tones_->ended(); seg && near(seg->hz, 1100.0f) &&
                                           greeting_onset_ms() + 100 >= seg->onset_ms &&
                                           seg->duration_ms() >= kCngMinMs && seg->duration_ms() <= kCngMaxMs &&
                                           (!floor_known_before(*seg) ||
                                            seg->level_db >= seg->floor_db + kMinCngOverFloorDb)) {
      out[n++] = make_verdict(Verdict::fax, "fax-cng-tone");
      phase_ = Phase::done;
      return n;
    }
  }
  if (p_.early_media_sit_only) return n;  // ringback and announcements decide nothing else
  // Ringing at the line's start, before any word (ringback.h): the call is not answered yet.
  // The tone itself may have started the greeting's features (the VAD hears a tone as voice),
  // as for CNG above.
  // While a ring may be under way the greeting decision waits (the tone reads as words to it).
  // Without beep detection, on the music detector's tracker (the same FFT).
  if (ToneTracker* const rt = spectrum) {
    const auto no_word_before = [&](uint32_t onset) { return greeting_onset_ms() + 100 >= onset; };
    const auto pair = ring_pairs_.rx(rt->last_ringback_pair(), vad_.last_db(), now_ms_);
    const auto cur = rt->current();
    const bool ring_under_way = (ring_pairs_.ring_so_far(now_ms_) && no_word_before(ring_pairs_.onset_ms())) ||
                                (cur && may_be_ring(*cur) && no_word_before(cur->onset_ms));
    // Frames are kept from the first that may be a ring's (this one included), for the replay.
    if (ring_under_way && !recent_) recent_ = std::make_unique<RecentFrames>();
    if (recent_) std::memcpy(recent_->frame[recent_->n++ % kRecentFrames], raw.data(), sizeof recent_->frame[0]);
    // (A "hello" in the frames since the ring ended goes to the new classifier.)
    if (pair && no_word_before(pair->onset_ms)) return restart_after_ring(*pair, false, 0.0f, out);
    if (const auto& seg = rt->ended();
        seg && !rt->ended_into_tone() && ring_like(*seg) && no_word_before(seg->onset_ms))
      return restart_after_ring({seg->onset_ms, seg->end_ms}, true, seg->hz, out);
    if (ring_under_way) return n;
  }
  ToneSegment beep;
  // A steady tone near 1100 or 2100 Hz may be fax (CNG, CED) that spandsp has yet to name;
  // a glide or a sequence of tones through those frequencies is not, nor one after words.
  // Nor is a dual tone (CNG and CED are one tone each: an 1100 + 2200 Hz beep after a short
  // greeting whose words were too few to count), nor an 1100 Hz tone longer than CNG's
  // half-second burst (the backup above takes up to kCngMaxMs: a 2 s 1100 Hz beep).
  const auto fax_like = [&](const ToneSegment& b) {
    const bool cng_like = near(b.hz, 1100.0f) && b.duration_ms() <= kCngMaxMs;
    return !b.dual && b.pitch_spread() <= kMaxFaxHzSpread && (cng_like || near(b.hz, 2100.0f)) &&
           !speech_before(b);
  };
  if (beep_confirmed(beep) && !fax_like(beep)) {
    out[n++] = make_verdict(Verdict::machine, "beep-before-verdict");
    out[n++] = beep_event(beep);
    phase_ = Phase::done;
    return n;
  }

  // While a tone is under way (or just ended and may prove a beep, or a sequence of tones is
  // being assembled and the next may come) no "person" verdict: a short machine greeting is
  // followed by its beep within a few hundred ms. (A cap falling in a sequence's gap called
  // a person: on the 2355 non-test files 1 machine more, no latency changed.) Tonal frames
  // still count as voice: vowels are often tonal for a frame or two.
  // A steady tone near 1100 or 2100 Hz under way may be fax that spandsp (or the CED backup
  // above) is about to name: the greeting decision waits rather than read the tone as words.
  const auto current = tones_ ? tones_->current() : std::nullopt;
  if (current && p_.learned_decision && fax_like(*current)) return n;
  const bool tone_pending = candidate_wait_ >= 0 || current || (group_n_ > 0 && group_wait_ >= 0);
  auto v = p_.learned_decision ? decision_.rx(front_.features(), now_ms_, tone_pending)
                               : timing_.rx(voice, kFrameMs, now_ms_, tone_pending);
  if (v && v->verdict == Verdict::silence && rings_ > 0) return dead_air_after_ringing(*v, out);
  if (v) {
    out[n++] = *v;
    verdict_ms_ = now_ms_;
    if (v->verdict == Verdict::machine && tones_) phase_ = Phase::listening_for_beep;
    else if (v->verdict == Verdict::human && now_ms_ < uint32_t(p_.late_listen_ms)) phase_ = Phase::listening_after_human;
    else phase_ = Phase::done;
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
  out[0] = p_.learned_decision ? decision_.finish(front_.features(), now_ms_) : timing_.finish(now_ms_);
  // Audio that ended in silence after a ring: as if the silence had run its course.
  int n = 1;
  if (out[0].verdict == Verdict::silence && rings_ > 0) n = dead_air_after_ringing(Event(out[0]), out);
  return to_audio_time(out, n);
}

}  // namespace hark::amd
