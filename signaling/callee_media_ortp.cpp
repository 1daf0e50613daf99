// The callee simulator on oRTP (libortp 5.1): one RtpSession per call, so every test and demo
// call checks hark's RTP, RTCP, SRTP and DTMF against an independent implementation. oRTP
// builds and parses the packets, keeps the jitter buffer and statistics, sends and answers
// RTCP and sends RFC 4733 events; SRTP is libsrtp2 under an oRTP transport modifier
// (ortp_srtp.*). Not on hark's own media path: the simulator alone uses it.
//
// The sessions run on threads of this object that tick every 20 ms (oRTP's own scheduler
// thread is not used: one wakeup a tick for many sessions instead of one per session), one per
// core like hark's engine's workers. The SIP thread makes and binds a call's session (the SDP
// answer needs its port) and hands it over; from then on only its tick thread touches it,
// taking the SIP thread's requests (re-INVITE, play, DTMF, close) from a queue at the start of
// each tick. A first version guarded every session with one mutex: at 3000 calls the SIP
// thread waited for whole ticks on it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ortp/ortp.h>
#include <ortp/telephonyevents.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "signaling/callee_media.h"
#include "signaling/ortp_srtp.h"

namespace hark::signaling {

namespace {
constexpr uint32_t kSamplesPerTick = 160;  // 20 ms of G.711 at 8 kHz
constexpr int kTicksPerDigit = 10;         // one DTMF digit every 200 ms

struct Stream {
  RtpSession* session = nullptr;
  std::unique_ptr<OrtpSrtp> srtp;
  uint16_t port = 0;
  bool alaw = false;
  bool send = true;
  const media::Prompt* prompt = nullptr;
  size_t played = 0;        ///< bytes of the prompt sent
  uint32_t send_ts = 0;     ///< our RTP clock
  uint32_t recv_ts = 0;     ///< the clock we ask oRTP's jitter buffer for
  std::string dtmf;         ///< digits still to send once the prompt is done
  int dtmf_wait = 0;        ///< ticks until the next digit
};

// The address and port of a sockaddr, for oRTP's string API.
bool host_port(const sockaddr_storage& a, std::string& ip, int& port) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (a.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(a);
    inet_ntop(AF_INET, &v4.sin_addr, buf, sizeof buf);
    port = ntohs(v4.sin_port);
  } else if (a.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a);
    inet_ntop(AF_INET6, &v6.sin6_addr, buf, sizeof buf);
    port = ntohs(v6.sin6_port);
  } else {
    return false;
  }
  ip = buf;
  return true;
}

void init_ortp() {
  static std::once_flag once;
  std::call_once(once, [] {
    ortp_init();
    ortp_set_log_level_mask(nullptr, ORTP_ERROR | ORTP_FATAL);
  });
}

// What the SIP thread asks of a stream the tick thread runs.
struct Command {
  enum class Kind { modify, play, dtmf, close } kind = Kind::play;
  uint32_t id = 0;
  media::StreamParams params;     ///< modify
  std::string ip;                 ///< modify: the peer's address
  int port = 0;                   ///< modify: the peer's RTP port
  RtpProfile* profile = nullptr;  ///< modify
  const media::Prompt* prompt = nullptr;
  std::string digits;
};

// A stream's end, back to the SIP thread: its counters and its port for the pool.
struct Ended {
  CalleeStreamEnd end;
  uint16_t port = 0;
};

// The peer's address, codec, events and direction (open and re-INVITE alike).
void apply(Stream& st, const media::StreamParams& p, RtpProfile* prof, const std::string& ip, int port) {
  RtpSession* s = st.session;
  rtp_session_set_profile(s, prof);
  rtp_session_set_payload_type(s, p.payload_type);
  rtp_session_set_send_telephone_event_payload_type(s, p.dtmf_payload_type);
  rtp_session_enable_rtcp_mux(s, p.rtcp_mux);
  rtp_session_set_remote_addr_full(s, ip.c_str(), port, ip.c_str(), p.rtcp_mux ? port : port + 1);
  st.alaw = p.payload_type == 8;
  st.send = p.send;
}

void destroy(Stream& st) {
  if (st.session) rtp_session_destroy(st.session);  // frees the SRTP modifiers too
  st.session = nullptr;
  st.srtp.reset();
}

// One tick of one stream: take what arrived (oRTP reads the sockets dry, answers RTCP and
// counts), send the next 20 ms, and a DTMF digit when the prompt is done.
void tick(Stream& st) {
  RtpSession* s = st.session;
  while (mblk_t* m = rtp_session_recvm_with_ts(s, st.recv_ts)) freemsg(m);
  st.recv_ts += kSamplesPerTick;
  const bool prompt_done = !st.prompt || st.played >= st.prompt->ulaw.size();
  if (st.send) {
    uint8_t buf[kSamplesPerTick];
    std::memset(buf, st.alaw ? 0xd5 : 0xff, sizeof buf);  // G.711 silence
    if (!prompt_done) {
      const auto& audio = st.alaw ? st.prompt->alaw : st.prompt->ulaw;
      const size_t n = std::min<size_t>(sizeof buf, audio.size() - st.played);
      std::memcpy(buf, audio.data() + st.played, n);
      st.played += n;
    }
    rtp_session_send_with_ts(s, buf, sizeof buf, st.send_ts);
    if (prompt_done && !st.dtmf.empty() && --st.dtmf_wait <= 0) {
      // oRTP sends the event's start, update and three end packets at this timestamp.
      rtp_session_send_dtmf(s, st.dtmf.front(), st.send_ts);
      st.dtmf.erase(0, 1);
      st.dtmf_wait = kTicksPerDigit;
    }
  }
  st.send_ts += kSamplesPerTick;
}

// One tick thread and the sessions it runs. Only it touches them once handed over; the SIP
// thread's requests wait in a queue for the start of its next tick.
class Ticker {
 public:
  Ticker() : thread_([this] { run(); }) {}
  ~Ticker() {
    stop_ = true;
    thread_.join();
    for (auto& [id, s] : streams_) destroy(*s);
    for (auto& [id, s] : incoming_) destroy(*s);
    ::close(event_fd_);
  }
  int event_fd() const { return event_fd_; }
  void hand_over(uint32_t id, std::unique_ptr<Stream> st) {
    std::lock_guard lk(queue_mu_);
    incoming_.emplace_back(id, std::move(st));
  }
  void post(Command c) {
    std::lock_guard lk(queue_mu_);
    commands_.push_back(std::move(c));
  }
  /// The streams closed since the last call.
  std::vector<Ended> take_ended() {
    uint64_t n;
    [[maybe_unused]] auto r = ::read(event_fd_, &n, sizeof n);
    std::vector<Ended> done;
    std::lock_guard lk(queue_mu_);
    done.swap(ended_);
    return done;
  }

 private:
  // What the SIP thread asked since the last tick, in order.
  void run_commands() {
    std::vector<std::pair<uint32_t, std::unique_ptr<Stream>>> incoming;
    std::vector<Command> commands;
    {
      std::lock_guard lk(queue_mu_);
      incoming.swap(incoming_);
      commands.swap(commands_);
    }
    for (auto& [id, st] : incoming) streams_[id] = std::move(st);
    bool any_ended = false;
    for (auto& c : commands) {
      auto it = streams_.find(c.id);
      if (it == streams_.end()) continue;
      Stream& st = *it->second;
      switch (c.kind) {
        case Command::Kind::modify:
          if (st.srtp && c.params.srtp) st.srtp->set_inbound_key(c.params.srtp_rx_key);
          apply(st, c.params, c.profile, c.ip, c.port);
          break;
        case Command::Kind::play:
          st.prompt = c.prompt;
          st.played = 0;
          break;
        case Command::Kind::dtmf:
          st.dtmf = c.digits;
          st.dtmf_wait = 0;
          break;
        case Command::Kind::close: {
          Ended e;
          e.end.received = uint32_t(rtp_session_get_stats(st.session)->packet_recv);
          e.end.srtp_failures = st.srtp ? st.srtp->failures() : 0;
          e.port = st.port;
          destroy(st);
          streams_.erase(it);
          std::lock_guard lk(queue_mu_);
          ended_.push_back(e);
          any_ended = true;
          break;
        }
      }
    }
    if (any_ended) {
      const uint64_t one = 1;
      [[maybe_unused]] auto r = ::write(event_fd_, &one, sizeof one);
    }
  }

  void run() {
    pthread_setname_np(pthread_self(), "sim-ortp");  // in stacks, top -H and perf
    const int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    if (tfd < 0) {  // no tick ever: say so rather than leave every stream silent
      std::fprintf(stderr, "callee simulator (oRTP): timerfd_create: %s\n", std::strerror(errno));
      return;
    }
    itimerspec its{};
    its.it_interval.tv_nsec = 20'000'000;
    its.it_value.tv_nsec = 20'000'000;
    ::timerfd_settime(tfd, 0, &its, nullptr);
    while (!stop_) {
      pollfd pf{tfd, POLLIN, 0};
      if (::poll(&pf, 1, 100) <= 0) continue;
      uint64_t expirations;
      if (::read(tfd, &expirations, sizeof expirations) != sizeof expirations) continue;
      run_commands();
      for (auto& [id, st] : streams_) tick(*st);
    }
    ::close(tfd);
  }

  std::unordered_map<uint32_t, std::unique_ptr<Stream>> streams_;  // this thread's only
  std::mutex queue_mu_;  // held only to move the three below
  std::vector<std::pair<uint32_t, std::unique_ptr<Stream>>> incoming_;
  std::vector<Command> commands_;
  std::vector<Ended> ended_;
  int event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: starts once the rest is built
};

class OrtpCalleeMedia final : public CalleeMedia {
 public:
  /// o.workers tick threads (0: one per core, as hark's engine), streams dealt out by id.
  explicit OrtpCalleeMedia(const media::MediaEngineOptions& o) : ip_(o.bind_ip), max_streams_(o.max_streams) {
    init_ortp();
    for (uint32_t p = o.port_min + (o.port_min & 1u); p + 1 <= o.port_max; p += 2) free_ports_.push_back(uint16_t(p));
    const int n = o.workers > 0 ? o.workers : std::max(1, int(std::thread::hardware_concurrency()));
    for (int i = 0; i < n; ++i) tickers_.push_back(std::make_unique<Ticker>());
  }

  ~OrtpCalleeMedia() override {
    tickers_.clear();
    for (auto& [pt, prof] : profiles_) rtp_profile_destroy(prof);
  }

  const char* name() const override { return "ortp"; }

  // The session is made and bound here, on the SIP thread (the SDP answer needs its port),
  // then handed to its tick thread.
  Opened open(const media::StreamParams& p) override {
    std::string remote_ip;
    int remote_port = 0;
    if (!host_port(p.remote, remote_ip, remote_port)) return {0, 0, "no usable remote address"};
    if (open_ >= max_streams_) return {0, 0, "too many streams"};
    auto st = std::make_unique<Stream>();
    RtpSession* s = nullptr;
    // Ports another program holds are skipped (and go to the back of the pool).
    for (int attempt = 0; attempt < 16 && !free_ports_.empty(); ++attempt) {
      const uint16_t port = free_ports_.front();
      free_ports_.pop_front();
      s = rtp_session_new(RTP_SESSION_SENDRECV);
      rtp_session_set_scheduling_mode(s, 0);
      rtp_session_set_blocking_mode(s, 0);
      if (rtp_session_set_local_addr(s, ip_.c_str(), port, port + 1) == 0) {
        st->port = port;
        break;
      }
      rtp_session_destroy(s);
      s = nullptr;
      free_ports_.push_back(port);
    }
    if (!s) return {0, 0, "no free RTP port on " + ip_};
    st->session = s;
    rtp_session_set_symmetric_rtp(s, 0);
    if (p.srtp) {
      st->srtp = std::make_unique<OrtpSrtp>(s, p.srtp_tx_key, p.srtp_rx_key);
      if (!st->srtp->error().empty()) {
        const std::string err = st->srtp->error();
        free_ports_.push_back(st->port);
        destroy(*st);
        return {0, 0, err};
      }
    }
    apply(*st, p, profile(p.dtmf_payload_type), remote_ip, remote_port);
    const uint32_t id = next_id_++;
    const uint16_t port = st->port;
    ++open_;
    ticker(id).hand_over(id, std::move(st));
    return {id, port, ""};
  }

  void modify(uint32_t id, const media::StreamParams& p) override {
    Command c;
    c.kind = Command::Kind::modify;
    c.id = id;
    c.params = p;
    if (!host_port(p.remote, c.ip, c.port)) return;
    c.profile = profile(p.dtmf_payload_type);
    ticker(id).post(std::move(c));
  }

  void play(uint32_t id, const media::Prompt* prompt) override {
    Command c;
    c.kind = Command::Kind::play;
    c.id = id;
    c.prompt = prompt;
    ticker(id).post(std::move(c));
  }

  bool send_dtmf(uint32_t id, const std::string& digits) override {
    Command c;
    c.kind = Command::Kind::dtmf;
    c.id = id;
    c.digits = digits;
    ticker(id).post(std::move(c));
    return true;
  }

  void close(uint32_t id) override {
    Command c;
    c.kind = Command::Kind::close;
    c.id = id;
    ticker(id).post(std::move(c));
  }

  std::vector<int> event_fds() const override {
    std::vector<int> fds;
    for (const auto& t : tickers_) fds.push_back(t->event_fd());
    return fds;
  }

  void drain(const std::function<void(const CalleeStreamEnd&)>& ended) override {
    for (auto& t : tickers_)
      for (const auto& e : t->take_ended()) {
        free_ports_.push_back(e.port);
        --open_;
        ended(e.end);
      }
  }

 private:
  Ticker& ticker(uint32_t id) { return *tickers_[id % tickers_.size()]; }

  // oRTP sends telephone events only on a payload type its profile maps to telephone-event:
  // G.711 and the caller's event type, one profile per event type (kept until destruction).
  RtpProfile* profile(int dtmf_pt) {
    RtpProfile*& prof = profiles_[dtmf_pt];
    if (!prof) {
      prof = rtp_profile_new("hark-callee");
      rtp_profile_set_payload(prof, 0, &payload_type_pcmu8000);
      rtp_profile_set_payload(prof, 8, &payload_type_pcma8000);
      rtp_profile_set_payload(prof, dtmf_pt, &payload_type_telephone_event);
    }
    return prof;
  }

  // SIP thread only.
  const std::string ip_;
  const size_t max_streams_;
  std::deque<uint16_t> free_ports_;
  std::unordered_map<int, RtpProfile*> profiles_;  // by telephone-event payload type
  uint32_t next_id_ = 1;
  size_t open_ = 0;
  std::vector<std::unique_ptr<Ticker>> tickers_;
};
}  // namespace

std::unique_ptr<CalleeMedia> ortp_callee_media(const media::MediaEngineOptions& o) {
  return std::make_unique<OrtpCalleeMedia>(o);
}

}  // namespace hark::signaling
