#include "amd/call_features.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>

#include "amd/frame_pitch.h"
#include "amd/vad.h"

namespace hark::amd {

namespace {
constexpr int kFrameMs = 20;
constexpr int kBurstGapFrames = CallFeatures::kBurstGapFrames;
// A burst this long is a word; shorter ones are clicks, ...
constexpr int kMinWordFrames = 5;
// ... but for a syllable this long whose loudest frame comes this near the talker's level,
// once that level is known (CallFeatures::rx).
constexpr int kMinSyllableFrames = 4;
constexpr double kSyllableBelowTalkerDb = 6.0;
// Silence this long between words separates two phrases.
constexpr int kPhraseGapMs = 260;
// Once a word was heard, a frame this far below the talker's level is background (babble, a
// TV, a street 10-25 dB under the person), not talk.
constexpr double kBelowTalkerDb = 12.0;
// The talker's level is the loudest stretch of this many word frames (a syllable or two),
// counted from the frame a run became a word: a 100 ms word sets it from 180 ms on
// (from its first frame: the model retrained called 11 more people machine on the non-test
// files, and the median person 100 ms later). Not a word's mean: babble or a TV that runs on
// from the person's "hello" without a gap makes one long word of both, whose mean the
// background dragged down to its own level; then the background passed as talk until the
// longest greeting was over.
// On the 2355 non-test files, before retraining: 14 people more, 2 people and 1 machine fewer.
constexpr int kTalkerWindowFrames = CallFeatures::kTalkerWindowFrames;
// A burst of lost packets this long at most is a gap in the audio, not silence on the line.
constexpr int kMaxNeutralLostFrames = 5;
// Music counts as the greeting going on down to this far under the talker's level: about
// 12 dB under a word's mean, the measure before the loudest stretch (a greeting's music
// 12 dB down after its first bar, Classifier.AGreetingsMusicIsNoPauseAndNoPerson; on the
// 2355 non-test files 12-18 dB changed nothing).
constexpr double kMusicBelowTalkerDb = 14.0;
// Before the first word, a frame this far over the floor with a clear pitch is voice, though
// under the VAD's margin; and, as there, none quieter than Vad::kQuietestVoiceDb.
constexpr float kPitchedOnsetDb = 3.0f;
// frame_pitch_hz's range ends (lag 50, 80 Hz: the longest; lag 10, 400 Hz: a correlation that
// only falls from the shortest lag on): no period found inside the range.
constexpr float kLowestF0 = 80.0f, kHighestF0 = 400.0f;
bool voice_pitch(float f0) { return f0 > kLowestF0 && f0 < kHighestF0; }
// ... or a run of frames whose pitch moves on smoothly (a voice's F0, 66-300 Hz, within 15 %
// frame to frame, over 10 % in all) for 160 ms, one of them 3 dB over the floor, and a run
// still young (under half a second: a pitched background builds runs of any length).
constexpr float kMaxRunF0 = 300.0f, kRunF0Step = 0.15f, kMinRunF0Range = 1.1f;
constexpr int kMinPitchRunFrames = 8, kMaxPitchRunFrames = 25, kMinPitchRunLoudFrames = 1;
// Either way the pitch must be new on the line: at most half of the 25 frames (500 ms) before
// the run began were pitched. A mains hum (through the line's high-pass it reads 95-160 Hz and
// wobbles 10 %), an engine or a radio already there is background, whatever an AGC does to
// it; a person's first syllable, a few frames before the run, is not (10 frames and at most 2
// took it for background and lost two people).
constexpr int kPitchHistoryFrames = 25, kMaxPitchedBeforeRun = 12;
// Music counts as sound this far over the first word's floor (the VAD's margin).
constexpr float kMusicOverOnsetFloorDb = 6.0f;
// A pause of this many frames (400 ms) or more whose mean stands less than kWordsOverPauseDb
// under the loudest word before it (or over it) says those "words" were the line's own level
// rising: dead air whose noise came back after a concealed packet loss had pulled the VAD's
// floor down 6 dB (too shallow for the VAD's fade repair), or whose AGC lifted it 8 dB in the
// line's first 200 ms.
// A word stands clear of the quiet after it; these stood level with it, and the model took
// them and the quiet for a "hello" and a person waiting. The features go back to no word
// heard (unstart()). Only when all of these hold:
// - the words were noise: a period (frame_pitch_hz) in under a fifth of their runs' voiced
//   frames; a person's or a carrier prompt's words have one in half of them and more,
//   whatever an AGC does to the pause after them (a carrier's prompt at 11 dB SNR under an
//   11 dB AGC);
// - the VAD heard them (its 6 dB margin; a quiet person's pitched onset can stand under the
//   floor itself);
// - no music: music's bars sound through its pauses, and the greeting decision's music rules
//   judge those. The music detector needs a second of the line, so a pause with a period in a
//   fifth of its frames or more (read only in those within kLevelFrameDb of the loudest word's
//   level; the others count as none) is music's too: the first bar of music playing from the
//   line's first frame stood 1.4 dB over its pause (Classifier.AMusicGreetingsFirstBarIsNoLoneWord).
//   Without the music tests, 1 excerpt of the music check more was called a person, and 1
//   hello over music fewer.
// On the dev speakers' 815 files and the train renderings' 1280: 3 dead-air lines more, no
// other verdict changed. At 2 dB a train person over a 15 dB AGC became a machine
// (Classifier.APersonOnANoisyLinePastTheLongestGreetingIsAPerson: 1.7 dB). The margin is
// thin on both sides (the dead-air lines: 0.6-1.3 dB); the words' pitch is the firmer test.
// words_held_like_music(): the sound is new at the first word when at most 12 of the 25 frames
// (500 ms) before its run held lasting peaks, as for a pitch (kMaxPitchedBeforeRun).
constexpr int kHeldHistoryFrames = 25, kMaxHeldBeforeRun = 12;
constexpr int kLevelPauseFrames = 20;
constexpr double kWordsOverPauseDb = 1.5;
constexpr double kHeardWordDb = 6.0;
constexpr double kLevelFrameDb = 3.0;
}  // namespace

const std::array<const char*, CallFeatures::kCount>& CallFeatures::names() {
  static const std::array<const char*, kCount> n = {
      "pause_ms",          "span_ms",          "voiced_ms",
      "bursts",          "phrases",           "first_phrase_ms",  "last_phrase_ms",
      "longest_phrase_ms", "longest_pause_ms", "mean_pause_ms",   "bursts_per_s",
      "voiced_share",    "level_db",          "level_sd_db",      "max_level_db",
      "first_minus_last_db", "tail_minus_phrase_db", "zcr",       "zcr_sd",
      "hf_share",        "hf_sd",             "floor_db",         "run_ms",
      "f0_hz",           "f0_sd_share",       "f0_end_share",     "pitched_share"};
  return n;
}

double CallFeatures::Stats::sd() const {
  if (n < 2) return 0;
  const double m = mean();
  return std::sqrt(std::max(0.0, sum2 / n - m * m));
}

void CallFeatures::rx(std::span<const int16_t> frame, bool voice, float frame_db, float floor_db,
                      uint32_t now_ms, bool music, bool music_dominant, HeldPeaks held_peaks) {
  floor_db_ = floor_db;
  last_pitched_word_ = false;
  // Music counted while the words themselves were music's notes was the music that opened the
  // line, not music in someone's greeting (music_ms()). (As of the frame before.)
  if (words_held_like_music()) opening_music_frames_ = music_frames_;
  // A lost packet (digital silence) says nothing of the talk: it neither ends a word nor
  // lengthens the gap in a burst (a machine's next phrase that came through a few lost packets
  // was no word, and the pause ran on). It is not heard voice either: a run needs its heard
  // frames to be a word (kMinWordFrames), and the lost ones inside it only move its onset back. Time
  // still passes: a pause goes on through them. Only a loss burst's first frames: a far end
  // sending digital silence is quiet, or a word followed by it would stay under way (no
  // person verdict until 2 s of pause) and its pause would vanish from the features.
  const bool lost = is_lost_frame(frame_db);
  lost_in_row_ = lost ? lost_in_row_ + 1 : 0;
  if (lost && lost_in_row_ <= kMaxNeutralLostFrames) {
    if (run_frames_ > 0 && gap_frames_ == 0) ++run_lost_frames_;
    has_onset_previous_ = false;  // no period runs on across digital silence
    return;
  }
  held_hist_ = (held_hist_ << 1) | uint64_t(held_peaks == HeldPeaks::held);
  // Music after the first word, over the floor that word came out of, is the greeting going
  // on: a music greeting's first bar reads as a word, then the music lifts the VAD's floor
  // and reads as a pause, which the cap took for a person waiting. A TV playing before the
  // first word is in that floor, and music under a talker is background (below).
  // Music counts (music_ms) in frames the VAD called quiet, and in voiced ones only where the
  // music's peaks hold most of the power: over a mains buzz or a radio that keeps the
  // detector on, a person's own words are no music.
  const bool over_onset_floor = started_ && frame_db >= onset_floor_db_ + kMusicOverOnsetFloorDb;
  const bool music_sound = music && over_onset_floor && (!voice || music_dominant);
  if (music_sound) voice = true;
  // A quiet person on a line whose AGC lifted the noise to a few dB under their voice: the
  // VAD's 6 dB margin hears a frame or two of their "hello", never a word, and the call ended
  // as dead air (4 of the 7 people called silence on the 2355 non-test files). Their voice is
  // periodic and the noise is not. Only before the first word: after it, a TV or babble
  // behind a person would pass as their words (tried in the VAD itself: 5 quiet people more,
  // 6 over babble fewer).
  // Both read the frame's pitch before the first word; a pitch at either end of the range is
  // none (an AGC lifting a dead line's 50 Hz hum made "pitched" 400 Hz frames 3 dB over the
  // floor of it: a word, then a person).
  // The frame's period, once read (frame_pitch_hz; kNotRead before): before the first word
  // for every audible frame, and for every voiced frame (below). One correlation a frame, and
  // a second before the first word where a low voice's period is read (low_pitch_hz, below).
  constexpr float kNotRead = -1.0f;
  float frame_f0 = kNotRead;
  if (!started_) {
    // (No pitch is read where none would count: a dead line's quiet frames cost a copy.)
    const bool audible = frame_db > Vad::kQuietestVoiceDb;
    const float f0_alone = audible ? frame_pitch_hz(frame) : 0.0f;
    if (audible) frame_f0 = f0_alone;
    const bool pitched = audible && voice_pitch(f0_alone);
    // A run's pitch, where the frame alone shows none, may be a low voice's, read over this
    // frame and the one before (low_pitch_hz): 80-95 Hz voices under an AGC read a period in
    // too few of their frames to make a run, and ended as dead air (2 of the 3 dev people
    // called silence and the 1 train person: people since; and one dev person whose quiet
    // first syllable now makes a word, with a pause after it, a machine). Only for runs,
    // which must glide as a voice does: a steady bass note read as a pitched frame made
    // "words" of music (2 more excerpts of the music check called a person, 2 hellos over
    // music fewer). Nor while music plays, for the same reason (1 excerpt).
    float f0 = pitched ? f0_alone : 0.0f;
    if (!pitched && audible && !music && has_onset_previous_)
      f0 = low_pitch_hz(frame, onset_previous_);
    has_onset_previous_ = frame.size() == std::size(onset_previous_);
    if (has_onset_previous_) std::copy(frame.begin(), frame.end(), onset_previous_);
    const bool run_pitch = f0 > 0 && f0 <= kMaxRunF0;
    const int pitched_before = pitched_in_history();
    pitched_hist_ = (pitched_hist_ << 1) | uint32_t(pitched);
    if (run_pitch && pitch_run_ > 0 && std::fabs(f0 - run_f0_) <= kRunF0Step * run_f0_) {
      ++pitch_run_;
      pitch_run_periodic_ += f0_alone > 0;
      run_f0_lo_ = std::min(run_f0_lo_, f0);
      run_f0_hi_ = std::max(run_f0_hi_, f0);
    } else {
      pitch_run_ = run_pitch ? 1 : 0;
      pitch_run_periodic_ = run_pitch && f0_alone > 0;
      pitch_run_loud_ = 0;
      run_f0_lo_ = run_f0_hi_ = f0;
      run_pitched_before_ = pitched_before;
    }
    run_f0_ = f0;
    const bool over_floor = frame_db > floor_db + kPitchedOnsetDb;
    pitch_run_loud_ += run_pitch && over_floor;
    const bool new_pitch = (pitch_run_ > 0 ? run_pitched_before_ : pitched_before) <= kMaxPitchedBeforeRun;
    if (pitched && new_pitch && over_floor) voice = true;
    // Under an AGC that lifted the noise to their level, a quiet person's "hello" stands 3 dB
    // over the floor in a frame or two only (the AGC pumps it down), but their pitch runs on
    // through it. The run is the word: it began pitch_run_ frames ago (before the first word
    // no run of 5 voiced frames was ever counted).
    if (new_pitch && pitch_run_ >= kMinPitchRunFrames && pitch_run_ <= kMaxPitchRunFrames &&
        pitch_run_loud_ >= kMinPitchRunLoudFrames && run_f0_hi_ >= kMinRunF0Range * run_f0_lo_) {
      voice = true;
      run_frames_ = pitch_run_ - 1;
      run_read_ = pitch_run_ - 1;  // this frame is counted below
      run_periodic_ = pitch_run_periodic_ - (f0_alone > 0);  // a period in one frame alone
      run_lost_frames_ = 0;
      gap_frames_ = 0;
    }
  }
  const double below_talker_db = music_sound ? kMusicBelowTalkerDb : kBelowTalkerDb;
  if (voice && has_talker_ && frame_db < talker_db_ - below_talker_db) voice = false;
  music_frames_ += music_sound && voice;
  talk_hist_ = (talk_hist_ << 1) | uint32_t(voice && !music_sound);
  if (!voice) {
    ++gap_frames_;
    if (started_) {
      pause_db_sum_ += std::max(frame_db, -90.0f);
      ++pause_frames_;
      pause_music_frames_ += music;
      // (A pitch costs a correlation: read only where faint_words_in_sound() asks, or a pause
      // level with the words (kLevelPauseFrames) would.) Only a pitch new on the line counts:
      // a hum, an engine or a TV already pitched before the first word is background, as for
      // the pitched onset.
      const bool faint_pause = only_faint_words() && pitch_new_at_onset_ && frame_db > Vad::kQuietestVoiceDb;
      const bool level_frame =
          max_level_ >= kHeardWordDb && double(frame_db - onset_floor_db_) >= max_level_ - kLevelFrameDb;
      if (faint_pause || level_frame) {
        const float f0 = frame_pitch_hz(frame);
        pause_pitched_frames_ += faint_pause && voice_pitch(f0);
        level_periodic_frames_ += level_frame && f0 > 0;
      }
      // Noise words that stood level with the quiet after them, which has no notes: no words.
      if (pause_frames_ >= kLevelPauseFrames && max_level_ >= kHeardWordDb &&
          max_level_ - pause_over_onset_floor_db() < kWordsOverPauseDb &&
          level_periodic_frames_ * kPitchedPauseShareDiv < pause_frames_ &&
          words_periodic_ * kPitchedPauseShareDiv < words_read_ && music_frames_ == 0 && !music_pause_heard())
        unstart();
    }
    return;
  }
  if (gap_frames_ >= kBurstGapFrames) {
    run_frames_ = 0;
    run_lost_frames_ = 0;
    run_counted_ = false;
    run_peak_db_ = -120;
    run_db_sum_ = 0;
    run_db_n_ = 0;
    run_read_ = 0;
    run_periodic_ = 0;
    restartable_ = false;
  }
  gap_frames_ = 0;
  ++run_frames_;
  // Every voiced frame's period (used below for the word frames' pitch too): whether the
  // words were noise is judged on all their frames (kLevelPauseFrames), not on those after
  // the run became a word only. (Before the first word a voiced frame is audible: read above.)
  const float f0 = frame_f0 != kNotRead ? frame_f0 : frame_pitch_hz(frame);
  ++run_read_;
  run_periodic_ += f0 > 0;
  // A syllable of a fast talker (80 ms) is a word too, once the talker's level is known (a
  // word of 180 ms set it), when it rises to near that level: a synthetic voice's phrase can be
  // a train of 80 ms syllables with 60 ms dips between them, none of them a 100 ms word, so
  // its pause seemed to run on through the whole phrase. A TV, babble or a street behind a
  // person stays under it.
  run_peak_db_ = std::max(run_peak_db_, frame_db);
  const bool syllable = has_talker_ && run_frames_ >= kMinSyllableFrames &&
                        run_peak_db_ >= talker_db_ - kSyllableBelowTalkerDb;
  if (!run_counted_ && (run_frames_ >= kMinWordFrames || syllable)) {
    // A new word: it began run_frames_ frames ago (and the lost ones inside it).
    run_counted_ = true;
    words_read_ += run_read_ - 1;  // this frame is counted below
    words_periodic_ += run_periodic_ - (f0 > 0);
    ++bursts_;
    const uint32_t start = now_ms - uint32_t((run_frames_ + run_lost_frames_) * kFrameMs);
    // (Read before this frame ends the pause: this word came out of it.)
    restartable_ = faint_words_in_sound();
    run_start_ms_ = start;
    faint_words_db_ = max_level_;
    if (!started_) {
      started_ = true;
      first_word_ms_ = start;
      pitch_new_at_onset_ = pitched_in_history() <= kMaxPitchedBeforeRun;
      held_new_at_onset_ = held_new_before_run();
      onset_floor_db_ = floor_db;
      onset_ms_ = start;
      phrase_start_ms_ = start;
    } else if (int(start - last_word_end_ms_) >= kPhraseGapMs) {
      const int len = int(last_word_end_ms_ - phrase_start_ms_);
      const int pause = int(start - last_word_end_ms_);
      if (first_phrase_ms_ < 0) {
        first_phrase_ms_ = len;
        first_phrase_level_ = phrase_level_.mean();
      }
      longest_phrase_ms_ = std::max(longest_phrase_ms_, len);
      longest_pause_ms_ = std::max(longest_pause_ms_, pause);
      pauses_sum_ms_ += pause;
      ++phrases_closed_;
      phrase_start_ms_ = start;
      phrase_level_ = {};
      phrase_f0_ = {};
    }
    voiced_ms_ += (run_frames_ - 1) * kFrameMs;  // this frame is counted below
  }
  if (!run_counted_) return;
  word_frames_ += held_peaks != HeldPeaks::unknown;
  word_held_frames_ += held_peaks == HeldPeaks::held;
  ++words_read_;
  words_periodic_ += f0 > 0;
  // A word standing clear over faint ones that the line's sound went on after is the
  // greeting's first: the faint "words" were a music greeting's first bar, whose music the
  // VAD's floor then climbed into (GreetingDecision waits on faint_words_in_sound()). Its
  // timing, levels and pitch start from this word; the music heard stays heard.
  // On the dev speakers' 815 files: 2 machines more, no person fewer, no person's latency
  // changed; on the train renderings' 1280 no verdict changed (2 people decided at other
  // times: one 100 ms sooner, one 500 ms later). Asked on the frame the run became a word
  // only, so that all its frames count after a restart.
  if (restartable_ && double(run_peak_db_ - floor_db) >= faint_words_db_ + kClearOverFaintDb)
    restart_at_run();
  restartable_ = false;
  last_word_end_ms_ = now_ms;
  // The pause this word ends is remembered if it was one that held music (a whole pause: the
  // detector says "playing" for up to half a second after music stops).
  if (pause_holds_music()) music_pause_heard_ = true;
  pause_db_sum_ = 0;
  pause_frames_ = 0;
  pause_music_frames_ = 0;
  pause_pitched_frames_ = 0;
  level_periodic_frames_ = 0;
  voiced_ms_ += kFrameMs;

  // Level over the floor, zero-crossing rate and the share of energy in the first difference
  // (a cheap high-band share: voiced vowels are low, fricatives and TTS hiss high).
  const double level = double(frame_db - floor_db);
  int zc = 0;
  double e = 0, d = 0;
  for (size_t i = 1; i < frame.size(); ++i) {
    zc += (frame[i] >= 0) != (frame[i - 1] >= 0);
    const double x = frame[i], dx = double(frame[i]) - double(frame[i - 1]);
    e += x * x;
    d += dx * dx;
  }
  level_.add(level);
  // The talker's level: the loudest stretch of a word (kTalkerWindowFrames). Not the mean of
  // every word frame, which background talk let in drags down until more of it passes (a
  // runaway on babble and TV).
  // (run_db_sum_ holds the last kTalkerWindowFrames of the word's frames, run_win_ each.)
  if (run_db_n_ >= kTalkerWindowFrames) run_db_sum_ -= run_win_[run_db_n_ % kTalkerWindowFrames];
  run_win_[run_db_n_ % kTalkerWindowFrames] = frame_db;
  run_db_sum_ += frame_db;
  if (++run_db_n_ >= kMinWordFrames) {
    const double stretch = run_db_sum_ / std::min(run_db_n_, kTalkerWindowFrames);
    if (!has_talker_ || stretch > talker_db_) {
      talker_db_ = stretch;
      has_talker_ = true;
    }
  }
  phrase_level_.add(level);
  max_level_ = std::max(max_level_, level);
  zcr_.add(double(zc) / double(frame.size()));
  const double hf = e > 0 ? d / (4.0 * e) : 0;
  hf_.add(hf);
  recent_db_[recent_n_ % 5] = float(level);
  ++recent_n_;
  if (f0 > 0) {
    f0_.add(f0);
    phrase_f0_.add(f0);
    recent_f0_[recent_f0_n_ % 3] = f0;
    ++recent_f0_n_;
    ++pitched_;
    // (The model's share counts any period found; a voice is not at the range's ends: see
    // the pitched onset above.)
    last_pitched_word_ = voice_pitch(f0);
  }
}

bool CallFeatures::held_new_before_run() const {
  // The frames before the run under way, in a 64-frame history: 25 frames before a run of up
  // to 39. The run's voiced frames are skipped; a dip of a frame or two inside it is not, so
  // the window then takes in as many of the run's first frames (which can only make the sound
  // look less new).
  const int skip = std::min(run_frames_, 64 - kHeldHistoryFrames);
  const uint64_t before = (held_hist_ >> skip) & ((uint64_t(1) << kHeldHistoryFrames) - 1);
  return std::popcount(before) <= kMaxHeldBeforeRun;
}

int CallFeatures::pitched_in_history() const {
  return set_in_last(pitched_hist_, kPitchHistoryFrames);
}

void CallFeatures::restart_at_run() {
  CallFeatures again;
  // The run under way, as it stands: it is the first word.
  again.started_ = true;
  again.onset_ms_ = again.phrase_start_ms_ = run_start_ms_;
  again.onset_floor_db_ = floor_db_;
  again.floor_db_ = floor_db_;
  again.lost_in_row_ = lost_in_row_;
  again.run_frames_ = run_frames_;
  again.gap_frames_ = gap_frames_;
  again.talk_hist_ = talk_hist_;
  again.run_lost_frames_ = run_lost_frames_;
  again.run_counted_ = true;
  again.run_peak_db_ = run_peak_db_;
  again.run_db_sum_ = run_db_sum_;
  again.run_db_n_ = run_db_n_;
  again.run_read_ = again.words_read_ = run_read_;
  again.run_periodic_ = again.words_periodic_ = run_periodic_;
  std::copy(std::begin(run_win_), std::end(run_win_), again.run_win_);
  again.bursts_ = 1;
  again.voiced_ms_ = (run_frames_ - 1) * kFrameMs;  // this frame is counted after
  again.run_start_ms_ = run_start_ms_;
  again.first_word_ms_ = first_word_ms_;
  again.pitch_new_at_onset_ = pitch_new_at_onset_;
  again.held_new_at_onset_ = held_new_before_run();
  again.held_hist_ = held_hist_;
  // Music heard before it is still the greeting's.
  again.music_frames_ = music_frames_;
  again.opening_music_frames_ = opening_music_frames_;
  again.music_pause_heard_ = music_pause_heard();
  *this = again;
}

void CallFeatures::unstart() {
  // As before the first word, with the line's state kept: its floor, the loss burst and the
  // gap under way, and the pitch history the next onset reads (the 500 ms before the first
  // "word": it is not kept up after a word, and a hum or TV there is still on the line). No
  // music was heard (the condition), so there is none to keep.
  CallFeatures again;
  again.floor_db_ = floor_db_;
  again.lost_in_row_ = lost_in_row_;
  again.gap_frames_ = gap_frames_;
  again.talk_hist_ = talk_hist_;
  again.pitched_hist_ = pitched_hist_;
  again.held_hist_ = held_hist_;
  *this = again;
}

void CallFeatures::values(uint32_t now_ms, float* out) const {
  const int span = span_ms();
  const int cur_phrase = int(last_word_end_ms_ - phrase_start_ms_);
  const int phrases = phrases_closed_ + 1;
  double tail = 0;
  const int k = std::min(recent_n_, 5);
  for (int i = 0; i < k; ++i) tail += recent_db_[i];
  tail = k > 0 ? tail / k : 0;
  int i = 0;
  out[i++] = float(pause_ms(now_ms));
  out[i++] = float(span);
  out[i++] = float(voiced_ms_);
  out[i++] = float(bursts_);
  out[i++] = float(phrases);
  out[i++] = float(first_phrase_ms_ < 0 ? cur_phrase : first_phrase_ms_);
  out[i++] = float(cur_phrase);
  out[i++] = float(std::max(longest_phrase_ms_, cur_phrase));
  out[i++] = float(longest_pause_ms_);
  out[i++] = float(phrases_closed_ > 0 ? pauses_sum_ms_ / phrases_closed_ : 0);
  out[i++] = float(bursts_ * 1000.0 / (span + 100.0));
  out[i++] = float(span > 0 ? double(voiced_ms_) / span : 1.0);
  out[i++] = float(level_.mean());
  out[i++] = float(level_.sd());
  out[i++] = float(max_level_);
  out[i++] = float(phrases_closed_ > 0 ? first_phrase_level_ - phrase_level_.mean() : 0.0);
  out[i++] = float(tail - phrase_level_.mean());
  out[i++] = float(zcr_.mean());
  out[i++] = float(zcr_.sd());
  out[i++] = float(hf_.mean());
  out[i++] = float(hf_.sd());
  out[i++] = floor_db_;
  out[i++] = float(run_ms());
  const double f0 = f0_.mean();
  out[i++] = float(f0);
  out[i++] = float(f0 > 0 ? f0_.sd() / f0 : 0.0);
  double end = 0;
  const int m = std::min(recent_f0_n_, 3);
  for (int j = 0; j < m; ++j) end += recent_f0_[j];
  out[i++] = float(m > 0 && phrase_f0_.mean() > 0 ? end / m / phrase_f0_.mean() : 1.0);
  out[i++] = float(voiced_ms_ > 0 ? pitched_ * 20.0 / voiced_ms_ : 0.0);
}

}  // namespace hark::amd
