// Writes calls' received audio to WAV files on its own thread, so the media workers never
// touch the disk. A worker hands over a finished recording through a lock-free queue.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "media/media_types.h"
#include "media/spsc_queue.h"

namespace hark::media {

/// One finished recording: the samples are heap-owned and freed by the writer.
struct RecordingJob {
  StreamId id = 0;
  std::vector<int16_t>* samples = nullptr;
};

class Recorder {
 public:
  /// `dir` receives stream-<id>.wav files; one input queue per producing worker.
  Recorder(std::string dir, int producers);
  ~Recorder();
  /// The queue worker `i` pushes into (single producer each).
  SpscQueue<RecordingJob>& queue(int i) { return *queues_[size_t(i)]; }
  uint64_t written() const { return written_.load(); }
  const std::string& dir() const { return dir_; }

 private:
  void run();
  std::string dir_;
  std::vector<std::unique_ptr<SpscQueue<RecordingJob>>> queues_;
  int stop_fd_ = -1;
  std::atomic<uint64_t> written_{0};
  std::thread thread_;
};

}  // namespace hark::media
