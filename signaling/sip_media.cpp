// SipAgent: dialing with our SDP offer, handing the peer's media to the media engine, and the
// media engine's events (verdicts, beeps, the end of a prompt, the end of a stream).
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>

#include "signaling/sip_agent_impl.h"

namespace hark::signaling {

media::StreamParams SipAgent::Impl::stream_params(const Call& c, const PeerMedia& peer, bool early) const {
  media::StreamParams p;
  p.remote = peer.addr;
  p.remote_len = peer.addr_len;
  p.payload_type = peer.payload_type;
  p.dtmf_payload_type = uint8_t(peer.dtmf_payload_type >= 0 ? peer.dtmf_payload_type : 101);
  p.rtcp_mux = peer.rtcp_mux;
  // SRTP when the answer is RTP/SAVP, or when we offered it best-effort and the answer has a key.
  const bool best_effort = c.trunk >= 0 && trunks[size_t(c.trunk)].cfg.srtp == SrtpMode::offer && peer.has_key;
  p.srtp = peer.srtp || best_effort;
  p.srtp_rx_key = peer.key;
  p.srtp_tx_key = c.key;
  p.amd = c.req.amd || early;
  p.amd_params = c.req.amd_params;
  p.amd_params.early_media_sit_only = early;
  p.send = !early;  // nothing to say before the answer
  // Recorded from the answer, as the AMD hears it (early media is not part of the call).
  p.record = c.req.record_id != 0 && (!early || c.req.record_early_media);
  p.record_id = c.req.record_id;
  p.record_stereo = c.req.record_stereo;
  return p;
}

void SipAgent::Impl::dial(Call& c) {
  TrunkState& tr = trunks[size_t(c.trunk)];
  const Trunk& k = tr.cfg;
  if (!c.stream) {  // the first leg; a failover keeps the stream
    media::StreamParams idle;  // no peer yet: receives nothing, sends nothing
    idle.amd = false;
    auto opened = media.open(idle);
    if (!opened.ok()) {
      c.cause = "no media port: " + opened.error;
      c.outcome = LeadStatus::unknown;
      c.trunk = -1;
      finish(c);
      return;
    }
    c.stream = opened.id;
    c.port = opened.port;
    by_stream[c.stream] = &c;
  }
  LocalMedia lm;
  lm.ip = t.media_ip;
  lm.port = c.port;
  lm.session_id = c.id;
  lm.srtp = k.srtp != SrtpMode::off;
  lm.srtp_best_effort = k.srtp == SrtpMode::offer;
  for (const auto& codec : k.codecs) lm.codecs.push_back(codec == "PCMA" ? 8 : 0);
  if (lm.srtp) c.key = lm.key = media::srtp_random_key();
  const std::string sdp = build_sdp(lm);
  const bool is_uri = c.number.rfind("sip:", 0) == 0 || c.number.rfind("sips:", 0) == 0;
  c.dialed = is_uri ? c.number : k.dial_prefix + c.number;
  const std::string uri = is_uri ? c.number : k.uri(c.dialed);
  c.remote_uri = uri;
  // A campaign's caller ID replaces the trunk's for this call only.
  const std::string from = "sip:" + (c.req.caller_id.empty() ? k.caller_id : c.req.caller_id) + "@" + our_host();
  // The outbound proxy as a pre-loaded route (RFC 3261 8.1.2): the INVITE goes there first.
  const std::string route = proxy_route(k);
  c.nh = nua_handle(nua, &c, SIPTAG_TO_STR(uri.c_str()), SIPTAG_FROM_STR(from.c_str()), TAG_END());
  if (!c.nh) {
    c.cause = "cannot create a SIP handle for " + uri;
    c.trunk = -1;
    finish(c);
    return;
  }
  ++active;
  up = active;
  ++tr.active;
  ++tr.placed;
  c.rang = false;
  c.f.dialed = true;
  c.invite_at = Clock::now();
  c.f.ring_deadline = c.invite_at + std::chrono::seconds(t.ring_timeout_s);
  nua_invite(c.nh, NUTAG_URL(uri.c_str()), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
             TAG_IF(!route.empty(), SIPTAG_ROUTE_STR(route.c_str())), SIPTAG_PAYLOAD_STR(sdp.c_str()), TAG_END());
  publish_status();
  if (c.f.state == CallState::dialing) return;  // a failover: the call was already dialing
  set_state(c, CallState::dialing);
}

void SipAgent::Impl::on_answered(Call& c, const sip_t* sip) {
  PeerMedia peer;
  const std::string err = sip && sip->sip_payload
                              ? parse_peer_sdp({sip->sip_payload->pl_data, sip->sip_payload->pl_len}, peer)
                              : std::string("200 OK without SDP");
  if (!err.empty()) {
    end_call(c, LeadStatus::unknown, "bad SDP answer: " + err);
    return;
  }
  if (c.trunk >= 0 && trunks[size_t(c.trunk)].cfg.srtp == SrtpMode::require && !peer.srtp) {
    end_call(c, LeadStatus::unknown, "bad SDP answer: the trunk requires SRTP and the answer has none");
    return;
  }
  c.f.early_media = false;
  c.peer = peer;
  if (sip && sip->sip_call_id && sip->sip_call_id->i_id) c.dialog_call_id = sip->sip_call_id->i_id;
  if (sip && sip->sip_from && sip->sip_from->a_tag) c.local_tag = sip->sip_from->a_tag;
  if (sip && sip->sip_to && sip->sip_to->a_tag) c.remote_tag = sip->sip_to->a_tag;
  media::StreamParams p = stream_params(c, peer, false);
  p.send = peer.wants_our_audio();  // an answer may hold us from the start (sendonly, inactive)
  media.update(c.stream, p);
  c.f.answered_at = Clock::now();
  set_state(c, CallState::answered);
  if (!c.req.amd) c.f.verdict = amd::Verdict::human;  // reported as such, though no AMD ran
  apply(c, policy.on_answer(c.f, Clock::now()));
}

void SipAgent::Impl::on_media(const media::MediaEvent& e) {
  auto it = by_stream.find(e.id);
  if (it == by_stream.end()) return;
  Call& c = *it->second;
  if (e.kind == media::MediaEventKind::ended) {
    c.stats = e.stats;
    by_stream.erase(it);
    c.stream = 0;
    if (c.f.closing) complete(c);
    return;
  }
  if (e.kind == media::MediaEventKind::stats) c.stats = e.stats;
  if (e.kind == media::MediaEventKind::dtmf) c.dtmf += e.digit;  // kept for the CallEvent only
  if (c.f.ending || c.f.closing) return;  // the SIP side is over: nothing left to act on
  if (e.kind == media::MediaEventKind::amd && e.amd.kind == amd::EventKind::verdict) {
    if (c.f.early_media) {
      apply(c, policy.on_early_verdict(e.amd.verdict));
      return;
    }
    c.f.has_verdict = true;
    c.f.verdict = e.amd.verdict;
    c.verdict = e.amd;
    if (c.f.state != CallState::transferring) set_state(c, CallState::verdict);
    apply(c, policy.on_verdict(c.f, e.amd.verdict, Clock::now()));
  } else if (e.kind == media::MediaEventKind::amd && e.amd.kind == amd::EventKind::ringing) {
    // Ringing played after the answer: the AMD starts over, and the watchdog with it.
    c.f.state_at = Clock::now();
  } else if (e.kind == media::MediaEventKind::amd && e.amd.kind == amd::EventKind::late_machine) {
    // Recorded with the call's end. A person still waiting for an agent gets the machine's
    // reaction instead (no agent is given a machine); otherwise the call goes on.
    c.late_cause = e.amd.cause;
    const Action a = policy.on_late_machine(c.f, e.amd.beep_hz > 0, Clock::now());
    if (a.kind != Action::Kind::none) {
      // The verdict is a machine's from here: a hang-up by request, the callee's BYE before
      // the beep, or a 408/481 to our re-INVITE end the call AMD, as after a machine verdict
      // (a review), and the call log and the abandon count see a machine.
      c.f.verdict = amd::Verdict::machine;
      c.verdict = e.amd;
      c.verdict.verdict = amd::Verdict::machine;
    }
    apply(c, a);
  } else if (e.kind == media::MediaEventKind::amd && e.amd.kind == amd::EventKind::beep) {
    if (c.beep_ms < 0) c.beep_ms = int(e.amd.beep_onset_ms);
    apply(c, policy.on_beep(c.f));
  } else if (e.kind == media::MediaEventKind::playback_done) {
    apply(c, policy.on_playback_done(c.f));
  }
}

}  // namespace hark::signaling
