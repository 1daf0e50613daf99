#include "amd/asterisk_amd.h"

#include <cstdio>
#include <cstdlib>

namespace hark::amd {

namespace {
Event make(Verdict v, uint32_t at, const char* fmt, int a, int b) {
  Event e;
  e.kind = EventKind::verdict;
  e.verdict = v;
  e.at_ms = at;
  std::snprintf(e.cause, sizeof e.cause, fmt, a, b);
  return e;
}
}  // namespace

std::optional<Event> AsteriskAmd::rx(std::span<const int16_t> frame, int frame_ms,
                                     uint32_t now_ms) {
  if (done_) return std::nullopt;
  auto finish = [&](Event e) {
    done_ = true;
    return std::optional<Event>(e);
  };

  total_ms_ += frame_ms;
  if (total_ms_ >= p_.total_analysis_ms)
    return finish(make(Verdict::unknown, now_ms, "TOOLONG-%d%.0d", total_ms_, 0));

  // ast_dsp_silence(): mean absolute amplitude against the threshold.
  int64_t acc = 0;
  for (int16_t s : frame) acc += std::abs(int32_t(s));
  const bool silent = frame.empty() || acc / int64_t(frame.size()) < p_.silence_threshold;
  dsp_silence_ms_ = silent ? dsp_silence_ms_ + frame_ms : 0;

  if (silent) {
    silence_ms_ = dsp_silence_ms_;
    if (silence_ms_ >= p_.between_words_silence_ms) {
      in_word_ = false;
      consecutive_voice_ms_ = 0;
    }
    if (in_initial_silence_ && silence_ms_ >= p_.initial_silence_ms)
      return finish(make(Verdict::machine, now_ms, "INITIALSILENCE-%d-%d", silence_ms_,
                         p_.initial_silence_ms));
    if (silence_ms_ >= p_.after_greeting_silence_ms && in_greeting_)
      return finish(make(Verdict::human, now_ms, "HUMAN-%d-%d", silence_ms_,
                         p_.after_greeting_silence_ms));
    return std::nullopt;
  }

  consecutive_voice_ms_ += frame_ms;
  voice_ms_ += frame_ms;
  if (consecutive_voice_ms_ >= p_.min_word_length_ms && !in_word_) {
    ++words_;
    in_word_ = true;
  }
  if (consecutive_voice_ms_ >= p_.max_word_length_ms)
    return finish(make(Verdict::machine, now_ms, "MAXWORDLENGTH-%d%.0d", consecutive_voice_ms_, 0));
  if (p_.max_words > 0 && words_ > p_.max_words)
    return finish(make(Verdict::machine, now_ms, "MAXWORDS-%d-%d", words_, p_.max_words));
  if (in_greeting_ && voice_ms_ >= p_.greeting_ms)
    return finish(make(Verdict::machine, now_ms, "LONGGREETING-%d-%d", voice_ms_, p_.greeting_ms));
  if (voice_ms_ >= p_.min_word_length_ms) silence_ms_ = 0;
  if (consecutive_voice_ms_ >= p_.min_word_length_ms && !in_greeting_) {
    in_initial_silence_ = false;
    in_greeting_ = true;
  }
  return std::nullopt;
}

}  // namespace hark::amd
