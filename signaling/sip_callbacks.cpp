// SipAgent's side of sofia-sip: the NUA thread's start, registration, digest authentication and
// the event callback, which records what SIP reported and asks the policy what to do.
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "signaling/sip_agent_impl.h"
#include "signaling/sip_loop.h"
#include "signaling/unsolicited.h"

namespace hark::signaling {

// Answers a 401/407 challenge with the trunk's credentials; false when it cannot.
bool SipAgent::Impl::authenticate(nua_handle_t* nh, int status, const sip_t* sip) {
  if (t.username.empty() || !sip) return false;
  const msg_auth_t* au = status == 401 ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
  const char* realm = au ? msg_params_find(au->au_params, "realm=") : nullptr;
  if (!au || !realm) return false;
  const std::string auth = std::string(au->au_scheme) + ":" + realm + ":" + t.username + ":" + t.password;
  nua_authenticate(nh, NUTAG_AUTH(auth.c_str()), TAG_END());
  return true;
}

void SipAgent::Impl::start_registration() {
  if (t.registrar.empty()) return;
  const std::string aor = "sip:" + t.from_user + "@" + t.domain;
  reg_nh = nua_handle(nua, nullptr, SIPTAG_TO_STR(aor.c_str()), SIPTAG_FROM_STR(aor.c_str()), TAG_END());
  nua_register(reg_nh, NUTAG_REGISTRAR(t.registrar.c_str()), NUTAG_M_USERNAME(t.from_user.c_str()),
               SIPTAG_EXPIRES_STR(std::to_string(t.register_expires_s).c_str()), TAG_END());
}

void SipAgent::Impl::on_nua(nua_event_t event, int status, const char* phrase, nua_handle_t* nh, Call* c,
                            const sip_t* sip, tagi_t tags[]) {
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
    // Not one of our calls: any other request is answered and its handle released at once; an
    // unsolicited INVITE is refused and its handle released when sofia reports it terminated.
    if (release_unsolicited(nua, event, status, nh)) return;
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
        if (sip && sip->sip_payload && sip->sip_payload->pl_len > 0 && !c->f.early_media) {
          PeerMedia peer;
          if (parse_peer_sdp({sip->sip_payload->pl_data, sip->sip_payload->pl_len}, peer).empty()) {
            c->f.early_media = true;
            media.update(c->stream, stream_params(*c, peer, true));
            set_state(*c, CallState::early_media);
            return;
          }
        }
        if (status >= 180) set_state(*c, CallState::ringing);
        return;
      }
      if (status < 300) {
        c->f.answered = true;
        if (c->f.ending) {  // answered while our CANCEL crossed it: hang up
          nua_bye(nh, TAG_END());
          return;
        }
        on_answered(*c, sip);
        return;
      }
      if ((status == 401 || status == 407) && !c->auth_tried) {
        c->auth_tried = true;
        if (authenticate(nh, status, sip)) return;
      }
      // A final failure: the outcome follows from the code (our own CANCEL gives 487).
      apply(*c, policy.on_invite_failed(c->f, status, c->phrase));
      return;  // the terminated state follows
    }
    case nua_r_refer:
      apply(*c, policy.on_refer_response(status, phrase ? phrase : ""));
      return;
    case nua_i_notify: {
      // The transfer's progress as a sipfrag ("SIP/2.0 200 OK").
      if (!sip || !sip->sip_payload) return;
      const std::string frag(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
      int code = 0;
      if (std::sscanf(frag.c_str(), "SIP/2.0 %d", &code) != 1) return;
      apply(*c, policy.on_notify(c->f, code, frag.substr(0, frag.find('\r'))));
      return;
    }
    case nua_i_refer:
      // The callee asks us to transfer, in our call's dialog: accepted (202), as sofia did on
      // its own before REFER joined our NUTAG_APPL_METHOD; the dialer does not act on it.
      if (status < 200) nua_respond(nh, SIP_202_ACCEPTED, NUTAG_WITH_THIS(nua), TAG_END());
      return;
    case nua_i_bye:
      apply(*c, policy.on_callee_bye(c->f));
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

namespace {
void nua_callback(nua_event_t event, int status, const char* phrase, nua_t*, nua_magic_t* magic, nua_handle_t* nh,
                  nua_hmagic_t* hmagic, const sip_t* sip, tagi_t tags[]) {
  static_cast<SipAgent::Impl*>(static_cast<void*>(magic))
      ->on_nua(event, status, phrase, nh, static_cast<Call*>(static_cast<void*>(hmagic)), sip, tags);
}

}  // namespace

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
                           NUTAG_APPL_METHOD(kApplMethods),  // REFER: ours to refuse outside a call
                           SIPTAG_FROM_STR(from.c_str()),
                           TAG_IF(!m.t.proxy.empty(), NUTAG_PROXY(m.t.proxy.c_str())),
                           TAG_IF(m.t.transaction_lifetime_ms, NTATAG_SIP_T1X64(m.t.transaction_lifetime_ms)),
                           TAG_END());
        if (!m.nua) return "cannot start SIP on " + m.t.bind_url + " (address in use or invalid)";
        loop.every(Impl::kTickMs, [&m] { m.tick(); });
        m.start_registration();
        return "";
      },
      [&m] { return m.shutdown_done; }, [&m] { nua_destroy(m.nua); });
}

}  // namespace hark::signaling
