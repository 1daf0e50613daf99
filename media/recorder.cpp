#include "media/recorder.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>

namespace hark::media {

namespace {

// A recording with no frame for this long lost its end frame (a full queue at the wrong
// moment): it is written as it stands.
constexpr int64_t kIdleNs = 120'000'000'000;
// End frames must arrive: data frames leave this many slots free for them.
constexpr size_t kEndReserve = 256;

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void put16(std::string& s, uint16_t v) {
  s.push_back(char(v & 0xff));
  s.push_back(char(v >> 8));
}
void put32(std::string& s, uint32_t v) {
  put16(s, uint16_t(v & 0xffff));
  put16(s, uint16_t(v >> 16));
}

}  // namespace

void RecordTap::push(uint64_t key, bool by_stream, bool stereo, RecordFrame::Kind kind, const int16_t* pcm,
                     size_t n) {
  if (!queue) return;
  while (n > 0) {
    RecordFrame f;
    f.key = key;
    f.kind = kind;
    f.by_stream = by_stream;
    f.stereo = stereo;
    f.n = uint16_t(std::min(n, RecordFrame::kMaxSamples));
    std::memcpy(f.pcm, pcm, f.n * sizeof(int16_t));
    if (!queue->push(f, kEndReserve)) dropped->fetch_add(1, std::memory_order_relaxed);
    pcm += f.n;
    n -= f.n;
  }
}

void RecordTap::end(uint64_t key, bool by_stream, bool stereo) {
  if (!queue) return;
  RecordFrame f;
  f.key = key;
  f.kind = RecordFrame::end;
  f.by_stream = by_stream;
  f.stereo = stereo;
  if (!queue->push(f)) dropped->fetch_add(1, std::memory_order_relaxed);
}

Recorder::Recorder(std::string dir, int producers) : dir_(std::move(dir)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  for (int i = 0; i < producers; ++i) queues_.push_back(std::make_unique<SpscQueue<RecordFrame>>(kQueueFrames));
  for (auto& q : queues_) taps_.push_back({q.get(), &dropped_});
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
    if (!stopping) {
      ::poll(fds.data(), fds.size(), 1000);
      stopping = fds.back().revents & POLLIN;
      // Let a tick's worth of frames gather: a queue signals only when it goes from empty to
      // non-empty, so draining in batches keeps the workers' wake-up writes to ~50 a second.
      if (!stopping) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    bool any = false;
    for (auto& q : queues_) {
      q->clear_wakeup();
      while (auto f = q->pop()) {
        any = true;
        take(*f);
      }
    }
    const int64_t now = steady_ns();
    for (auto it = open_.begin(); it != open_.end();) {
      if (stopping && !any ? true : now - it->second.last_ns > kIdleNs) {
        finish(it->first >> 1, it->second);
        it = open_.erase(it);
      } else {
        ++it;
      }
    }
    open_count_.store(open_.size());
    drains_.fetch_add(1);
    if (stopping && !any) return;
  }
}

bool Recorder::wait_idle(int timeout_ms) const {
  // Two full passes after the call: the first may have begun before the caller's last frames.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  const uint64_t from = drains_.load();
  while (std::chrono::steady_clock::now() < until) {
    if (drains_.load() >= from + 2 && open_count_.load() == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void Recorder::take(const RecordFrame& f) {
  const uint64_t id = (f.key << 1) | (f.by_stream ? 1 : 0);
  if (f.kind == RecordFrame::end) {
    if (auto it = open_.find(id); it != open_.end()) {
      finish(f.key, it->second);
      open_.erase(it);
    }
    return;
  }
  auto& o = open_[id];
  o.stereo = f.stereo;
  o.by_stream = f.by_stream;
  o.last_ns = steady_ns();
  auto& to = f.kind == RecordFrame::rx ? o.rx : o.tx;
  to.insert(to.end(), f.pcm, f.pcm + f.n);
}

void Recorder::finish(uint64_t key, Open& o) {
  const std::string path = dir_ + "/" + (o.by_stream ? "stream-" : "") + std::to_string(key) + ".wav";
  std::string err;
  if (o.stereo) {
    err = write_wav_channels(path, o.tx, o.rx);
  } else {
    // Mixed: what both sides said, on one channel (saturated, not averaged, so the callee's
    // level is the one the live AMD heard).
    std::vector<int16_t> mixed(std::max(o.rx.size(), o.tx.size()));
    for (size_t i = 0; i < mixed.size(); ++i) {
      const int v = (i < o.rx.size() ? o.rx[i] : 0) + (i < o.tx.size() ? o.tx[i] : 0);
      mixed[i] = int16_t(std::clamp(v, -32768, 32767));
    }
    err = write_wav_channels(path, mixed, {});
  }
  if (!err.empty()) spdlog::error("recording: {}", err);
  else written_.fetch_add(1);
}

std::string write_wav_channels(const std::string& path, const std::vector<int16_t>& left,
                               const std::vector<int16_t>& right) {
  const int channels = right.empty() ? 1 : 2;
  const size_t frames = std::max(left.size(), right.size());
  const uint32_t data_bytes = uint32_t(frames * size_t(channels) * 2);
  std::string h;
  h += "RIFF";
  put32(h, 36 + data_bytes);
  h += "WAVEfmt ";
  put32(h, 16);
  put16(h, 1);  // PCM
  put16(h, uint16_t(channels));
  put32(h, 8000);
  put32(h, 8000u * uint32_t(channels) * 2);
  put16(h, uint16_t(channels * 2));
  put16(h, 16);
  h += "data";
  put32(h, data_bytes);
  std::vector<int16_t> body(frames * size_t(channels), 0);
  for (size_t i = 0; i < frames; ++i) {
    if (channels == 1) {
      body[i] = left[i];
    } else {
      body[2 * i] = i < left.size() ? left[i] : 0;
      body[2 * i + 1] = i < right.size() ? right[i] : 0;
    }
  }
  const std::string tmp = path + ".part";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return "cannot write " + tmp + ": " + std::strerror(errno);
  bool ok = std::fwrite(h.data(), 1, h.size(), f) == h.size();
  ok = ok && std::fwrite(body.data(), 2, body.size(), f) == body.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return "cannot write " + path;
  }
  return {};
}

}  // namespace hark::media
