// The streaming answering-machine classifier: 20 ms frames of 8 kHz audio in, events out.
//
// Pure DSP: no threads, sockets or clocks. The media workers feed it live RTP; `hark amd`
// feeds it files. Both get the same verdicts for the same audio.
//
// hark algorithm, per frame, in order of precedence:
//   fax tones (spandsp)  -> fax
//   SIT tri-tone         -> sit
//   a beep (FFT tones)   -> machine + beep
//   speech timing (VAD)  -> human / machine / silence / unknown
// After a machine verdict only the tone tracker keeps running, to report the beep that
// ends the greeting (what a voicemail drop waits for), for up to beep_timeout_ms.
// After a human verdict it keeps listening (up to late_listen_ms of audio): a beep, or talk
// running past longest_human_greeting_ms without a turn-taking pause, emits one late_machine
// event with its cause. The verdict stands; the event counts a suspected miss. After a
// monologue it listens on for the beep that ends it (a beep event, not a second late_machine).
// Every detector sees the audio through a DC-blocking filter (VoiceFrontEnd).
// Asterisk algorithm: app_amd's logic only (no beep, fax or SIT), for side-by-side runs.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "amd/asterisk_amd.h"
#include "amd/events.h"
#include "amd/faint_tone.h"
#include "amd/fax_detector.h"
#include "amd/params.h"
#include "amd/ringback.h"
#include "amd/sit_detector.h"
#include "amd/speech_timing.h"
#include "amd/tone_tracker.h"
#include "amd/greeting_decision.h"
#include "amd/vad.h"
#include "amd/voice_front_end.h"

namespace hark::amd {

class Classifier {
 public:
  static constexpr int kFrameSamples = 160;  ///< 20 ms at 8 kHz
  static constexpr int kFrameMs = 20;
  static constexpr int kMaxEvents = 2;       ///< a frame yields at most a verdict and a beep

  explicit Classifier(const Params& p);

  /// Feeds one 20 ms frame (160 samples; a short final frame is zero-padded). Writes up to
  /// kMaxEvents events to `out` and returns how many.
  int rx(std::span<const int16_t> frame, Event* out);

  /// The audio ended: returns 1 and a verdict in `out` when none was given yet, else 0.
  int finish(Event* out);

  /// True when nothing more can come of further audio.
  bool done() const { return phase_ == Phase::done; }
  bool has_verdict() const { return phase_ != Phase::analysing; }
  /// Audio time since the first frame (across restarts after ringing).
  uint32_t now_ms() const { return base_ms_ + now_ms_; }
  const Params& params() const { return p_; }

 private:
  enum class Phase : uint8_t { analysing, listening_for_beep, listening_after_human, done };

  int rx_hark(std::span<const int16_t> frame, Event* out);
  /// Ringing at the line's start (ringback.h): starts the analysis over from this frame, the
  /// call not answered yet, and writes a `ringing` event; past kMaxRingingMs of audio, the
  /// no-answer verdict instead. Returns 1.
  int restart_after_ring(const RingBurst& ring, bool single_tone, float hz, Event* out);
  /// The dead-air verdict after ringing: one single-tone "ring" and then silence was a
  /// beep-only answering machine's beep (machine + its beep event); more was ringing.
  int dead_air_after_ringing(const Event& dead_air, Event* out);
  /// Turns the first `n` events in `out` from time since the last restart into audio time
  /// since the first frame; returns `n`.
  int to_audio_time(Event* out, int n) const;
  int rx_after_human(Event* out);
  uint32_t greeting_onset_ms() const;
  /// True when the VAD's floor was known when `tone` began: it began after the first heard
  /// frame and the next (a floor measured on the tone itself says nothing of it).
  bool floor_known_before(const ToneSegment& tone) const {
    return first_heard_ms_ != UINT32_MAX && tone.onset_ms > first_heard_ms_ + 2 * kFrameMs;
  }
  bool beep_confirmed(ToneSegment& beep);
  bool tone_beep_confirmed(ToneSegment& beep);  // the tone tracker's segments (beep_rules.cpp)
  /// Joins a falling glide's tail (glide_tail in beep_rules.cpp) to the candidate glide.
  void join_tail(const ToneSegment& tail);
  bool piece_fits(const ToneSegment& seg) const;
  /// Takes this frame into `quietest_db` when it is one that `seg`'s after_db looks at.
  void hear_after(const ToneSegment& seg, float& quietest_db) const;
  /// A tone whose level ran on to the frame it ended at had its after_db taken before those
  /// frames came: true when the quietest of them, heard since, was not quiet after all.
  static bool ran_on_into_sound(const ToneSegment& seg, float quietest_after_db);
  Event make_verdict(Verdict v, const char* cause) const;
  Event beep_event(const ToneSegment& beep) const;

  Params p_;
  Phase phase_ = Phase::analysing;
  uint32_t now_ms_ = 0;
  uint32_t verdict_ms_ = 0;
  VoiceFrontEnd front_;
  SpeechTiming timing_;
  GreetingDecision decision_;
  // After a human verdict: the start of the current stretch of talk without a turn-taking
  // pause (a monologue past the longest human greeting is a suspected machine).
  uint32_t talk_start_ms_ = 0;
  bool late_reported_ = false;  // a late_machine event went out: only a beep may follow
  AsteriskAmd asterisk_;
  std::unique_ptr<ToneTracker> tones_;
  std::unique_ptr<ToneTracker> spectrum_;  // the music detector's FFT when tones_ is off
  // Beeps under the line's noise, which the tone tracker does not see (faint_tone.h), and
  // the one that ended at this frame.
  std::unique_ptr<FaintToneDetector> faint_;  // with tones_ (8.3 KB: spectra it looks back on)
  std::optional<FaintToneDetector::Tone> faint_ended_;
  std::unique_ptr<FaxDetector> fax_;
  std::unique_ptr<SitDetector> sit_;
  // A tone that ended and may be a beep, held back a few frames in case another tone follows
  // at once (SIT, melodies) or a fax detector claims it.
  ToneSegment candidate_{};
  int candidate_wait_ = -1;
  // The quietest of the frames after the candidate that its after_db looks at, heard since
  // it ended (kNotHeardDb: none yet); see hear_after().
  float candidate_after_db_ = kNotHeardDb;
  // The candidate is a falling glide whose tail the tracker split off as a tone of its own
  // (its pitch fell faster than a frame's step): the tail joins it when it ends.
  bool candidate_tail_ = false;
  // A candidate cut by lost packets near an edge, dropped because a tone followed at once:
  // if that tone proves a beep at its pitch within 300 ms, it is this one going on after the
  // loss (its onset is this one's). Any other outcome clears it.
  std::optional<ToneSegment> cut_candidate_;
  // Short tones that may together make one beep (a rising or falling sequence, a double
  // beep): kept until no further piece follows within a gap's length.
  static constexpr int kMaxPieces = 3;
  // Words this long before a steady 1100 or 2100 Hz tone make it a beep rather than fax (and
  // before a faint tone, a beep at all).
  static constexpr uint32_t kMinSpeechBeforeBeepMs = 500;
  static constexpr float kNotHeardDb = 1000.0f;
  ToneSegment group_[kMaxPieces] = {};
  int group_n_ = 0;
  int group_wait_ = -1;
  bool group_quiet_after_ = false;
  // spandsp's fax detectors cost ~12 us a frame; they run only while the FFT sees a tone
  // near 1100 or 2100 Hz (and a while after), primed with the two frames before it.
  int fax_frames_left_ = 0;
  // Word frames with a voice's pitch that were no tone, and when the kth of them was heard
  // (UINT32_MAX: not yet): a tone after it may be a beep, not fax (speech_before in rx_hark).
  int pitched_word_frames_ = 0;
  uint32_t voice_heard_ms_ = UINT32_MAX;
  int16_t previous_[2 * kFrameSamples] = {};
  // When the first frame that was not a lost packet began (UINT32_MAX: none yet): the VAD's
  // floor starts at that frame's level.
  uint32_t first_heard_ms_ = UINT32_MAX;
  // Ringing after the answer (ringback.h). Each burst at the line's start, before any word,
  // starts the analysis over: base_ms_ is the audio time at the restart (now_ms_ and every
  // detector count from it; events are reported in audio time since the first frame).
  RingPairBursts ring_pairs_;
  // The last raw frames: a restart feeds the new classifier those since the ring ended (a
  // burst is known to have ended only kMaxGapFrames later, and a "hello" may have begun).
  // Kept from the frame a ring may be under way (5 KB: allocated then, not for every call).
  static constexpr int kRecentFrames = RingPairBursts::kMaxGapFrames + 4;
  struct RecentFrames {
    int16_t frame[kRecentFrames][kFrameSamples];
    uint32_t n = 0;  // frames stored
  };
  std::unique_ptr<RecentFrames> recent_;
  uint32_t base_ms_ = 0;
  int rings_ = 0;
  bool last_ring_single_ = false;  // the last burst was one tone (may have been a beep)
  RingBurst last_ring_{};          // in audio time since the first frame
  float last_ring_hz_ = 0;
};

}  // namespace hark::amd
