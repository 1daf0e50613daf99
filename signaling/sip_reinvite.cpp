// SipAgent mid-call: hold and resume (our re-INVITEs, music on hold) and the far end's
// re-INVITEs (hold, a new address or codec), which move the media engine's stream (RFC 3264).
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <map>
#include <mutex>

#include "media/audio_file.h"
#include "signaling/sip_agent_impl.h"

namespace hark::signaling {

namespace {
// The built-in music on hold: C5 E5 G5 E5, 300 ms each with soft edges, then 800 ms of quiet;
// a 2 s loop, plainly not silence to whoever listens (or a test that looks).
std::vector<int16_t> builtin_melody() {
  constexpr int kRate = 8000;
  std::vector<int16_t> pcm;
  for (double hz : {523.25, 659.25, 783.99, 659.25}) {
    const int n = kRate * 300 / 1000, edge = kRate * 20 / 1000;
    for (int i = 0; i < n; ++i) {
      const double ramp = std::min({1.0, double(i) / edge, double(n - 1 - i) / edge});
      pcm.push_back(int16_t(6000 * ramp * std::sin(2 * M_PI * hz * i / kRate)));
    }
  }
  pcm.resize(pcm.size() + kRate * 800 / 1000, 0);
  return pcm;
}
}  // namespace

const media::Prompt* load_music_on_hold(const std::string& path, std::string& error) {
  // Kept for the life of the process: a media worker may still be playing it to a call whose
  // close it has not yet read when the agent that started it is gone.
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<media::Prompt>> loaded;
  std::lock_guard<std::mutex> g(mu);
  auto& slot = loaded[path];
  if (slot) return slot.get();
  std::vector<int16_t> pcm;
  if (path.empty()) pcm = builtin_melody();
  else if (error = media::read_audio(path, pcm); !error.empty()) {
    error = path + ": " + error;
    return nullptr;
  }
  if (pcm.size() < 160) {
    error = path + " is shorter than one packet";
    return nullptr;
  }
  slot = std::make_unique<media::Prompt>(media::Prompt::from_pcm(pcm));
  return slot.get();
}

media::StreamParams SipAgent::Impl::midcall_params(const Call& c) const {
  media::StreamParams p = stream_params(c, c.peer, false);
  // The AMD keeps listening only before its verdict, never to a held call.
  p.amd = c.req.amd && !c.f.has_verdict && !c.local_hold;
  p.send = c.peer.wants_our_audio();
  return p;
}

std::string SipAgent::Impl::midcall_sdp(Call& c, Direction d) {
  LocalMedia lm;
  lm.ip = t.media_ip;
  lm.port = c.port;
  lm.session_id = c.id;
  lm.version = ++c.sdp_version;
  const media::StreamParams p = stream_params(c, c.peer, false);
  lm.srtp = p.srtp;
  lm.srtp_best_effort = p.srtp && !c.peer.srtp;
  lm.key = c.key;
  // The codec settled at the answer: a re-offer keeps it (a new one comes from the peer's offer).
  lm.only_payload_type = c.peer.payload_type;
  if (c.peer.dtmf_payload_type >= 0) lm.dtmf_payload_type = uint8_t(c.peer.dtmf_payload_type);
  lm.direction = d;
  return build_sdp(lm);
}

void SipAgent::Impl::refuse(uint64_t call_id, const char* command, const std::string& why) const {
  spdlog::warn("call {}: {} refused: {}", call_id, command, why);
}

std::string SipAgent::Impl::why_not_holdable(const Call& c) const {
  if (c.parent) return "it is a consult leg";
  if (!c.nh || !c.f.answered) return "the call is not answered";
  if (c.f.ending || c.f.closing) return "the call is ending";
  if (c.f.state == CallState::transferring || c.f.state == CallState::playing_message)
    return "the call is " + std::string(to_string(c.f.state));
  if (c.req.amd && !c.f.has_verdict) return "the AMD has not decided yet";
  if (c.reinvite != Call::Reinvite::none) return "a re-INVITE is in flight";
  return "";
}

void SipAgent::Impl::set_music(Call& c, bool on) {
  if (!c.stream) return;
  media.modify(c.stream, midcall_params(c));
  if (on) media.play(c.stream, moh_prompt, true);
  else media.stop_playback(c.stream);
}

void SipAgent::Impl::send_reinvite(Call& c, Call::Reinvite what) {
  c.reinvite = what;
  const std::string sdp = midcall_sdp(c, c.local_hold ? Direction::sendonly : Direction::sendrecv);
  spdlog::info("call {}: re-INVITE to {} the call", c.id, what == Call::Reinvite::hold ? "hold" : "resume");
  nua_invite(c.nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
}

void SipAgent::Impl::on_reinvite_response(Call& c, int status, const char* phrase, const sip_t* sip) {
  const auto what = c.reinvite;
  c.reinvite = Call::Reinvite::none;
  // Hung up meanwhile: the call is ending, and holds or resumes nothing (no music, no
  // on_hold or answered event after the hang-up was asked for; a review saw one).
  if (c.f.ending || !c.nh) return;
  const std::string why = std::to_string(status) + " " + (phrase ? phrase : "");
  if (status == 408 || status == 481) {
    // RFC 5057: the dialog is gone (or the peer is): the call is over.
    Action a = policy.on_hangup_request(c.f);
    a.cause = "re-INVITE answered " + why + ": the call is gone";
    apply(c, a);
    return;
  }
  if (status == 491 && !c.refer_when_done && !c.resume_when_done) {
    // Glare: the callee's re-INVITE crossed ours. Ours goes again after 2.1-4 s (RFC 3261
    // 14.1: every dialog we hold is one we began, so we own its Call-ID); meanwhile the
    // session and the call's state stay as they were, and the re-INVITE counts as in flight
    // (commands refused or deferred as then; but a transfer drops a user's waiting hold,
    // hold_only_waiting). A hold asked for by consult() was otherwise never made: the callee,
    // not held, heard nothing of the consultation's music. (With a transfer or a resume waiting
    // on it, as refused, below: the REFER goes now, or the call is back where it was.)
    c.reinvite = what;
    c.reinvite_waiting = true;
    c.retry_at = Clock::now() + std::chrono::milliseconds(2100 + 10 * int(glare_rng() % 191));
    spdlog::warn("call {}: our re-INVITE to {} crossed the callee's ({}); again in {} ms", c.id,
                 what == Call::Reinvite::hold ? "hold" : "resume", why,
                 std::chrono::duration_cast<std::chrono::milliseconds>(c.retry_at - Clock::now()).count());
    return;
  }
  if (status >= 300) {
    // Refused (488, 5xx; 491 with a transfer or resume waiting): the session stays as it was.
    if (what == Call::Reinvite::hold) {
      c.local_hold = false;
      spdlog::warn("call {}: hold refused by the callee ({}); the call goes on unheld", c.id, why);
    } else {
      // resume() (or the consultation's end) cleared local_hold when it asked: the callee
      // is still held, and the callee's own re-INVITEs must be answered so (a review: they
      // were answered sendrecv, the call still on hold with its music).
      c.local_hold = true;
      spdlog::warn("call {}: resume refused by the callee ({}); the call stays on hold", c.id, why);
    }
  } else {
    PeerMedia peer;
    const std::string err = sip && sip->sip_payload
                                ? parse_peer_sdp({sip->sip_payload->pl_data, sip->sip_payload->pl_len}, peer)
                                : std::string("no SDP");
    if (err.empty()) c.peer = peer;
    else spdlog::warn("call {}: the answer to our re-INVITE has a bad SDP ({}); the media stays as it was", c.id, err);
    if (c.f.state == CallState::playing_message) {
      // A message began while our re-INVITE was in flight: the identification message (the
      // person's wait for an agent ran out) or the voicemail (the machine's beep). It plays on
      // to its end, which ends the call as it would have (ABANDONED, AMD): the stream follows
      // the answer (modify keeps the prompt playing), local_hold says whether the callee is
      // held, but no music, no on_hold or answered. The answer stopped the message, or put
      // music in its place, and the call, its end ignored, stayed up until the watchdog hung
      // it up as UNKNOWN, or for ever when held (a review).
      if (c.stream) media.modify(c.stream, midcall_params(c));
      spdlog::info("call {}: our re-INVITE to {} answered while the message plays; it plays on", c.id,
                   what == Call::Reinvite::hold ? "hold" : "resume");
    } else if (what == Call::Reinvite::hold) {
      set_music(c, true);
      if (!c.f.in_hand()) set_state(c, CallState::on_hold);
    } else {
      set_music(c, false);
      set_state(c, c.before_hold);
    }
  }
  // A transfer completed while our re-INVITE was in flight: refer now (sip_consult.cpp).
  if (c.refer_when_done && c.nh && !c.f.ending) {
    c.refer_when_done = false;
    refer_to_consult_leg(c);
    return;
  }
  // A consultation ended while our hold was in flight: resume now. Unless the hold was
  // refused (a 491 included): the callee was never held (its own re-INVITEs got 491 while ours
  // was in flight), and a resume would only be one more re-INVITE to cross its retry.
  if (c.resume_when_done && c.nh && !c.f.ending) {
    c.resume_when_done = false;
    c.local_hold = false;
    if (what == Call::Reinvite::hold && status >= 300) {
      if (c.f.state != CallState::playing_message) set_state(c, c.before_hold);
      return;
    }
    send_reinvite(c, Call::Reinvite::resume);
  }
}

void SipAgent::Impl::retry_reinvite(Call& c) {
  const auto what = c.reinvite;
  c.reinvite_waiting = false;
  c.reinvite = Call::Reinvite::none;
  if (c.f.ending || !c.nh) return;
  // Asked for while it waited, as while a re-INVITE is in flight: a transfer completed (the
  // REFER goes now: it needs no hold, and the callee was never held), or the consultation
  // ended: the resume goes instead of the hold, as after a hold answered. Not the state alone:
  // the callee's own re-INVITE, answered meanwhile, was answered sendonly (the hold still
  // wanted), and without a resume it stays held and silent (a review).
  if (c.refer_when_done) {
    c.refer_when_done = false;
    // local_hold still set: the consult leg gone, the resume goes (as below); with the leg
    // there it stays set, as when the REFER follows an answered hold (on_reinvite_response):
    // the callee's own re-INVITE may have been answered sendonly while ours waited, and a
    // REFER refused then leaves the call consulting, whose cancel must resume it (a review).
    refer_to_consult_leg(c);
    return;
  }
  if (what == Call::Reinvite::hold && c.resume_when_done) {
    c.resume_when_done = false;
    c.local_hold = false;
    send_reinvite(c, Call::Reinvite::resume);
    return;
  }
  // A hold the call went on from while it waited: to the verdict's own transfer, the voicemail
  // or the identification message (a user's transfer and the agent gate's drop the waiting
  // hold instead: drop_waiting_hold). The callee was never held with our music.
  if (what == Call::Reinvite::hold &&
      (c.f.state == CallState::transferring || c.f.state == CallState::playing_message)) {
    c.local_hold = false;
    return;
  }
  send_reinvite(c, what);
}

bool SipAgent::Impl::hold_only_waiting(const Call& c) const {
  return c.reinvite == Call::Reinvite::hold && c.reinvite_waiting &&
         c.f.state != CallState::consulting && c.consult_leg == 0;
}

void SipAgent::Impl::drop_waiting_hold(Call& c) {
  spdlog::info("call {}: the hold waiting after a 491 is dropped for the transfer", c.id);
  c.reinvite = Call::Reinvite::none;
  c.reinvite_waiting = false;
  c.local_hold = false;
}

void SipAgent::Impl::on_peer_reinvite(Call& c, nua_handle_t* nh, const sip_t* sip) {
  if (c.f.ending || !c.f.answered) {
    nua_respond(nh, SIP_491_REQUEST_PENDING, TAG_END());
    return;
  }
  // Glare (RFC 3261 14.2): ours in flight goes first. Not one waiting to go again after a
  // 491: the callee's own retry is taken.
  if (c.reinvite != Call::Reinvite::none && !c.reinvite_waiting) {
    nua_respond(nh, SIP_491_REQUEST_PENDING, TAG_END());
    return;
  }
  if (!sip || !sip->sip_payload || sip->sip_payload->pl_len == 0) {
    // No offer: we offer what we have, and the peer answers in its ACK.
    c.offerless_reinvite = true;
    const std::string sdp = midcall_sdp(c, c.local_hold ? Direction::sendonly : Direction::sendrecv);
    nua_respond(nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
    return;
  }
  PeerMedia peer;
  std::string err = parse_peer_sdp({sip->sip_payload->pl_data, sip->sip_payload->pl_len}, peer);
  if (err.empty() && c.trunk >= 0 && trunks[size_t(c.trunk)].cfg.srtp == SrtpMode::require && !peer.srtp)
    err = "the trunk requires SRTP and the offer has none";
  if (!err.empty()) {
    // The offer cannot be taken: refused, and the call keeps the media it had (RFC 3261 14.2).
    spdlog::warn("call {}: the callee's re-INVITE refused with 488: {}", c.id, err);
    nua_respond(nh, SIP_488_NOT_ACCEPTABLE, TAG_END());
    return;
  }
  c.peer = peer;
  const Direction d = answer_direction(peer.direction, c.local_hold);
  // The media first: by the time the peer reads our answer, the stream already follows it.
  if (c.stream) media.modify(c.stream, midcall_params(c));
  const std::string sdp = midcall_sdp(c, d);
  nua_respond(nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
  spdlog::info("call {}: the callee's re-INVITE: {} (we answer {}){}", c.id, to_string(peer.direction), to_string(d),
               peer.null_address ? ", address 0.0.0.0" : "");
}

void SipAgent::Impl::on_peer_ack(Call& c, const sip_t* sip) {
  if (!c.offerless_reinvite) return;
  c.offerless_reinvite = false;
  PeerMedia peer;
  const std::string err = sip && sip->sip_payload
                              ? parse_peer_sdp({sip->sip_payload->pl_data, sip->sip_payload->pl_len}, peer)
                              : std::string("no SDP in the ACK");
  if (!err.empty()) {
    spdlog::warn("call {}: the answer in the callee's ACK is not usable ({}); the media stays as it was", c.id, err);
    return;
  }
  c.peer = peer;
  if (c.stream) media.modify(c.stream, midcall_params(c));
}

void SipAgent::hold(uint64_t call_id) {
  post([call_id](Impl& m) {
    auto it = m.calls.find(call_id);
    if (it == m.calls.end()) return m.refuse(call_id, "hold", "no such call (ended, or never placed)");
    Call& c = *it->second;
    if (c.f.state == CallState::on_hold || c.f.state == CallState::consulting)
      return m.refuse(call_id, "hold", "the call is already " + std::string(to_string(c.f.state)));
    if (auto why = m.why_not_holdable(c); !why.empty()) return m.refuse(call_id, "hold", why);
    c.before_hold = c.f.state;
    c.local_hold = true;
    m.send_reinvite(c, Call::Reinvite::hold);
  });
}

void SipAgent::resume(uint64_t call_id) {
  post([call_id](Impl& m) {
    auto it = m.calls.find(call_id);
    if (it == m.calls.end()) return m.refuse(call_id, "resume", "no such call (ended, or never placed)");
    Call& c = *it->second;
    if (c.f.state == CallState::consulting) return m.refuse(call_id, "resume", "the call is consulting: cancel the consultation");
    if (c.f.state != CallState::on_hold) return m.refuse(call_id, "resume", "the call is not on hold");
    if (c.f.ending || !c.nh) return m.refuse(call_id, "resume", "the call is ending");
    if (c.reinvite != Call::Reinvite::none) return m.refuse(call_id, "resume", "a re-INVITE is in flight");
    c.local_hold = false;
    m.send_reinvite(c, Call::Reinvite::resume);
  });
}

}  // namespace hark::signaling
