#include "media/media_worker.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace hark::media {

namespace {
constexpr uint64_t kCommandTag = ~0ull;
constexpr uint64_t kTimerTag = ~0ull - 1;
constexpr int kBatch = 16;               // datagrams per recvmmsg
constexpr int kTickBatches = 1;          // per socket and tick: 16 datagrams, 320 ms of 20 ms audio
constexpr int kCloseReads = 256;         // a closing socket's last reads: 4096 datagrams at most
constexpr uint64_t kMaxCatchUpTicks = 5; // after a stall, send at most this many frames at once

/// Whether `fd` holds a datagram now.
bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

// Events a call's progress depends on: losing `ended` would leave the call, its ports and its
// lead open for the life of the process; losing a prompt's end or a verdict, stall the call
// until the SIP watchdog gives up on it. Statistics and DTMF may be dropped under overload.
bool must_arrive(MediaEventKind k) {
  return k == MediaEventKind::ended || k == MediaEventKind::playback_done || k == MediaEventKind::amd;
}

uint64_t tag(uint32_t slot, bool rtcp) { return uint64_t(slot) << 1 | (rtcp ? 1 : 0); }

/// Plays the packets `slot` received before it had a peer into its `stream` (EarlyPackets).
void replay_early(EarlyPackets& early, uint32_t slot, RtpStream& stream, EventSink& sink) {
  early.replay(slot, [&](uint8_t* buf, size_t len, const sockaddr_storage& from, uint64_t at) {
    stream.on_rtp(buf, len, from, at, sink);
  });
}
}  // namespace

MediaWorker::MediaWorker(int index, size_t max_streams, Recorder* recorder, IoMode io, int report_ticks)
    : index_(index), max_streams_(max_streams), io_mode_(io), report_ticks_(std::max(1, report_ticks)),
      recorder_(recorder), commands_(4096),
      events_(std::max<size_t>(8192, max_streams * 8)),
      reserve_(max_streams * 2),  // an `ended` and a prompt's end per stream
      // 50 packets (1 s) a stream on average, 100 (2 s) at most for one; 1024-16384 in all
      // (0.5-7 MB): enough for a burst of answers the SIP thread handles a second late.
      early_(max_streams, std::clamp<size_t>(max_streams * 50, 1024, 16384), 100) {
  held_.reserve(256);
  slots_.resize(max_streams_);
  free_slots_.reserve(max_streams_);
  for (size_t i = max_streams_; i-- > 0;) free_slots_.push_back(uint32_t(i));
  active_.reserve(max_streams_);
  by_id_.reserve(max_streams_ * 2);
}

MediaWorker::~MediaWorker() { stop(); }

void MediaWorker::start() {
  thread_ = std::thread([this] { run(); });
  pthread_ = thread_.native_handle();
  started_ = true;
}

void MediaWorker::stop() {
  if (!thread_.joinable()) return;
  MediaCommand c;
  c.kind = CommandKind::shutdown;
  while (!commands_.push(c)) std::this_thread::yield();
  thread_.join();
}

double MediaWorker::cpu_seconds() const {
  if (!started_) return 0;
  clockid_t cid;
  if (pthread_getcpuclockid(pthread_, &cid) != 0) return 0;
  timespec ts;
  clock_gettime(cid, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

bool MediaWorker::on_uring() const {
  io_chosen_.wait(0);
  return io_chosen_.load() == 2;
}

void MediaWorker::emit(const MediaEvent& e) {
  if (!must_arrive(e.kind)) {
    // Leaves the reserve to the events that must arrive, and never overtakes held ones.
    if (!held_.empty() || !events_.push(e, reserve_)) events_dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (!held_.empty()) flush_held_events();
  // Only when the consumer has fallen behind by the whole queue: rare, and never per packet.
  if (!held_.empty() || !events_.push(e)) held_.push_back(e);
}

void MediaWorker::flush_held_events() {
  size_t n = 0;
  while (n < held_.size() && events_.push(held_[n])) ++n;
  held_.erase(held_.begin(), held_.begin() + std::ptrdiff_t(n));
}

void MediaWorker::run() {
  // Named for top -H, perf and the benchmark's user/system split.
  char name[16];
  std::snprintf(name, sizeof name, "hark-media-%u", unsigned(index_) % 1000u);
  pthread_setname_np(pthread_self(), name);
  // The ring is made here: it belongs to this thread alone (SINGLE_ISSUER, DEFER_TASKRUN).
  if (io_mode_ != IoMode::epoll) uring_ = UringIo::create(max_streams_, uring_error_);
  io_chosen_ = uring_ ? 2 : 1;
  io_chosen_.notify_all();
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  data_epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  itimerspec its{};
  its.it_interval.tv_nsec = 20'000'000;
  its.it_value.tv_nsec = 20'000'000;
  ::timerfd_settime(timer_fd_, 0, &its, nullptr);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kCommandTag;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, commands_.wakeup_fd(), &ev);
  ev.data.u64 = kTimerTag;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &ev);

  running_ = true;
  epoll_event ready[256];
  while (running_) {
    const int n = ::epoll_wait(epoll_fd_, ready, 256, -1);
    for (int i = 0; i < n && running_; ++i) {
      const uint64_t t = ready[i].data.u64;
      if (t == kCommandTag) {
        handle_commands();
      } else if (t == kTimerTag) {
        uint64_t expirations = 0;
        if (::read(timer_fd_, &expirations, sizeof expirations) == sizeof expirations) {
          if (!held_.empty()) flush_held_events();
          if (uring_) {
            uring_->reap(*this);
            // The ring counts its failed sends on this thread; others read them here.
            if (const uint64_t e = uring_->send_errors(); e != uring_send_errors_seen_) {
              send_errors_.fetch_add(e - uring_send_errors_seen_, std::memory_order_relaxed);
              uring_send_errors_seen_ = e;
            }
          } else {
            receive_ready();
          }
          tick(expirations);
        }
      }
    }
  }
  for (uint32_t slot : std::vector<uint32_t>(active_)) close_slot(slot);
  uring_.reset();
  ::close(timer_fd_);
  ::close(epoll_fd_);
  ::close(data_epoll_fd_);
}

void MediaWorker::receive_ready() {
  // At most one round of the registered sockets (an RTP and an RTCP one per stream) per tick,
  // and at most kTickBatches batches from each. Looping until fewer than 256 sockets were
  // ready, each read to the end, never ended on a worker slower than its traffic (300 streams
  // under ASan on a busy machine): new packets made 256 sockets ready again before a pass was
  // over, so the tick, the sending and the commands (answers, closes) waited until the callers
  // stopped. What is left is read at the next tick (level-triggered epoll hands the ready
  // sockets round in turn; a socket keeps what it holds).
  epoll_event ready[256];
  const size_t round = 2 * active_.size();
  for (size_t served = 0; served < round;) {
    const int n = ::epoll_wait(data_epoll_fd_, ready, 256, 0);
    for (int i = 0; i < n; ++i) receive(uint32_t(ready[i].data.u64 >> 1), ready[i].data.u64 & 1);
    if (n < 256) return;
    served += size_t(n);
  }
}

void MediaWorker::handle_commands() {
  commands_.clear_wakeup();
  while (auto c = commands_.pop()) {
    if (c->kind == CommandKind::shutdown) {
      running_ = false;
      return;
    }
    if (c->kind == CommandKind::open) {
      open_stream(*c);
      continue;
    }
    auto it = by_id_.find(c->id);
    if (it == by_id_.end()) {
      if (c->kind == CommandKind::update || c->kind == CommandKind::modify) delete c->params;
      if (c->kind == CommandKind::close) {
        // Never opened here (its open failed) or already gone: the closer still waits for an
        // `ended` to finish its call, so it always gets one.
        MediaEvent e;
        e.kind = MediaEventKind::ended;
        e.id = c->id;
        emit(e);
      }
      continue;
    }
    auto& s = slots_[it->second];
    if (c->kind == CommandKind::update) {
      std::unique_ptr<const StreamParams> params(c->params);
      s.stream = std::make_unique<RtpStream>(c->id, *params);
      if (recorder_) s.stream->attach_recorder(&recorder_->tap(index_));
      // What the peer sent before we knew it, first (the stream counts any other sender's as
      // foreign, as it would have then).
      replay_early(early_, it->second, *s.stream, *this);
      continue;
    }
    if (c->kind == CommandKind::modify) {
      std::unique_ptr<const StreamParams> params(c->params);
      auto next = std::make_unique<RtpStream>(c->id, *params);
      next->continue_from(*s.stream);
      s.stream = std::move(next);
      if (recorder_) s.stream->attach_recorder(&recorder_->tap(index_));
      continue;
    }
    if (c->kind == CommandKind::play) s.stream->play(c->prompt, c->loop);
    else if (c->kind == CommandKind::stop_playback) s.stream->stop_playback();
    else if (c->kind == CommandKind::close) close_slot(it->second);
  }
}

void MediaWorker::open_stream(const MediaCommand& c) {
  std::unique_ptr<const StreamParams> params(c.params);
  auto fail = [&](const char* why) {
    MediaEvent e;
    e.kind = MediaEventKind::error;
    e.id = c.id;
    std::snprintf(e.detail, sizeof e.detail, "%s", why);
    emit(e);
    if (c.rtp_fd >= 0) ::close(c.rtp_fd);
    if (c.rtcp_fd >= 0) ::close(c.rtcp_fd);
    e.kind = MediaEventKind::ended;
    emit(e);
  };
  if (free_slots_.empty()) return fail("worker has no free stream slot");
  const uint32_t slot = free_slots_.back();
  const int on = 1;
  ::setsockopt(c.rtp_fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  if (uring_ && !uring_->add(slot, c.rtp_fd, c.rtcp_fd)) return fail("io_uring: cannot register the sockets");
  auto& s = slots_[slot];
  s.stream = std::make_unique<RtpStream>(c.id, *params);
  if (recorder_) s.stream->attach_recorder(&recorder_->tap(index_));
  if (params->srtp && !s.stream->params().srtp) {
    s.stream.reset();
    if (uring_) uring_->remove(slot, *this);
    return fail("SRTP keys rejected by libsrtp");
  }
  free_slots_.pop_back();
  s.rtp_fd = c.rtp_fd;
  s.rtcp_fd = c.rtcp_fd;
  // Spread the reports over time: 0-49 ticks more for the first at the default 250.
  s.ticks_to_report = report_ticks_ + int(slot % uint32_t(std::max(1, report_ticks_ / 5)));
  if (!uring_) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag(slot, false);
    ::epoll_ctl(data_epoll_fd_, EPOLL_CTL_ADD, s.rtp_fd, &ev);
    if (s.rtcp_fd >= 0) {
      ev.data.u64 = tag(slot, true);
      ::epoll_ctl(data_epoll_fd_, EPOLL_CTL_ADD, s.rtcp_fd, &ev);
    }
  }
  active_.push_back(slot);
  by_id_[c.id] = slot;
}

void MediaWorker::close_slot(uint32_t slot) {
  auto& s = slots_[slot];
  if (!s.stream) return;
  // What arrived before the close still counts: read it, so the final statistics (and the
  // AMD) see every packet the kernel took, not only those before the last tick. On the ring,
  // first what its receives already hold, then (receives cancelled) what is left in the socket.
  if (uring_) uring_->remove(slot, *this);
  for (int k = 0; k < kCloseReads && readable(s.rtp_fd); ++k) receive(slot, false);
  for (int k = 0; k < kCloseReads && s.rtcp_fd >= 0 && readable(s.rtcp_fd); ++k) receive(slot, true);
  // Sockets first: once `ended` is out, the control thread may hand the ports to a new call.
  if (!uring_) ::epoll_ctl(data_epoll_fd_, EPOLL_CTL_DEL, s.rtp_fd, nullptr);
  ::close(s.rtp_fd);
  if (s.rtcp_fd >= 0) {
    if (!uring_) ::epoll_ctl(data_epoll_fd_, EPOLL_CTL_DEL, s.rtcp_fd, nullptr);
    ::close(s.rtcp_fd);
  }
  // Held packets of a stream that never learnt its peer go to it all the same: it counts them
  // as foreign in its final statistics, as it did before they were held.
  replay_early(early_, slot, *s.stream, *this);
  s.stream->close(*this);
  by_id_.erase(s.stream->id());
  s.stream.reset();
  s.rtp_fd = s.rtcp_fd = -1;
  active_.erase(std::find(active_.begin(), active_.end(), slot));
  free_slots_.push_back(slot);
}

void MediaWorker::receive(uint32_t slot, bool rtcp) {
  auto& s = slots_[slot];
  if (!s.stream) return;
  // Buffers live on the worker's stack frame: no allocation per packet.
  static thread_local uint8_t bufs[kBatch][RtpStream::kMaxPacket];
  static thread_local sockaddr_storage addrs[kBatch];
  static thread_local uint8_t controls[kBatch][CMSG_SPACE(sizeof(timespec))];
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  const int fd = rtcp ? s.rtcp_fd : s.rtp_fd;
  // A tick's share: under a flood the rest waits in the socket for the next tick.
  for (int batch = 0; batch < kTickBatches; ++batch) {
    for (int i = 0; i < kBatch; ++i) {
      iov[i] = {bufs[i], sizeof bufs[i]};
      msgs[i].msg_hdr = {};
      msgs[i].msg_hdr.msg_name = &addrs[i];
      msgs[i].msg_hdr.msg_namelen = sizeof addrs[i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = controls[i];
      msgs[i].msg_hdr.msg_controllen = sizeof controls[i];
    }
    const int n = ::recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    const uint64_t now = wall_ns();
    for (int i = 0; i < n; ++i) {
      // The kernel's arrival stamp (SO_TIMESTAMPNS, wall clock), else the time of reading.
      uint64_t arrival = now;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c && !rtcp; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec ts;
          std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
          arrival = uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
        }
      }
      on_datagram(slot, rtcp, bufs[i], msgs[i].msg_len, addrs[i], arrival);
    }
    if (n < kBatch) return;
  }
}

void MediaWorker::on_datagram(uint32_t slot, bool rtcp, uint8_t* buf, size_t len, const sockaddr_storage& from,
                              uint64_t arrival_ns) {
  auto& s = slots_[slot];
  if (!s.stream) return;
  if (!rtcp && s.stream->params().remote_len == 0 && early_.hold(slot, buf, len, from, arrival_ns)) return;
  if (rtcp) s.stream->on_rtcp(buf, len, from, *this);
  else s.stream->on_rtp(buf, len, from, arrival_ns, *this);
}

void MediaWorker::send_packet(uint32_t slot, int buffer, bool rtcp_socket, const uint8_t* pkt, size_t len,
                              bool in_ring, const sockaddr* to, socklen_t to_len) {
  if (in_ring) return uring_->queue_send(slot, buffer, rtcp_socket, len, to, to_len);
  const auto& s = slots_[slot];
  if (::sendto(rtcp_socket ? s.rtcp_fd : s.rtp_fd, pkt, len, MSG_DONTWAIT, to, to_len) < 0)
    send_errors_.fetch_add(1, std::memory_order_relaxed);
}

void MediaWorker::tick(uint64_t expirations) {
  const uint64_t frames = std::min(expirations, kMaxCatchUpTicks);
  uint8_t pkt[RtpStream::kMaxPacket];
  for (uint32_t slot : active_) {
    auto& s = slots_[slot];
    const auto& p = s.stream->params();
    if (p.remote_len == 0 || !p.send) continue;
    const auto* to = reinterpret_cast<const sockaddr*>(&p.remote);
    for (uint64_t k = 0; k < frames; ++k) {
      // Through the ring, built in place: in the stream's own send buffer, else (catch-up
      // frames after a stall, or its buffer still in flight) in a spare, so the frames cost no
      // system call each and leave in order. Only with every spare in flight does a frame go
      // out at once with sendto.
      uint8_t* own = uring_ && k == 0 ? uring_->send_buffer(slot, 0) : nullptr;
      uint8_t* spare = uring_ && !own ? uring_->spare_buffer() : nullptr;
      uint8_t* out = own ? own : spare ? spare : pkt;
      const size_t len = s.stream->next_packet(out, out != pkt ? UringIo::kSendBuffer : sizeof pkt, *this);
      if (!len) continue;
      if (spare) uring_->queue_spare_send(slot, len, to, p.remote_len);
      else send_packet(slot, 0, false, out, len, own != nullptr, to, p.remote_len);
    }
    s.ticks_to_report -= int(std::min<uint64_t>(expirations, uint64_t(report_ticks_) + 1));
    if (s.ticks_to_report <= 0) {
      // On the stream's own grid: a report that a catch-up (up to kMaxCatchUpTicks frames at
      // once) made a few packets late does not put off the next one. After a stall whose ticks
      // were skipped, the grid starts again from now: carried over, it could bring the next
      // report a tick or two after this one.
      s.ticks_to_report += report_ticks_;
      if (expirations > kMaxCatchUpTicks || s.ticks_to_report <= 0) s.ticks_to_report = report_ticks_;
      uint8_t* ring_buf = uring_ ? uring_->send_buffer(slot, 1) : nullptr;
      uint8_t* out = ring_buf ? ring_buf : pkt;
      const size_t len = s.stream->rtcp_report(out, ring_buf ? UringIo::kSendBuffer : sizeof pkt);
      if (len) {
        if (p.rtcp_mux || s.rtcp_fd < 0) {
          send_packet(slot, 1, false, out, len, ring_buf != nullptr, to, p.remote_len);
        } else {
          sockaddr_storage rtcp_to = p.remote;  // the peer's RTCP is on its RTP port + 1
          if (rtcp_to.ss_family == AF_INET) {
            auto& a = reinterpret_cast<sockaddr_in&>(rtcp_to);
            a.sin_port = htons(uint16_t(ntohs(a.sin_port) + 1));
          } else {
            auto& a = reinterpret_cast<sockaddr_in6&>(rtcp_to);
            a.sin6_port = htons(uint16_t(ntohs(a.sin6_port) + 1));
          }
          send_packet(slot, 1, true, out, len, ring_buf != nullptr, reinterpret_cast<sockaddr*>(&rtcp_to),
                      p.remote_len);
        }
      }
      MediaEvent e;
      e.kind = MediaEventKind::stats;
      e.id = s.stream->id();
      e.stats = s.stream->stats();
      emit(e);
    }
  }
  if (uring_) uring_->submit();  // the whole tick's sends in one system call
}

}  // namespace hark::media
