#include "media/media_engine.h"

#include <arpa/inet.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <unordered_map>

namespace hark::media {

namespace {
// Stream ids carry their worker in the low 8 bits, so commands route without a lookup.
constexpr int kWorkerBits = 8;
int worker_of(StreamId id) { return int(id & ((1u << kWorkerBits) - 1)); }

int bind_udp(const std::string& ip, uint16_t port, std::string& err) {
  sockaddr_storage ss{};
  socklen_t len;
  int family;
  if (ip.find(':') != std::string::npos) {
    auto& a = reinterpret_cast<sockaddr_in6&>(ss);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    if (inet_pton(AF_INET6, ip.c_str(), &a.sin6_addr) != 1) { err = "bad bind address " + ip; return -1; }
    len = sizeof a;
    family = AF_INET6;
  } else {
    auto& a = reinterpret_cast<sockaddr_in&>(ss);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1) { err = "bad bind address " + ip; return -1; }
    len = sizeof a;
    family = AF_INET;
  }
  const int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) { err = std::string("socket: ") + std::strerror(errno); return -1; }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    err = "bind " + ip + ":" + std::to_string(port) + ": " + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}
}  // namespace

long raise_fd_limit() {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  return long(rl.rlim_cur);
}

MediaEngine::MediaEngine(MediaEngineOptions o) : o_(std::move(o)) {
  int n = o_.workers > 0 ? o_.workers : int(std::max(1u, std::thread::hardware_concurrency()));
  n = std::min(n, 1 << kWorkerBits);
  if (!o_.record_dir.empty()) recorder_ = std::make_unique<Recorder>(o_.record_dir, n);
  const size_t per_worker = (o_.max_streams + size_t(n) - 1) / size_t(n);
  // Each worker gets a contiguous share of the (even) RTP ports.
  const uint32_t first = (o_.port_min + 1u) & ~1u;
  const uint32_t pairs = o_.port_max > first ? (uint32_t(o_.port_max) - first + 1) / 2 : 0;
  free_ports_.resize(size_t(n));
  for (uint32_t k = 0; k < pairs; ++k) free_ports_[k * uint32_t(n) / std::max(1u, pairs)].push_back(uint16_t(first + 2 * k));
  for (auto& v : free_ports_) std::reverse(v.begin(), v.end());  // hand out low ports first
  load_.assign(size_t(n), 0);
  for (int i = 0; i < n; ++i) {
    workers_.push_back(std::make_unique<MediaWorker>(i, per_worker, recorder_.get(), o_.io, o_.rtcp_report_ticks));
    workers_.back()->start();
  }
}

MediaEngine::~MediaEngine() {
  for (auto& w : workers_) w->stop();
}

bool MediaEngine::send(int worker, const MediaCommand& c) {
  if (worker < 0 || worker >= int(workers_.size())) return false;
  return workers_[size_t(worker)]->commands().push(c);
}

MediaEngine::Opened MediaEngine::open(const StreamParams& p) {
  Opened r;
  const int w = int(std::min_element(load_.begin(), load_.end()) - load_.begin());
  auto& ports = free_ports_[size_t(w)];
  // A port may be held by another process: try a few before giving up.
  int rtp = -1, rtcp = -1;
  std::string err;
  for (int attempt = 0; attempt < 8 && rtp < 0; ++attempt) {
    if (ports.empty()) { r.error = "no free RTP port"; return r; }
    const uint16_t port = ports.back();
    ports.pop_back();
    rtp = bind_udp(o_.bind_ip, port, err);
    if (rtp >= 0 && !p.rtcp_mux) {
      rtcp = bind_udp(o_.bind_ip, uint16_t(port + 1), err);
      if (rtcp < 0) { ::close(rtp); rtp = -1; }
    }
    if (rtp >= 0) r.port = port;
    else ports.insert(ports.begin(), port);  // retry it last, later
  }
  if (rtp < 0) { r.error = err; return r; }

  r.id = next_id_++ << kWorkerBits | uint32_t(w);
  MediaCommand c;
  c.kind = CommandKind::open;
  c.id = r.id;
  c.rtp_fd = rtp;
  c.rtcp_fd = rtcp;
  c.params = new StreamParams(p);  // the worker owns it from here
  if (!send(w, c)) {
    delete c.params;
    ::close(rtp);
    if (rtcp >= 0) ::close(rtcp);
    ports.push_back(r.port);
    r.error = "media worker command queue is full";
    r.id = 0;
    return r;
  }
  port_of_.emplace(r.id, r.port);
  ++load_[size_t(w)];
  ++open_;
  return r;
}

bool MediaEngine::update(StreamId id, const StreamParams& p) {
  MediaCommand c;
  c.kind = CommandKind::update;
  c.id = id;
  c.params = new StreamParams(p);
  if (send(worker_of(id), c)) return true;
  delete c.params;
  return false;
}

bool MediaEngine::modify(StreamId id, const StreamParams& p) {
  MediaCommand c;
  c.kind = CommandKind::modify;
  c.id = id;
  c.params = new StreamParams(p);
  if (send(worker_of(id), c)) return true;
  delete c.params;
  return false;
}

bool MediaEngine::play(StreamId id, const Prompt* prompt, bool loop) {
  MediaCommand c;
  c.kind = CommandKind::play;
  c.id = id;
  c.prompt = prompt;
  c.loop = loop;
  return send(worker_of(id), c);
}

bool MediaEngine::stop_playback(StreamId id) {
  MediaCommand c;
  c.kind = CommandKind::stop_playback;
  c.id = id;
  return send(worker_of(id), c);
}

bool MediaEngine::close(StreamId id) {
  MediaCommand c;
  c.kind = CommandKind::close;
  c.id = id;
  return send(worker_of(id), c);
}

std::vector<int> MediaEngine::event_fds() const {
  std::vector<int> fds;
  for (auto& w : workers_) fds.push_back(w->events().wakeup_fd());
  return fds;
}

size_t MediaEngine::drain_events(const std::function<void(const MediaEvent&)>& f) {
  size_t n = 0;
  for (size_t w = 0; w < workers_.size(); ++w) {
    auto& q = workers_[w]->events();
    q.clear_wakeup();
    while (auto e = q.pop()) {
      ++n;
      if (e->kind == MediaEventKind::ended) {
        // The stream's sockets are closed: its port pair is free again.
        auto it = port_of_.find(e->id);
        if (it != port_of_.end()) {
          // To the bottom of the stack: reused last, so stray packets of the old call are
          // long gone when a new call gets the port.
          free_ports_[w].insert(free_ports_[w].begin(), it->second);
          port_of_.erase(it);
          --load_[w];
          --open_;
        }
      }
      f(*e);
    }
  }
  return n;
}

std::vector<double> MediaEngine::worker_cpu_seconds() const {
  std::vector<double> v;
  for (auto& w : workers_) v.push_back(w->cpu_seconds());
  return v;
}

uint64_t MediaEngine::events_dropped() const {
  uint64_t n = 0;
  for (auto& w : workers_) n += w->events_dropped();
  return n;
}

uint64_t MediaEngine::send_errors() const {
  uint64_t n = 0;
  for (auto& w : workers_) n += w->send_errors();
  return n;
}

}  // namespace hark::media

namespace hark::media {

std::string MediaEngine::io_path() const {
  for (const auto& w : workers_)
    if (!w->on_uring()) return "epoll";
  return "io_uring";
}

std::string MediaEngine::io_fallback_reason() const {
  for (const auto& w : workers_)
    if (!w->on_uring() && !w->uring_error().empty()) return w->uring_error();
  return "";
}

}  // namespace hark::media
