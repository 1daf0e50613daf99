// Writes calls' audio to WAV files on its own thread, so the media workers never touch the
// disk. Each worker streams 20 ms frames (what it received and what it sent) through its own
// lock-free single-producer queue; the writer thread gathers them per recording and writes
// the WAV when the recording's end frame arrives. A full queue drops the frame and counts it:
// the media path never waits for the disk.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "media/media_types.h"
#include "media/spsc_queue.h"

namespace hark::media {

/// One frame of a recording, or its end. Trivially copyable: it crosses an SpscQueue.
struct RecordFrame {
  enum Kind : uint8_t { rx, tx, end };
  static constexpr size_t kMaxSamples = 160;
  uint64_t key = 0;         ///< the file's name: <key>.wav, or stream-<key>.wav (by_stream)
  Kind kind = rx;
  bool by_stream = false;
  bool stereo = false;      ///< caller (tx) left, callee (rx) right; else both mixed
  uint16_t n = 0;           ///< samples in pcm
  int16_t pcm[kMaxSamples];
};

/// What a stream holds to record: its worker's queue and drop counter.
struct RecordTap {
  SpscQueue<RecordFrame>* queue = nullptr;
  std::atomic<uint64_t>* dropped = nullptr;
  /// Producer: queues `n` samples (any length; split into frames). Never blocks: a full queue
  /// drops and counts. Data frames leave room for end frames, which must arrive.
  void push(uint64_t key, bool by_stream, bool stereo, RecordFrame::Kind kind, const int16_t* pcm, size_t n);
  void end(uint64_t key, bool by_stream, bool stereo);
};

class Recorder {
 public:
  /// `dir` receives the WAV files; one input queue per producing worker.
  Recorder(std::string dir, int producers);
  ~Recorder();
  /// The tap of worker `i` (single producer).
  RecordTap& tap(int i) { return taps_[size_t(i)]; }
  /// Files written so far.
  uint64_t written() const { return written_.load(); }
  /// Frames dropped because a worker's queue was full (the writer fell behind).
  uint64_t dropped() const { return dropped_.load(); }
  const std::string& dir() const { return dir_; }
  /// Waits (at most `timeout_ms`) until every frame queued before the call is taken and every
  /// recording whose end was queued is written; true when it got there. For callers that
  /// closed their streams and now want the files (the load test keeps only failed calls').
  bool wait_idle(int timeout_ms) const;

  /// Frames a queue holds: 8 s of 300 calls' two directions, shared by a worker's streams.
  static constexpr size_t kQueueFrames = 32768;

 private:
  struct Open {
    std::vector<int16_t> rx, tx;
    bool stereo = false, by_stream = false;
    int64_t last_ns = 0;
  };
  void run();
  void take(const RecordFrame& f);
  void finish(uint64_t key, Open& o);

  std::string dir_;
  std::vector<std::unique_ptr<SpscQueue<RecordFrame>>> queues_;
  std::vector<RecordTap> taps_;
  std::unordered_map<uint64_t, Open> open_;  // the writer thread's own
  int stop_fd_ = -1;
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> drains_{0};       // writer passes over the queues
  std::atomic<size_t> open_count_{0};     // recordings begun and not yet written
  std::thread thread_;
};

/// Writes 16-bit PCM WAV at 8 kHz: mono (`right` empty), else two channels (the shorter padded
/// with silence), through a temporary file renamed into place so readers never see half a
/// file. Returns an error message, empty on success.
std::string write_wav_channels(const std::string& path, const std::vector<int16_t>& left,
                               const std::vector<int16_t>& right);

}  // namespace hark::media
