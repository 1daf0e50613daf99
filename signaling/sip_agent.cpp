#include "signaling/sip_agent.h"

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <cstring>
#include <unordered_map>

#include "signaling/sdp.h"
#include "signaling/sip_loop.h"

namespace hark::signaling {

using Clock = std::chrono::steady_clock;

std::string_view to_string(CallState s) {
  switch (s) {
    case CallState::queued: return "queued";
    case CallState::dialing: return "dialing";
    case CallState::ringing: return "ringing";
    case CallState::early_media: return "early_media";
    case CallState::answered: return "answered";
    case CallState::verdict: return "verdict";
    case CallState::transferring: return "transferring";
    case CallState::playing_message: return "playing_message";
    case CallState::ended: return "ended";
  }
  return "?";
}

namespace {
constexpr int kTickMs = 20;

struct Call {
  uint64_t id = 0;
  CallRequest req;
  std::string dialed;
  nua_handle_t* nh = nullptr;
  media::StreamId stream = 0;
  uint16_t port = 0;
  media::SrtpKey key;
  CallState state = CallState::queued;
  int code = 0;
  std::string phrase;
  Clock::time_point invite_at, ring_deadline, message_deadline;
  Clock::time_point state_at;   // when `state` was entered, or when ending began: the watchdog's clock
  double setup_ms = 0;
  bool cancelled_for_timeout = false;
  bool auth_tried = false;
  bool answered = false;
  bool media_early = false;
  bool has_verdict = false;
  amd::Event verdict{};
  bool waiting_for_beep = false;
  bool transferred = false;
  bool ending = false;      // BYE/CANCEL sent, outcome fixed
  bool closing = false;     // SIP side over; waiting for the media's final statistics
  Clock::time_point answered_at, hangup_at;
  media::StreamStats stats{};
  LeadStatus outcome = LeadStatus::unknown;
  std::string cause;
};
}  // namespace

struct SipAgent::Impl {
  TrunkSettings t;
  media::MediaEngine& media;
  Handler on_event;
  std::atomic<size_t>& in_progress;

  nua_t* nua = nullptr;
  int cmd_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);  // wakes the SIP thread for commands
  std::mutex cmd_mu;  // commands are rare (a few per call): a lock here is fine
  std::deque<std::function<void(Impl&)>> cmds;
  bool stopping = false;
  bool shutdown_done = false;

  std::unordered_map<uint64_t, std::unique_ptr<Call>> calls;
  std::unordered_map<media::StreamId, Call*> by_stream;
  std::deque<Call*> pending;  // queued, waiting for pacing or capacity
  size_t active = 0;          // calls with an INVITE out
  double tokens = 1;          // calls-per-second bucket
  Clock::time_point last_tick = Clock::now();

  std::atomic<size_t>& up;
  std::atomic<bool>& registered;
  nua_handle_t* reg_nh = nullptr;
  bool reg_auth_tried = false;

  Impl(TrunkSettings ts, media::MediaEngine& m, Handler h, std::atomic<size_t>& ip, std::atomic<size_t>& u,
       std::atomic<bool>& reg)
      : t(std::move(ts)), media(m), on_event(std::move(h)), in_progress(ip), up(u), registered(reg) {
    t.ring_timeout_s = std::max(15, t.ring_timeout_s);  // the US rule: ring at least 15 s
  }

  ~Impl() { ::close(cmd_fd); }

  // Runs the commands other threads posted (see SipAgent::post).
  void run_commands() {
    uint64_t n;
    [[maybe_unused]] auto r = ::read(cmd_fd, &n, sizeof n);
    std::deque<std::function<void(Impl&)>> todo;
    {
      std::lock_guard<std::mutex> g(cmd_mu);
      todo.swap(cmds);
    }
    for (auto& f : todo) f(*this);
  }

  void emit(const Call& c, CallState s) {
    if (on_event) on_event(make_event(c, s));
  }

  CallEvent make_event(const Call& c, CallState s) const {
    CallEvent e;
    e.call_id = c.id;
    e.tag = c.req.tag;
    e.state = s;
    e.number = c.dialed;
    e.sip_code = c.code;
    e.sip_reason = c.phrase;
    e.has_verdict = c.has_verdict;
    e.verdict = c.verdict.verdict;
    e.amd_cause = c.verdict.cause;
    e.amd_ms = c.verdict.at_ms;
    e.outcome = c.outcome;
    e.cause = c.cause;
    e.setup_ms = c.setup_ms;
    e.answered = c.answered;
    e.rtp_received = c.stats.received;
    e.rtp_lost = c.stats.lost;
    e.jitter_ms = c.stats.jitter_ms;
    if (c.answered) {
      e.answered_ms = std::chrono::duration<double, std::milli>(c.answered_at - c.invite_at).count();
      if (s == CallState::ended) e.talk_ms = std::chrono::duration<double, std::milli>(Clock::now() - c.answered_at).count();
    }
    return e;
  }

  void set_state(Call& c, CallState s) {
    if (c.state == s) return;
    c.state = s;
    c.state_at = Clock::now();
    emit(c, s);
  }

  std::string target_uri(const std::string& number) const {
    if (number.rfind("sip:", 0) == 0) return number;
    return "sip:" + number + "@" + t.domain;
  }

  // Ends the call's SIP side: CANCEL before an answer, BYE after. The outcome is fixed here.
  void end_call(Call& c, LeadStatus outcome, std::string cause) {
    if (c.ending) return;
    c.ending = true;
    c.state_at = Clock::now();
    c.outcome = outcome;
    c.cause = std::move(cause);
    if (!c.nh) {
      finish(c);
      return;
    }
    if (c.answered) nua_bye(c.nh, TAG_END());
    else nua_cancel(c.nh, TAG_END());
  }

  // The call is over on the SIP side: release the handle and the media; the outcome is
  // reported once the media worker has sent the stream's final statistics.
  void finish(Call& c) {
    if (c.closing) return;
    if (c.nh) {
      nua_handle_destroy(c.nh);
      c.nh = nullptr;
      --active;
      up = active;
    }
    if (c.stream) {
      c.closing = true;
      if (media.close(c.stream)) return;  // completed by on_media(ended)
      // The worker's command queue is full: finish without its final statistics rather than
      // leave the call (and its lead) open for ever.
    }
    complete(c);
  }

  void complete(Call& c) {
    c.state = CallState::ended;
    // Counters first: whoever handles `ended` sees the call gone.
    const CallEvent e = make_event(c, CallState::ended);
    calls.erase(c.id);
    in_progress = calls.size();
    if (on_event) on_event(e);
  }

  media::StreamParams stream_params(const Call& c, const PeerMedia& peer, bool early) const {
    media::StreamParams p;
    p.remote = peer.addr;
    p.remote_len = peer.addr_len;
    p.payload_type = peer.payload_type;
    p.dtmf_payload_type = uint8_t(peer.dtmf_payload_type >= 0 ? peer.dtmf_payload_type : 101);
    p.rtcp_mux = peer.rtcp_mux;
    p.srtp = peer.srtp;
    p.srtp_rx_key = peer.key;
    p.srtp_tx_key = c.key;
    p.amd = c.req.amd || early;
    p.amd_params = c.req.amd_params;
    p.amd_params.early_media_sit_only = early;
    p.send = !early;  // nothing to say before the answer
    return p;
  }

  void dial(Call& c) {
    media::StreamParams idle;  // no peer yet: receives nothing, sends nothing
    idle.amd = false;
    auto opened = media.open(idle);
    if (!opened.ok()) {
      c.cause = "no media port: " + opened.error;
      c.outcome = LeadStatus::unknown;
      finish(c);
      return;
    }
    c.stream = opened.id;
    c.port = opened.port;
    by_stream[c.stream] = &c;
    LocalMedia lm;
    lm.ip = t.media_ip;
    lm.port = c.port;
    lm.session_id = c.id;
    lm.srtp = t.srtp;
    if (t.srtp) c.key = lm.key = media::srtp_random_key();
    const std::string sdp = build_sdp(lm);
    const std::string uri = target_uri(c.dialed);
    // A campaign's caller ID replaces the trunk's From user for this call only.
    std::string from;
    if (!c.req.caller_id.empty()) from = "sip:" + c.req.caller_id + "@" + t.bind_url.substr(t.bind_url.find(':') + 1);
    c.nh = nua_handle(nua, &c, SIPTAG_TO_STR(uri.c_str()), TAG_IF(!from.empty(), SIPTAG_FROM_STR(from.c_str())), TAG_END());
    if (!c.nh) {
      c.cause = "cannot create a SIP handle for " + uri;
      finish(c);
      return;
    }
    ++active;
    up = active;
    c.invite_at = Clock::now();
    c.ring_deadline = c.invite_at + std::chrono::seconds(t.ring_timeout_s);
    nua_invite(c.nh, NUTAG_URL(uri.c_str()), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
               SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
    set_state(c, CallState::dialing);
  }

  void tick() {
    const auto now = Clock::now();
    const double dt = std::chrono::duration<double>(now - last_tick).count();
    last_tick = now;
    tokens = std::min(std::max(1.0, t.calls_per_second), tokens + dt * t.calls_per_second);
    while (!pending.empty() && !stopping && tokens >= 1.0 && active < size_t(t.max_concurrent)) {
      Call* c = pending.front();
      pending.pop_front();
      tokens -= 1.0;
      dial(*c);
    }
    // One pass: calls whose timer is due, and the watchdog — a peer that never sends what we
    // wait for (a verdict's audio, the NOTIFY after REFER, the answer to our BYE/CANCEL) must
    // not hold a call, and a campaign's lead, for ever.
    std::vector<Call*> due, stuck, unanswered_bye;
    for (auto& [id, c] : calls) {
      if (c->closing) continue;
      const auto in_state = now - c->state_at;
      if (c->ending) {
        if (in_state > std::chrono::seconds(40)) unanswered_bye.push_back(c.get());
        continue;
      }
      if (!c->nh) continue;
      if (!c->answered && now >= c->ring_deadline) due.push_back(c.get());
      else if (c->waiting_for_beep && now >= c->message_deadline) due.push_back(c.get());
      else if (c->answered && c->req.hold_ms > 0 && now >= c->hangup_at) due.push_back(c.get());
      else if (c->answered && c->req.hold_ms == 0 && !c->waiting_for_beep && c->state != CallState::playing_message &&
               in_state > std::chrono::milliseconds(c->req.amd_params.total_analysis_ms + 15000))
        stuck.push_back(c.get());
    }
    for (Call* c : stuck)
      end_call(*c, LeadStatus::unknown,
               std::string("no progress for too long in state ") + std::string(to_string(c->state)));
    for (Call* c : unanswered_bye) finish(*c);
    for (Call* c : due) {
      if (!c->answered) {
        c->cancelled_for_timeout = true;
        end_call(*c, LeadStatus::no_answer, "ring timeout after " + std::to_string(t.ring_timeout_s) + " s");
      } else if (c->req.hold_ms > 0 && !c->waiting_for_beep) {
        end_call(*c, c->has_verdict ? status_for_answered(c->verdict.verdict, false) : LeadStatus::unknown,
                 "load test: held " + std::to_string(c->req.hold_ms) + " ms");
      } else {
        // No beep came: the greeting is over by now; leave the message anyway.
        c->waiting_for_beep = false;
        play_message(*c);
      }
    }
  }

  void play_message(Call& c) {
    set_state(c, CallState::playing_message);
    media.play(c.stream, c.req.voicemail);
  }

  void on_media(const media::MediaEvent& e) {
    auto it = by_stream.find(e.id);
    if (it == by_stream.end()) return;
    Call& c = *it->second;
    if (e.kind == media::MediaEventKind::ended) {
      c.stats = e.stats;
      by_stream.erase(it);
      c.stream = 0;
      if (c.closing) complete(c);
      return;
    }
    if (e.kind == media::MediaEventKind::stats) c.stats = e.stats;
    if (c.ending) return;
    if (e.kind == media::MediaEventKind::amd && e.amd.kind == amd::EventKind::verdict) {
      if (c.media_early) {
        if (e.amd.verdict == amd::Verdict::sit)
          end_call(c, LeadStatus::failure, "SIT in early media (invalid number)");
        return;
      }
      c.has_verdict = true;
      c.verdict = e.amd;
      if (c.state == CallState::transferring) return;  // already being transferred by request
      set_state(c, CallState::verdict);
      act_on_verdict(c);
    } else if (e.kind == media::MediaEventKind::amd && e.amd.kind == amd::EventKind::beep) {
      if (c.waiting_for_beep) {
        c.waiting_for_beep = false;
        play_message(c);
      }
    } else if (e.kind == media::MediaEventKind::playback_done && c.state == CallState::playing_message) {
      end_call(c, LeadStatus::amd, "machine: message left after the beep");
    }
  }

  void act_on_verdict(Call& c) {
    const amd::Verdict v = c.verdict.verdict;
    if (c.req.hold_ms != 0) {  // a load test: no action, just hold and hang up
      if (c.req.hold_ms < 0 || Clock::now() >= c.hangup_at)
        end_call(c, status_for_answered(v, false), "load test: hung up at the verdict");
      return;
    }
    if (v == amd::Verdict::human || v == amd::Verdict::unknown) {
      // An unsure verdict is treated as a person: hanging up on a person is the costly error.
      if (c.req.transfer_to.empty()) {
        end_call(c, LeadStatus::unknown, "person answered; no transfer target configured");
        return;
      }
      const std::string to = target_uri(c.req.transfer_to);
      set_state(c, CallState::transferring);
      nua_refer(c.nh, SIPTAG_REFER_TO_STR(to.c_str()), TAG_END());
      return;
    }
    if (v == amd::Verdict::machine && c.req.voicemail) {
      c.waiting_for_beep = true;
      c.message_deadline = Clock::now() + std::chrono::milliseconds(c.req.amd_params.beep_timeout_ms);
      return;
    }
    const char* why = v == amd::Verdict::machine ? "answering machine" : v == amd::Verdict::fax ? "fax" : v == amd::Verdict::sit ? "SIT: number not in service" : "dead air";
    end_call(c, status_for_answered(v, false), why);
  }

  // Answers a 401/407 challenge with the trunk's credentials; false when it cannot.
  bool authenticate(nua_handle_t* nh, int status, const sip_t* sip) {
    if (t.username.empty() || !sip) return false;
    const msg_auth_t* au = status == 401 ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
    const char* realm = au ? msg_params_find(au->au_params, "realm=") : nullptr;
    if (!au || !realm) return false;
    const std::string auth = std::string(au->au_scheme) + ":" + realm + ":" + t.username + ":" + t.password;
    nua_authenticate(nh, NUTAG_AUTH(auth.c_str()), TAG_END());
    return true;
  }

  void start_registration() {
    if (t.registrar.empty()) return;
    const std::string aor = "sip:" + t.from_user + "@" + t.domain;
    reg_nh = nua_handle(nua, nullptr, SIPTAG_TO_STR(aor.c_str()), SIPTAG_FROM_STR(aor.c_str()), TAG_END());
    nua_register(reg_nh, NUTAG_REGISTRAR(t.registrar.c_str()), NUTAG_M_USERNAME(t.from_user.c_str()),
                 SIPTAG_EXPIRES_STR(std::to_string(t.register_expires_s).c_str()), TAG_END());
  }

  void on_nua(nua_event_t event, int status, const char* phrase, nua_handle_t* nh, Call* c, const sip_t* sip, tagi_t tags[]) {
    if (event == nua_r_shutdown) {
      if (status >= 200) shutdown_done = true;
      return;
    }
    if (nh && nh == reg_nh) {
      if (event == nua_r_register || event == nua_r_unregister) {
        if ((status == 401 || status == 407) && !reg_auth_tried && authenticate(nh, status, sip)) {
          reg_auth_tried = true;
          return;
        }
        if (status >= 200) {
          registered = event == nua_r_register && status < 300;
          reg_auth_tried = false;
          if (status >= 300) spdlog::error("registration at {} failed: {} {}", t.registrar, status, phrase ? phrase : "");
          else if (event == nua_r_register) spdlog::info("registered at {}", t.registrar);
        }
      }
      return;
    }
    if (!c) {
      // Not one of our calls (e.g. an unsolicited INVITE): refuse and forget.
      if (event == nua_i_invite) nua_respond(nh, SIP_403_FORBIDDEN, TAG_END());
      if (event == nua_i_state) {
        int cs = 0;
        tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
        if (cs == nua_callstate_terminated) nua_handle_destroy(nh);
      }
      return;
    }
    switch (event) {
      case nua_r_invite: {
        c->code = status;
        c->phrase = phrase ? phrase : "";
        if (status < 200) {
          if (status >= 180 && c->setup_ms == 0)
            c->setup_ms = std::chrono::duration<double, std::milli>(Clock::now() - c->invite_at).count();
          if (sip && sip->sip_payload && sip->sip_payload->pl_len > 0 && !c->media_early) {
            PeerMedia peer;
            if (parse_peer_sdp({sip->sip_payload->pl_data, sip->sip_payload->pl_len}, peer).empty()) {
              c->media_early = true;
              media.update(c->stream, stream_params(*c, peer, true));
              set_state(*c, CallState::early_media);
              return;
            }
          }
          if (status >= 180) set_state(*c, CallState::ringing);
          return;
        }
        if (status < 300) {
          c->answered = true;
          if (c->ending) {  // answered while our CANCEL crossed it: hang up
            nua_bye(nh, TAG_END());
            return;
          }
          PeerMedia peer;
          const std::string err = sip && sip->sip_payload
                                      ? parse_peer_sdp({sip->sip_payload->pl_data, sip->sip_payload->pl_len}, peer)
                                      : std::string("200 OK without SDP");
          if (!err.empty()) {
            end_call(*c, LeadStatus::unknown, "bad SDP answer: " + err);
            return;
          }
          c->media_early = false;
          media.update(c->stream, stream_params(*c, peer, false));
          c->answered_at = Clock::now();
          if (c->req.hold_ms > 0) c->hangup_at = c->answered_at + std::chrono::milliseconds(c->req.hold_ms);
          set_state(*c, CallState::answered);
          if (!c->req.amd) {
            c->verdict.verdict = amd::Verdict::human;
            act_on_verdict(*c);
          }
          return;
        }
        if ((status == 401 || status == 407) && !c->auth_tried) {
          c->auth_tried = true;
          if (authenticate(nh, status, sip)) return;
        }
        // A final failure: the outcome follows from the code (our own CANCEL gives 487).
        if (!c->ending) {
          c->ending = true;
          c->outcome = status_for_sip_code(status);
          if (status == 487) c->outcome = LeadStatus::unknown;
          c->cause = std::to_string(status) + " " + c->phrase;
        } else if (c->cancelled_for_timeout) {
          c->outcome = LeadStatus::no_answer;
        }
        return;  // the terminated state follows
      }
      case nua_r_refer:
        if (status >= 300) end_call(*c, LeadStatus::unknown, "person answered but the transfer was refused (" + std::to_string(status) + " " + (phrase ? phrase : "") + ")");
        return;
      case nua_i_notify: {
        // The transfer's progress as a sipfrag: "SIP/2.0 200 OK" means the person is through.
        if (!sip || !sip->sip_payload || c->state != CallState::transferring) return;
        const std::string frag(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
        int code = 0;
        if (std::sscanf(frag.c_str(), "SIP/2.0 %d", &code) != 1 || code < 200) return;
        if (code < 300) {
          c->transferred = true;
          end_call(*c, LeadStatus::success, "transferred to " + c->req.transfer_to);
        } else {
          end_call(*c, LeadStatus::unknown, "transfer failed: " + frag.substr(0, frag.find('\r')));
        }
        return;
      }
      case nua_i_bye:
        if (!c->ending) {
          c->ending = true;
          if (c->state == CallState::playing_message) c->outcome = LeadStatus::amd, c->cause = "machine hung up during the message";
          else if (c->has_verdict) c->outcome = status_for_answered(c->verdict.verdict, c->transferred), c->cause = "callee hung up after the verdict";
          else c->outcome = LeadStatus::unknown, c->cause = "callee hung up before a verdict";
        }
        return;
      case nua_i_state: {
        int cs = 0;
        tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
        if (cs == nua_callstate_terminated) finish(*c);
        return;
      }
      default:
        return;
    }
  }
};

namespace {
void nua_callback(nua_event_t event, int status, const char* phrase, nua_t*, nua_magic_t* magic, nua_handle_t* nh,
                  nua_hmagic_t* hmagic, const sip_t* sip, tagi_t tags[]) {
  static_cast<SipAgent::Impl*>(static_cast<void*>(magic))
      ->on_nua(event, status, phrase, nh, static_cast<Call*>(static_cast<void*>(hmagic)), sip, tags);
}

}  // namespace

SipAgent::SipAgent(TrunkSettings t, media::MediaEngine& media, Handler on_event)
    : impl_(std::make_unique<Impl>(std::move(t), media, std::move(on_event), in_progress_, up_, registered_)) {}

SipAgent::~SipAgent() { stop(); }

std::string SipAgent::start() {
  Impl& m = *impl_;
  // NUA belongs to the SIP thread's root: it is created there, and readiness reported back.
  return start_sip_thread(
      thread_,
      [&m](SipLoop& loop) -> std::string {
        loop.watch(m.cmd_fd, [&m] { m.run_commands(); });
        for (int fd : m.media.event_fds())
          loop.watch(fd, [&m] { m.media.drain_events([&m](const media::MediaEvent& e) { m.on_media(e); }); });
        std::string from = "sip:" + m.t.from_user + "@" + m.t.bind_url.substr(m.t.bind_url.find(':') + 1);
        if (!m.t.from_display.empty()) from = "\"" + m.t.from_display + "\" <" + from + ">";
        m.nua = nua_create(loop.root(), nua_callback, reinterpret_cast<nua_magic_t*>(&m),
                           NUTAG_URL(m.t.bind_url.c_str()),
                           NUTAG_MEDIA_ENABLE(0),        // our own SDP: soa rewrote it and cost 8 % CPU
                           TPTAG_UDP_RMEM(4 << 20),      // the default buffer lost 180s in bursts
                           NUTAG_MAX_RETRY_AFTER(0),     // never re-INVITE on 503 + Retry-After
                           NUTAG_SESSION_TIMER(0),
                           NUTAG_EARLY_MEDIA(0),         // no 100rel/PRACK: 183 media works without it
                           NUTAG_AUTOACK(1),
                           NUTAG_ENABLEMESSAGE(0),
                           SIPTAG_FROM_STR(from.c_str()),
                           TAG_IF(!m.t.proxy.empty(), NUTAG_PROXY(m.t.proxy.c_str())),
                           TAG_END());
        if (!m.nua) return "cannot start SIP on " + m.t.bind_url + " (address in use or invalid)";
        loop.every(kTickMs, [&m] { m.tick(); });
        m.start_registration();
        return "";
      },
      [&m] { return m.shutdown_done; }, [&m] { nua_destroy(m.nua); });
}

void SipAgent::post(std::function<void(Impl&)> f) {
  {
    std::lock_guard<std::mutex> g(impl_->cmd_mu);
    impl_->cmds.push_back(std::move(f));
  }
  const uint64_t one = 1;
  [[maybe_unused]] auto r = ::write(impl_->cmd_fd, &one, sizeof one);
}

uint64_t SipAgent::originate(CallRequest r) {
  const uint64_t id = next_id_.fetch_add(1);
  ++in_progress_;
  post([id, r = std::move(r)](Impl& m) mutable {
    auto c = std::make_unique<Call>();
    c->id = id;
    std::string number = r.number;
    if (m.t.normalize && number.rfind("sip:", 0) != 0) {
      const auto n = normalize_number(number, m.t.plan);
      if (!n.ok()) {
        c->req = std::move(r);
        c->dialed = number;
        c->cause = "invalid number: " + n.error;
        c->outcome = LeadStatus::failure;
        Call& ref = *c;
        m.calls[id] = std::move(c);
        m.finish(ref);
        return;
      }
      number = n.number;
    }
    c->dialed = number.rfind("sip:", 0) == 0 ? number : m.t.dial_prefix + number;
    c->req = std::move(r);
    Call* raw = c.get();
    m.calls[id] = std::move(c);
    m.in_progress = m.calls.size();
    if (m.stopping) {
      raw->cause = "dialer stopping";
      m.finish(*raw);
      return;
    }
    m.pending.push_back(raw);
    m.emit(*raw, CallState::queued);
  });
  return id;
}

void SipAgent::hangup(uint64_t call_id) {
  post([call_id](Impl& m) {
    auto it = m.calls.find(call_id);
    if (it == m.calls.end()) return;
    Call& c = *it->second;
    if (!c.nh) {
      std::erase(m.pending, &c);
      c.cause = "hung up before dialing";
      m.finish(c);
      return;
    }
    m.end_call(c, c.has_verdict ? status_for_answered(c.verdict.verdict, c.transferred) : LeadStatus::unknown, "hung up by request");
  });
}

void SipAgent::transfer(uint64_t call_id, std::string target) {
  post([call_id, target = std::move(target)](Impl& m) {
    auto it = m.calls.find(call_id);
    if (it == m.calls.end()) return;
    Call& c = *it->second;
    if (!c.answered || c.ending || c.state == CallState::transferring) return;
    c.req.transfer_to = target;
    const std::string to = m.target_uri(target);
    m.set_state(c, CallState::transferring);
    nua_refer(c.nh, SIPTAG_REFER_TO_STR(to.c_str()), TAG_END());
  });
}

void SipAgent::stop() {
  if (!thread_.joinable()) return;
  post([](Impl& m) {
    m.stopping = true;
    for (Call* c : m.pending) c->cause = "dialer stopped before dialing";
    std::vector<Call*> queued(m.pending.begin(), m.pending.end());
    m.pending.clear();
    for (Call* c : queued) m.finish(*c);
    std::vector<Call*> live;
    for (auto& [id, c] : m.calls) live.push_back(c.get());
    for (Call* c : live) m.end_call(*c, LeadStatus::unknown, "dialer stopped");
    if (m.reg_nh && m.registered) nua_unregister(m.reg_nh, TAG_END());
    nua_shutdown(m.nua);
  });
  thread_.join();
}

}  // namespace hark::signaling
