#include "media/recorder.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "media/audio_file.h"

namespace hark::media {

Recorder::Recorder(std::string dir, int producers) : dir_(std::move(dir)) {
  for (int i = 0; i < producers; ++i) queues_.push_back(std::make_unique<SpscQueue<RecordingJob>>(1024));
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread([this] { run(); });
}

Recorder::~Recorder() {
  const uint64_t one = 1;
  [[maybe_unused]] auto r = ::write(stop_fd_, &one, sizeof one);
  thread_.join();
  ::close(stop_fd_);
}

void Recorder::run() {
  std::vector<pollfd> fds;
  for (auto& q : queues_) fds.push_back({q->wakeup_fd(), POLLIN, 0});
  fds.push_back({stop_fd_, POLLIN, 0});
  bool stopping = false;
  while (true) {
    if (!stopping) ::poll(fds.data(), fds.size(), -1);
    stopping = stopping || (fds.back().revents & POLLIN);
    bool any = false;
    for (auto& q : queues_) {
      q->clear_wakeup();
      while (auto job = q->pop()) {
        any = true;
        const std::string path = dir_ + "/stream-" + std::to_string(job->id) + ".wav";
        if (auto err = write_wav(path, *job->samples); !err.empty()) spdlog::error("recording: {}", err);
        else written_.fetch_add(1);
        delete job->samples;
      }
    }
    if (stopping && !any) return;
  }
}

}  // namespace hark::media
