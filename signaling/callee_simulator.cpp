#include "signaling/callee_simulator.h"

#include <sofia-sip/nua.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <mutex>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <unordered_map>

#include "media/audio_file.h"
#include "signaling/sdp.h"
#include "signaling/sip_loop.h"
#include "signaling/unsolicited.h"

namespace hark::signaling {

using Clock = std::chrono::steady_clock;

std::vector<std::string> read_callee_rules(const std::string& path, std::vector<CalleeRule>& out) {
  std::vector<std::string> errors;
  std::ifstream f(path);
  if (!f) return {"cannot open " + path};
  std::string line;
  for (int n = 1; std::getline(f, line); ++n) {
    // '#' at the start or after a blank begins a comment; inside a word it is a key (dtmf=12#).
    for (size_t h = line.find('#'); h != std::string::npos; h = line.find('#', h + 1))
      if (h == 0 || std::isspace(static_cast<unsigned char>(line[h - 1]))) {
        line.resize(h);
        break;
      }
    std::stringstream ss(line);
    std::vector<std::string> w;
    for (std::string x; ss >> x;) w.push_back(x);
    if (w.empty()) continue;
    auto bad = [&](const std::string& why) { errors.push_back(path + ":" + std::to_string(n) + ": " + why); };
    if (w.size() < 2) { bad("expected PATTERN BEHAVIOUR"); continue; }
    CalleeRule r;
    r.pattern = w[0];
    static const std::map<std::string, CalleeRule::Behaviour> kinds = {
        {"answer", CalleeRule::Behaviour::answer}, {"busy", CalleeRule::Behaviour::busy},
        {"reject", CalleeRule::Behaviour::reject}, {"no-answer", CalleeRule::Behaviour::no_answer},
        {"unavailable", CalleeRule::Behaviour::unavailable}, {"not-found", CalleeRule::Behaviour::not_found},
        {"announce", CalleeRule::Behaviour::announce}};
    auto k = kinds.find(w[1]);
    if (k == kinds.end()) { bad("unknown behaviour '" + w[1] + "'"); continue; }
    r.behaviour = k->second;
    bool ok = true;
    for (size_t i = 2; i < w.size(); ++i) {
      if (w[i].rfind("ring=", 0) == 0) r.ring_ms = std::atoi(w[i].c_str() + 5);
      else if (w[i].rfind("hold=", 0) == 0) r.hold_ms = std::atoi(w[i].c_str() + 5);
      else if (w[i].rfind("dtmf=", 0) == 0) r.dtmf = w[i].substr(5);
      else if (r.audio.empty()) r.audio = w[i];
      else { bad("unexpected '" + w[i] + "'"); ok = false; }
    }
    const bool needs_audio = r.behaviour == CalleeRule::Behaviour::answer || r.behaviour == CalleeRule::Behaviour::announce;
    if (ok && needs_audio && r.audio.empty()) { bad(w[1] + " needs an audio file"); ok = false; }
    // Audio paths are relative to the mapping file.
    if (ok && !r.audio.empty() && r.audio[0] != '/') {
      const auto dir = std::filesystem::path(path).parent_path();
      r.audio = (dir / r.audio).lexically_normal().string();
    }
    if (ok) out.push_back(r);
  }
  return errors;
}

const CalleeRule* match_rule(const std::vector<CalleeRule>& rules, const std::string& number) {
  for (const auto& r : rules) {
    if (!r.pattern.empty() && r.pattern.back() == '*') {
      if (number.compare(0, r.pattern.size() - 1, r.pattern, 0, r.pattern.size() - 1) == 0) return &r;
    } else if (r.pattern == number) {
      return &r;
    }
  }
  return nullptr;
}

namespace {
struct Leg {
  nua_handle_t* nh = nullptr;
  const CalleeRule* rule = nullptr;
  std::string number;  ///< the number the INVITE asked for
  uint32_t stream = 0;  ///< the CalleeMedia stream, 0 when none
  std::string answer_sdp;
  Clock::time_point respond_at, hangup_at;
  bool answered = false;
  bool responded = false;
  bool bye_sent = false;
  // For re-INVITEs: our port, SRTP key and o= version.
  uint16_t port = 0;
  bool srtp = false;
  media::SrtpKey key;
  uint32_t sdp_version = 1;
};
}  // namespace

struct CalleeSimulator::Impl {
  std::string bind_url, media_ip;
  unsigned transaction_lifetime_ms = 0;
  std::vector<CalleeRule> rules;
  std::unique_ptr<CalleeMedia> media_owned;
  CalleeMedia& media;
  CalleeCounters& counters;
  std::unordered_map<std::string, std::unique_ptr<media::Prompt>> prompts;
  nua_t* nua = nullptr;
  int stop_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  bool shutdown_done = false;
  std::unordered_map<nua_handle_t*, std::unique_ptr<Leg>> legs;
  std::unordered_map<uint32_t, Leg*> by_stream;
  std::function<void(const ReferSeen&)> refer_hook;
  std::function<void(const std::string&, media::StreamParams&)> stream_hook;

  Impl(std::string b, std::string ip, std::vector<CalleeRule> r, std::unique_ptr<CalleeMedia> m, CalleeCounters& c)
      : bind_url(std::move(b)), media_ip(std::move(ip)), rules(std::move(r)), media_owned(std::move(m)),
        media(*media_owned), counters(c) {}
  ~Impl() {
    // Calls still up when the simulator stops: their streams play `prompts`, which go before
    // the media member would.
    for (auto& [nh, l] : legs)
      if (l->stream) media.close(l->stream);
    media_owned.reset();
    ::close(stop_fd);
  }

  void drop(Leg& l) {
    if (l.stream) {
      media.close(l.stream);
      by_stream.erase(l.stream);
    }
    nua_handle_destroy(l.nh);
    legs.erase(l.nh);
  }

  void respond_final(Leg& l) {
    l.responded = true;
    using B = CalleeRule::Behaviour;
    switch (l.rule->behaviour) {
      case B::busy: nua_respond(l.nh, 486, "Busy Here", TAG_END()); break;
      case B::reject: nua_respond(l.nh, 603, "Decline", TAG_END()); break;
      case B::unavailable: nua_respond(l.nh, 503, "Service Unavailable", SIPTAG_RETRY_AFTER_STR("30"), TAG_END()); break;
      case B::not_found:
      case B::announce: nua_respond(l.nh, 404, "Not Found", TAG_END()); break;
      case B::no_answer: break;  // keep ringing until CANCEL
      case B::answer:
        nua_respond(l.nh, 200, "OK", SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(l.answer_sdp.c_str()), TAG_END());
        l.answered = true;
        l.hangup_at = Clock::now() + std::chrono::milliseconds(l.rule->hold_ms);
        media.play(l.stream, prompts[l.rule->audio].get());
        if (!l.rule->dtmf.empty()) media.send_dtmf(l.stream, l.rule->dtmf);
        ++counters.answered;
        break;
    }
    if (l.rule->behaviour != B::answer && l.rule->behaviour != B::no_answer) ++counters.refused;
  }

  void on_invite(nua_handle_t* nh, const sip_t* sip) {
    ++counters.invites;
    auto leg = std::make_unique<Leg>();
    leg->nh = nh;
    const std::string number = sip && sip->sip_request && sip->sip_request->rq_url->url_user ? sip->sip_request->rq_url->url_user : "";
    leg->rule = match_rule(rules, number);
    leg->number = number;
    if (!leg->rule) {
      ++counters.unmatched;
      nua_respond(nh, 404, "No Rule For This Number", TAG_END());
      legs[nh] = std::move(leg);
      return;
    }
    const bool with_media = leg->rule->behaviour == CalleeRule::Behaviour::answer ||
                            leg->rule->behaviour == CalleeRule::Behaviour::announce;
    if (with_media) {
      PeerMedia peer;
      const std::string err = sip->sip_payload ? parse_peer_sdp({sip->sip_payload->pl_data, sip->sip_payload->pl_len}, peer) : "no SDP offer";
      if (!err.empty()) {
        nua_respond(nh, 488, "Not Acceptable Here", SIPTAG_WARNING_STR(("399 hark \"" + err + "\"").c_str()), TAG_END());
        legs[nh] = std::move(leg);
        return;
      }
      media::StreamParams p;
      p.remote = peer.addr;
      p.remote_len = peer.addr_len;
      p.payload_type = peer.payload_type;
      if (peer.dtmf_payload_type >= 0) p.dtmf_payload_type = uint8_t(peer.dtmf_payload_type);
      p.rtcp_mux = peer.rtcp_mux;
      p.amd = false;
      // An SRTP offer gets an SRTP answer with a key of our own (SDES).
      const media::SrtpKey our_key = media::srtp_random_key();
      if (peer.srtp) {
        p.srtp = true;
        p.srtp_rx_key = peer.key;
        p.srtp_tx_key = our_key;
      }
      if (stream_hook) stream_hook(number, p);
      auto opened = media.open(p);
      if (!opened.ok()) {
        nua_respond(nh, 500, "No Media Port", TAG_END());
        legs[nh] = std::move(leg);
        return;
      }
      leg->stream = opened.id;
      by_stream[opened.id] = leg.get();
      LocalMedia lm;
      lm.ip = media_ip;
      lm.port = opened.port;
      lm.only_payload_type = peer.payload_type;
      lm.srtp = peer.srtp;
      lm.key = our_key;
      leg->answer_sdp = build_sdp(lm);
      leg->port = opened.port;
      leg->srtp = peer.srtp;
      leg->key = our_key;
    }
    if (leg->rule->behaviour == CalleeRule::Behaviour::announce) {
      // Early media: the announcement plays before any answer, then the call fails.
      nua_respond(nh, 183, "Session Progress", SIPTAG_CONTENT_TYPE_STR("application/sdp"),
                  SIPTAG_PAYLOAD_STR(leg->answer_sdp.c_str()), TAG_END());
      media.play(leg->stream, prompts[leg->rule->audio].get());
      leg->respond_at = Clock::now() + std::chrono::milliseconds(prompts[leg->rule->audio]->ms() + leg->rule->ring_ms);
      legs[nh] = std::move(leg);
      return;
    }
    nua_respond(nh, 180, "Ringing", TAG_END());
    leg->respond_at = Clock::now() + std::chrono::milliseconds(leg->rule->ring_ms);
    legs[nh] = std::move(leg);
  }

  // The caller's re-INVITE in an answered call: its new offer moves or stops our stream.
  void on_reinvite(Leg& l, const sip_t* sip) {
    PeerMedia peer;
    const std::string err = !l.answered || !l.stream ? "not an answered call"
                            : sip && sip->sip_payload ? parse_peer_sdp({sip->sip_payload->pl_data, sip->sip_payload->pl_len}, peer)
                                                      : "no SDP offer";
    if (!err.empty()) {
      nua_respond(l.nh, 488, "Not Acceptable Here", SIPTAG_WARNING_STR(("399 hark \"" + err + "\"").c_str()), TAG_END());
      return;
    }
    ++counters.reinvites;
    if (peer.hold) ++counters.held;
    media::StreamParams p;
    p.remote = peer.addr;
    p.remote_len = peer.addr_len;
    p.payload_type = peer.payload_type;
    if (peer.dtmf_payload_type >= 0) p.dtmf_payload_type = uint8_t(peer.dtmf_payload_type);
    p.rtcp_mux = peer.rtcp_mux;
    p.amd = false;
    p.send = peer.wants_our_audio();
    p.srtp = l.srtp;
    p.srtp_rx_key = peer.key;
    p.srtp_tx_key = l.key;
    media.modify(l.stream, p);
    LocalMedia lm;
    lm.ip = media_ip;
    lm.port = l.port;
    lm.only_payload_type = peer.payload_type;
    lm.srtp = l.srtp;
    lm.key = l.key;
    lm.direction = answer_direction(peer.direction, false);
    lm.version = ++l.sdp_version;
    const std::string sdp = build_sdp(lm);
    nua_respond(l.nh, 200, "OK", SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
  }

  void tick() {
    const auto now = Clock::now();
    std::vector<Leg*> due;
    for (auto& [nh, l] : legs) {
      if (l->rule && !l->responded && now >= l->respond_at) due.push_back(l.get());
      else if (l->answered && !l->bye_sent && now >= l->hangup_at) due.push_back(l.get());
    }
    for (Leg* l : due) {
      if (!l->responded) respond_final(*l);
      else {
        l->bye_sent = true;
        nua_bye(l->nh, TAG_END());
      }
    }
  }

  void on_nua(nua_event_t event, int status, nua_handle_t* nh, const sip_t* sip, tagi_t tags[]) {
    if (event == nua_r_shutdown) {
      if (status >= 200) shutdown_done = true;
      return;
    }
    auto it = legs.find(nh);
    if (event == nua_i_invite && it != legs.end()) {
      on_reinvite(*it->second, sip);
      return;
    }
    if (event == nua_i_invite) {
      on_invite(nh, sip);
      return;
    }
    // Not a call's handle: a request outside any call, answered and released at once.
    if (it == legs.end() && release_unsolicited(nua, event, status, nh)) return;
    if (event == nua_i_refer && it != legs.end()) {
      ++counters.refers;
      if (sip && sip->sip_refer_to && sip->sip_refer_to->r_url->url_headers &&
          std::string_view(sip->sip_refer_to->r_url->url_headers).find("Replaces=") != std::string_view::npos)
        ++counters.replaces_refers;
      {
        char target[512] = "";
        if (sip && sip->sip_refer_to) url_e(target, sizeof target, sip->sip_refer_to->r_url);
        target[sizeof target - 1] = 0;
        ReferSeen seen{it->second->number, target};
        if (refer_hook) refer_hook(seen);
        std::lock_guard lk(counters.refer_mu);
        counters.refer_log.push_back(std::move(seen));
      }
      // Accept the transfer (202) and report it done.
      if (status < 200) nua_respond(nh, SIP_202_ACCEPTED, NUTAG_WITH_THIS(nua), TAG_END());
      const sip_event_t* ev = nullptr;
      tl_gets(tags, NUTAG_REFER_EVENT_REF(ev), TAG_END());
      nua_notify(nh, NUTAG_SUBSTATE(nua_substate_terminated), SIPTAG_CONTENT_TYPE_STR("message/sipfrag"),
                 SIPTAG_PAYLOAD_STR("SIP/2.0 200 OK\r\n"), TAG_IF(ev, SIPTAG_EVENT(ev)), TAG_END());
      return;
    }
    if (event == nua_i_state) {
      int cs = 0;
      tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
      if (cs == nua_callstate_terminated) {
        if (it != legs.end()) drop(*it->second);
        else nua_handle_destroy(nh);
      }
    }
  }
};

namespace {
void sim_callback(nua_event_t event, int status, const char*, nua_t*, nua_magic_t* magic, nua_handle_t* nh,
                  nua_hmagic_t*, const sip_t* sip, tagi_t tags[]) {
  static_cast<CalleeSimulator::Impl*>(static_cast<void*>(magic))->on_nua(event, status, nh, sip, tags);
}
}  // namespace

CalleeSimulator::CalleeSimulator(std::string bind_url, std::string media_ip, std::vector<CalleeRule> rules,
                                 media::MediaEngine& media)
    : CalleeSimulator(std::move(bind_url), std::move(media_ip), std::move(rules), hark_callee_media(media)) {}

CalleeSimulator::CalleeSimulator(std::string bind_url, std::string media_ip, std::vector<CalleeRule> rules,
                                 std::unique_ptr<CalleeMedia> media)
    : impl_(std::make_unique<Impl>(std::move(bind_url), std::move(media_ip), std::move(rules), std::move(media), counters_)) {}

CalleeSimulator::~CalleeSimulator() { stop(); }

std::string CalleeSimulator::start() {
  for (const auto& r : impl_->rules) {
    if (r.audio.empty() || impl_->prompts.count(r.audio)) continue;
    std::vector<int16_t> pcm;
    if (auto err = media::read_audio(r.audio, pcm); !err.empty()) return r.audio + ": " + err;
    impl_->prompts[r.audio] = std::make_unique<media::Prompt>(media::Prompt::from_pcm(pcm));
  }
  Impl& m = *impl_;
  return start_sip_thread(
      thread_,
      [&m](SipLoop& loop) -> std::string {
        loop.watch(m.stop_fd, [&m] {
          uint64_t n;
          [[maybe_unused]] auto r = ::read(m.stop_fd, &n, sizeof n);
          nua_shutdown(m.nua);
        });
        // What each caller sent, counted as its stream ends (hark's engine also recycles the
        // stream's ports then).
        for (int fd : m.media.event_fds())
          loop.watch(fd, [&m] {
            m.media.drain([&m](const CalleeStreamEnd& e) {
              m.counters.rtp_received += e.received;
              m.counters.srtp_failures += e.srtp_failures;
              ++m.counters.streams_ended;
            });
          });
        m.nua = nua_create(loop.root(), sim_callback, reinterpret_cast<nua_magic_t*>(&m), NUTAG_URL(m.bind_url.c_str()),
                           NUTAG_MEDIA_ENABLE(0), TPTAG_UDP_RMEM(4 << 20), NUTAG_SESSION_TIMER(0),
                           NUTAG_AUTOANSWER(0), NUTAG_ENABLEMESSAGE(0),
                           NUTAG_APPL_METHOD(kApplMethods),  // REFER: refused outside a call
                           TAG_IF(m.transaction_lifetime_ms, NTATAG_SIP_T1X64(m.transaction_lifetime_ms)),
                           TAG_END());
        if (!m.nua) return "cannot start SIP on " + m.bind_url + " (address in use or invalid)";
        loop.every(20, [&m] { m.tick(); });
        return "";
      },
      [&m] { return m.shutdown_done; }, [&m] { nua_destroy(m.nua); });
}

const char* CalleeSimulator::rtp_stack() const { return impl_->media.name(); }

void CalleeSimulator::set_transaction_lifetime_ms(unsigned ms) { impl_->transaction_lifetime_ms = ms; }

void CalleeSimulator::on_refer(std::function<void(const ReferSeen&)> f) { impl_->refer_hook = std::move(f); }

void CalleeSimulator::on_stream(std::function<void(const std::string&, media::StreamParams&)> f) {
  impl_->stream_hook = std::move(f);
}

void CalleeSimulator::stop() {
  if (!thread_.joinable()) return;
  const uint64_t one = 1;
  [[maybe_unused]] auto r = ::write(impl_->stop_fd, &one, sizeof one);
  thread_.join();
}

}  // namespace hark::signaling
