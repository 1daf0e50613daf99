// AMD speed: ns per 20 ms frame for each detector and the whole classifier, and offline
// replay throughput in multiples of real time. Audio: the labelled corpus when HARK_CORPUS
// points at it (scripts/bench.sh does), otherwise recorded prompts from asterisk-core-sounds.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "amd/asterisk_amd.h"
#include "amd/classifier.h"
#include "amd/fax_detector.h"
#include "amd/replay.h"
#include "amd/sit_detector.h"
#include "amd/speech_timing.h"
#include "amd/tone_tracker.h"
#include "amd/vad.h"
#include "media/audio_file.h"

using namespace hark;

namespace {
// Continuous audio with speech, tones and silence: what a detector sees in a call.
const std::vector<int16_t>& audio() {
  static const std::vector<int16_t> a = [] {
    std::vector<int16_t> all, one;
    const char* dir = "/usr/share/asterisk/sounds/en_US_f_Allison/";
    for (const char* f : {"vm-intro.wav", "hello.wav", "vm-nobodyavail.wav", "beep.wav", "vm-rec-unv.wav"}) {
      if (media::read_audio(std::string(dir) + f, one).empty()) all.insert(all.end(), one.begin(), one.end());
      all.resize(all.size() + 4000, 0);
    }
    all.resize(all.size() / 160 * 160);
    return all;
  }();
  return a;
}

template <class F>
void per_frame(benchmark::State& st, F&& fn) {
  const auto& a = audio();
  size_t off = 0;
  for (auto _ : st) {
    fn(std::span<const int16_t>(a.data() + off, 160));
    off = (off + 160) % a.size();
  }
  st.SetItemsProcessed(st.iterations());
}
}  // namespace

static void BM_Vad(benchmark::State& st) {
  amd::Vad v;
  per_frame(st, [&](auto f) { benchmark::DoNotOptimize(v.rx(f)); });
}
BENCHMARK(BM_Vad);

static void BM_SpeechTiming(benchmark::State& st) {
  amd::Params p = amd::Params::hark_defaults();
  p.initial_silence_ms = p.total_analysis_ms = 1 << 30;
  p.greeting_ms = 1 << 30;
  amd::SpeechTiming t(p);
  uint32_t now = 0;
  int k = 0;
  for (auto _ : st) benchmark::DoNotOptimize(t.rx((++k % 7) < 4, 20, now += 20));
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_SpeechTiming);

static void BM_AsteriskAmd(benchmark::State& st) {
  amd::Params p = amd::Params::asterisk_defaults();
  p.total_analysis_ms = p.initial_silence_ms = p.greeting_ms = p.max_word_length_ms = 1 << 30;
  p.max_words = 0;
  p.after_greeting_silence_ms = 1 << 30;
  amd::AsteriskAmd a(p);
  uint32_t now = 0;
  per_frame(st, [&](auto f) { benchmark::DoNotOptimize(a.rx(f, 20, now += 20)); });
}
BENCHMARK(BM_AsteriskAmd);

static void BM_ToneTracker_FFT(benchmark::State& st) {
  amd::ToneTracker t;
  // -100 dB floor: every frame above -55 dBFS goes through the FFT (the worst case).
  per_frame(st, [&](auto f) { t.rx(f, amd::frame_power_db(f), -100); });
}
BENCHMARK(BM_ToneTracker_FFT);

static void BM_FaxDetector_spandsp(benchmark::State& st) {
  amd::FaxDetector d;
  per_frame(st, [&](auto f) { benchmark::DoNotOptimize(d.rx(f)); });
}
BENCHMARK(BM_FaxDetector_spandsp);

static void BM_SitDetector_Goertzel(benchmark::State& st) {
  amd::SitDetector d;
  per_frame(st, [&](auto f) { benchmark::DoNotOptimize(d.rx(f, -20, -60)); });
}
BENCHMARK(BM_SitDetector_Goertzel);

// The whole classifier with every detector active (no verdict: analysis never ends).
static void BM_Classifier_AllDetectors(benchmark::State& st) {
  amd::Params p = amd::Params::hark_defaults();
  p.initial_silence_ms = p.total_analysis_ms = p.greeting_ms = p.max_word_length_ms = 1 << 30;
  p.after_greeting_silence_ms = 1 << 30;
  auto c = std::make_unique<amd::Classifier>(p);
  amd::Event ev[2];
  per_frame(st, [&](auto f) {
    benchmark::DoNotOptimize(c->rx(f, ev));
    if (c->done()) c = std::make_unique<amd::Classifier>(p);
  });
}
BENCHMARK(BM_Classifier_AllDetectors);

// Offline replay of whole calls (what `hark amd` does per file), counted in audio seconds:
// items/s divided by 1 is the multiple of real time on one core.
static void BM_Replay_RealTimeFactor(benchmark::State& st) {
  std::vector<std::vector<int16_t>> files;
  if (const char* dir = std::getenv("HARK_CORPUS")) {
    std::ifstream m(std::string(dir) + "/manifest.tsv");
    std::string line;
    std::getline(m, line);
    while (std::getline(m, line) && files.size() < 400) {
      std::vector<int16_t> pcm;
      if (media::read_audio(std::string(dir) + "/" + line.substr(0, line.find('\t')), pcm).empty()) files.push_back(std::move(pcm));
    }
  }
  if (files.empty()) files.push_back(audio());
  double seconds = 0;
  size_t k = 0;
  for (auto _ : st) {
    const auto& f = files[k++ % files.size()];
    benchmark::DoNotOptimize(amd::replay(f, amd::Params::hark_defaults()));
    seconds += double(f.size()) / 8000.0;
  }
  st.counters["x_realtime"] = benchmark::Counter(seconds, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Replay_RealTimeFactor)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
