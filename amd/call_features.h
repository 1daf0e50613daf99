// Per-call features for the learned greeting decision (greeting_model.h).
//
// Fed every 20 ms frame with the VAD's decision and levels, it keeps the timing of the
// greeting as it unfolds (bursts of voice, phrases separated by pauses of 260 ms or more,
// their lengths and order) and running statistics of energy and spectral shape over the voiced
// frames, and the pitch contour. Frames 12 dB or more below the talker's own level (the
// loudest stretch of a word; a TV, babble or a street behind a person) are not words here
// even when the VAD hears them; and faint "words" followed by a pause that still sounds with a
// pitch (a music intro's first swell and its bars) give way to the first clear word, where
// the features start again; unpitched "words" that the pause after them stands level with
// (a dead line's noise back after a concealment's fade, or lifted by an AGC) are none, and
// the features go back to no word heard. `values()` writes the feature vector the model was trained on:
// the same code runs in the classifier and in the offline dump the training script reads
// (`hark amd --dump-features`), so the two cannot drift apart. Fixed size, no allocation.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <span>

namespace hark::amd {

/// Whether a frame held two or more lasting spectral peaks (MusicDetector): unknown before the
/// detector has seen enough frames, or while it is not fed.
enum class HeldPeaks : uint8_t { unknown, none, held };

class CallFeatures {
 public:
  static constexpr int kCount = 27;
  /// Voice frames separated by fewer unvoiced frames than this are one burst.
  static constexpr int kBurstGapFrames = 3;
  /// The talker's level is the mean of their loudest stretch of this many word frames.
  static constexpr int kTalkerWindowFrames = 8;
  /// Column names, in order (the dump's header and the training script's columns).
  static const std::array<const char*, kCount>& names();

  /// Feeds one frame ending at `now_ms`: `voice` from the VAD, its power and the noise floor;
  /// `music`, whether music was playing (MusicDetector), and `music_dominant`, whether its
  /// lasting peaks held most of the frame's power.
  void rx(std::span<const int16_t> frame, bool voice, float frame_db, float floor_db,
          uint32_t now_ms, bool music = false, bool music_dominant = false,
          HeldPeaks held_peaks = HeldPeaks::unknown);

  /// True once a burst of voice long enough to be a word was heard, and false again when 400 ms
  /// of pause after it stood level with it (the line's level rose: no word; call_features.cpp).
  bool started() const { return started_; }
  uint32_t onset_ms() const { return onset_ms_; }
  /// The first word's onset, kept when a clear word restarts the features (onset_ms() is
  /// then that word's): what the classifier asks when it asks whether anything was said
  /// before a tone.
  uint32_t first_word_ms() const { return first_word_ms_; }
  uint32_t last_voice_ms() const { return last_word_end_ms_; }
  /// Silence since the last word (0 while someone talks).
  int pause_ms(uint32_t now_ms) const { return started_ ? int(now_ms - last_word_end_ms_) : 0; }
  /// From the first word's onset to the last word's end.
  int span_ms() const { return started_ ? int(last_word_end_ms_ - onset_ms_) : 0; }
  /// Length of the voiced run under way (0 in a pause).
  int run_ms() const { return gap_frames_ == 0 ? run_frames_ * 20 : 0; }
  /// True while a burst of voice is under way: a voiced frame within the last burst gap
  /// (a dip of a frame or two between syllables does not end it, as run_ms() does).
  bool in_burst() const { return run_frames_ > 0 && gap_frames_ < kBurstGapFrames; }
  /// Frames heard as talk among the last `n` (at most 32) fed with sound (a loss burst's first
  /// frames are not fed: rx()): voice, after the below-talker and pitched-onset tests, and not
  /// music counted as the greeting going on.
  int talk_frames_in_last(int n) const { return set_in_last(talk_hist_, n); }
  /// The mean level of the pause under way over the noise floor the first word came out of
  /// (0 while someone talks): near 0 for a quiet line, or a background that was there before
  /// the first word; music the VAD's floor climbed into reads 10 dB and more.
  float pause_over_onset_floor_db() const {
    return pause_frames_ > 0 ? float(pause_db_sum_ / pause_frames_) - onset_floor_db_ : 0.0f;
  }

  /// A pause holds music when it lasted this many frames (200 ms) or more and music played
  /// (MusicDetector::playing()) through at least half of them, whatever its level.
  static constexpr int kMusicPauseFrames = 10;
  /// True when the pause under way holds music, or an earlier, whole pause did: it stays true
  /// through the words after it (a decision on a word frame, past the longest greeting or at
  /// the timeout, still knows it).
  bool music_pause_heard() const { return music_pause_heard_ || pause_holds_music(); }
  /// The loudest word frame so far, in dB over the noise floor of its time.
  double loudest_word_over_floor_db() const { return max_level_; }

  /// Words that never stood this far over the floor are faint: a music bar's swell, a hiss an
  /// AGC lifted, the first breath of a sound that goes on (the VAD's margin is 6 dB). A person
  /// stands clear of music behind them (GreetingDecision's music swells, tuned at 8-14 dB).
  static constexpr double kFaintWordsDb = 8.0;
  /// True while every word so far stood under kFaintWordsDb over its floor.
  bool only_faint_words() const { return max_level_ < kFaintWordsDb; }
  /// A pause whose mean stands this far over the first word's floor still sounds.
  static constexpr float kSoundingPauseDb = 2.0f;
  /// ... and a pitch (frame_pitch_hz) in at least this share of its frames: music's notes.
  /// The noise an AGC lifts as it lets go after a quiet "hello" sounds too, but has none.
  static constexpr int kPitchedPauseShareDiv = 5;  // a fifth
  /// A word this much louder than faint words before it begins the greeting again.
  static constexpr double kClearOverFaintDb = 6.0;
  /// True in a pause that still sounds, with a pitch new on the line (none of a hum or TV
  /// that was there before the first word), after faint words only: the line's music going
  /// on (the VAD's floor climbed into it), no "hello" and quiet. The greeting may not have
  /// begun: a word that comes out of such a pause, clear of them, restarts these features.
  bool faint_words_in_sound() const {
    return started_ && only_faint_words() && pause_over_onset_floor_db() >= kSoundingPauseDb &&
           pause_pitched_frames_ * kPitchedPauseShareDiv >= pause_frames_;
  }

  /// Music heard at the talker's level since the first word: frames the VAD called quiet
  /// that stood over the first word's floor, and voiced frames whose power the music's
  /// lasting peaks held (see rx()). Once the words are no longer music's notes
  /// (words_held_like_music()), not the music counted while they were: that music opened the
  /// line, and someone then spoke over it (2 more of the music check's 120 hellos over music
  /// a person; no other verdict of the check, dev, train or test changed).
  int music_ms() const {
    return (words_held_like_music() ? music_frames_ : music_frames_ - opening_music_frames_) * 20;
  }

  /// Words (10 frames of them or more, counted where the detector knew) whose frames held a
  /// chord's lasting peaks (MusicDetector, with a share of the frame's power: VoiceFrontEnd)
  /// 85 % of the time or more, on a line that held them in under half of the 500 ms before
  /// the first word (or the word a restart begins at: restart_at_run()): music's bars that
  /// opened the line, read as words. A voice's harmonics glide and break: at most 78 % of a
  /// dev person's word frames held them, 74 % of a train person's (synthetic voices, which
  /// hold steadier than recorded ones). Music already playing when a person speaks over it was
  /// there before their word, and is background. The detector calls no peak held in the
  /// line's first 160 ms, so a word that begins then always finds the sound new: hence the
  /// share of power, which a steady chord or buzz under a voice does not hold.
  static constexpr int kHeldWordsMinFrames = 10;
  static constexpr int kHeldWordsShareNum = 17, kHeldWordsShareDen = 20;  // 85 %
  bool words_held_like_music() const {
    return held_new_at_onset_ && word_frames_ >= kHeldWordsMinFrames &&
           word_held_frames_ * kHeldWordsShareDen >= word_frames_ * kHeldWordsShareNum;
  }

  /// True when the last frame was a word's and had a voice's pitch (frame_pitch_hz).
  bool last_frame_pitched_word() const { return last_pitched_word_; }

  /// The feature vector at `now_ms` (valid once started()).
  void values(uint32_t now_ms, float* out) const;

 private:
  struct Stats {
    double n = 0, sum = 0, sum2 = 0;
    void add(double x) { n += 1; sum += x; sum2 += x * x; }
    double mean() const { return n > 0 ? sum / n : 0; }
    double sd() const;
  };

  bool started_ = false;
  uint32_t onset_ms_ = 0;
  uint32_t last_word_end_ms_ = 0;
  int run_frames_ = 0;          // voiced frames in the current run
  int gap_frames_ = 1 << 20;    // unvoiced frames since the last voiced one
  uint32_t talk_hist_ = 0;      // the last 32 frames: heard as talk (talk_frames_in_last)
  int run_lost_frames_ = 0;     // lost frames inside the current run (not in run_frames_)
  int lost_in_row_ = 0;         // lost frames in a row up to this one
  bool run_counted_ = false;    // the current run is a word (a burst)
  float run_peak_db_ = -120;    // the current run's loudest frame (absolute dB)
  int bursts_ = 0;
  int voiced_ms_ = 0;
  // Phrases: the current one, the first, the longest; pauses between them.
  uint32_t phrase_start_ms_ = 0;
  int phrases_closed_ = 0;
  int first_phrase_ms_ = -1;
  int longest_phrase_ms_ = 0;
  int longest_pause_ms_ = 0;
  int pauses_sum_ms_ = 0;
  Stats level_, zcr_, hf_;  // voiced frames: dB over the floor, zero crossings, high-band share
  double max_level_ = 0;
  // The run under way came after faint words and a pause that sounded (faint_words_in_sound),
  // began at run_start_ms_, and those words peaked at faint_words_db_: it restarts the
  // features if it stands kClearOverFaintDb over them.
  bool restartable_ = false;
  uint32_t run_start_ms_ = 0;
  double faint_words_db_ = 0;
  void restart_at_run();
  void unstart();  // back to no word heard: the "words" were the line's level rising
  uint32_t first_word_ms_ = 0;      // first_word_ms(): kept through a restart
  bool pitch_new_at_onset_ = true;  // at most half the 500 ms before the first word pitched
  Stats phrase_level_;      // the current phrase's voiced frames
  double first_phrase_level_ = 0;
  float recent_db_[5] = {};  // the last five voiced frames' dB over the floor
  int recent_n_ = 0;
  float floor_db_ = -120;
  double talker_db_ = 0;     // the talker's level: a word's loudest stretch, mean absolute dB
  bool has_talker_ = false;
  double run_db_sum_ = 0;    // the current word's last kTalkerWindowFrames frames (absolute dB)
  int run_db_n_ = 0;         // the current word's frames
  float run_win_[kTalkerWindowFrames] = {};
  // Pitch (autocorrelation at 4 kHz) of the voiced frames: over the call, over the current
  // phrase, and its last three values (a question rises at its end).
  Stats f0_, phrase_f0_;
  float recent_f0_[3] = {};
  int recent_f0_n_ = 0;
  int pitched_ = 0;
  bool last_pitched_word_ = false;
  float onset_floor_db_ = 0;  // the noise floor when the first word came (or the restart's)
  double pause_db_sum_ = 0;   // the frames of the pause under way (absolute dB)
  int pause_frames_ = 0;
  int pause_music_frames_ = 0;  // frames of the pause under way while music played
  int pause_pitched_frames_ = 0;  // ... with a pitch, after faint words only (else not read)
  int level_periodic_frames_ = 0;  // ... near the loudest word's level, with a period
  bool music_pause_heard_ = false;  // an earlier, whole pause held music
  bool pause_holds_music() const {
    return pause_frames_ >= kMusicPauseFrames && pause_music_frames_ * 2 >= pause_frames_;
  }
  int music_frames_ = 0;      // such frames of music (music_ms)
  int opening_music_frames_ = 0;  // ... counted while the words were music's notes
  // words_held_like_music(): the words' frames the music detector knew about, those that held
  // lasting peaks, and whether the sound was new at the first word (held_new_before_run()).
  int word_frames_ = 0, word_held_frames_ = 0;
  bool held_new_at_onset_ = true;
  uint64_t held_hist_ = 0;  // the last 64 frames fed: lasting peaks held, newest in bit 0
  bool held_new_before_run() const;
  // Before the first word: the run of frames whose pitch moves on smoothly (its length, its
  // frames 3 dB over the floor, its last pitch and range), the pitched frames among the 25
  // before it began, and the last 32 frames' "pitched" bits.
  int pitch_run_ = 0;
  int pitch_run_loud_ = 0;
  float run_f0_ = 0;
  float run_f0_lo_ = 0, run_f0_hi_ = 0;
  int run_pitched_before_ = 0;
  uint32_t pitched_hist_ = 0;
  // Pitched frames of the last kPitchHistoryFrames (before a word).
  int pitched_in_history() const;
  // The bits set among the last `n` (at most 32) of a frame history, newest in bit 0.
  static int set_in_last(uint32_t history, int n) {
    return std::popcount(n >= 32 ? history : history & ((uint32_t(1) << n) - 1));
  }
  int run_read_ = 0, run_periodic_ = 0;      // the run's voiced frames, and those with a period
  int words_read_ = 0, words_periodic_ = 0;  // ... of all the words' runs so far
  int pitch_run_periodic_ = 0;  // ... the run's frames with a period in the frame alone
  // Before the first word, the frame before this one (low_pitch_hz reads a low voice over
  // both); none after a lost frame or one of another size.
  int16_t onset_previous_[160] = {};
  bool has_onset_previous_ = false;
};

}  // namespace hark::amd
