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

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "signaling/sip_agent_impl.h"
#include "signaling/sip_loop.h"
#include "signaling/unsolicited.h"

namespace hark::signaling {

// Answers a 401/407 challenge with the trunk's credentials; false when it cannot (no
// credentials, or a realm other than the trunk's).
bool SipAgent::Impl::authenticate(nua_handle_t* nh, int status, const sip_t* sip, const Trunk& trunk) {
  if (trunk.username.empty() || !sip) return false;
  const msg_auth_t* au = status == 401 ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
  const char* realm = au ? msg_params_find(au->au_params, "realm=") : nullptr;
  if (!au || !realm) return false;
  if (!trunk.realm.empty()) {
    std::string_view r(realm);
    if (r.size() >= 2 && r.front() == '"') r = r.substr(1, r.size() - 2);
    if (r != trunk.realm) {
      spdlog::warn("trunk {}: challenge for realm {} ignored (configured realm {})", trunk.name, realm, trunk.realm);
      return false;
    }
  }
  const std::string auth = std::string(au->au_scheme) + ":" + realm + ":" + trunk.username + ":" + trunk.password;
  nua_authenticate(nh, NUTAG_AUTH(auth.c_str()), TAG_END());
  return true;
}

void SipAgent::Impl::start_registration() {
  for (auto& tr : trunks) {
    const Trunk& k = tr.cfg;
    if (k.registrar.empty()) continue;
    const std::string user = k.username.empty() ? k.caller_id : k.username;
    const std::string aor = "sip:" + user + "@" + k.host;
    const std::string route = proxy_route(k);
    // Our Contact names the trunk's transport and our port for it, so the registrar reaches us
    // back the same way (sofia would pick its first transport, sips: when TLS is on).
    const std::string& bound = k.transport == Transport::tls ? t.tls_bind_url : t.bind_url;
    const auto colon = bound.rfind(':');
    const std::string port = colon == std::string::npos ? "" : bound.substr(colon);
    const std::string contact = "<sip:" + user + "@" + our_host_only() + port + k.transport_param() + ">";
    tr.reg_nh = nua_handle(nua, nullptr, SIPTAG_TO_STR(aor.c_str()), SIPTAG_FROM_STR(aor.c_str()), TAG_END());
    nua_register(tr.reg_nh, NUTAG_REGISTRAR(k.registrar.c_str()), NUTAG_M_USERNAME(user.c_str()),
                 TAG_IF(!route.empty(), SIPTAG_ROUTE_STR(route.c_str())),
                 SIPTAG_CONTACT_STR(contact.c_str()),
                 SIPTAG_EXPIRES_STR(std::to_string(k.register_expires_s).c_str()), TAG_END());
  }
}

bool fails_over(int code, bool rang) {
  // A 5xx is the network's failure even after a 18x (a carrier may ring, then give up); a 408
  // after ringing is the callee not answering, and ringing them again would be wrong.
  if (code >= 500 && code < 600) return true;
  return code == 408 && !rang;
}

bool SipAgent::Impl::try_failover(Call& c, int status) {
  if (c.f.ending || stopping || !fails_over(status, c.rang) || c.leg + 1 >= c.route.size()) return false;
  TrunkState& tr = trunks[size_t(c.trunk)];
  ++tr.failovers;
  c.failed_over.emplace_back(tr.cfg.name, status);
  spdlog::info("call {}: trunk {} answered {} {}; trying the next trunk", c.id, tr.cfg.name, status, c.phrase);
  // This leg is over: its handle goes, the media stream stays for the next INVITE.
  nua_handle_destroy(c.nh);
  c.nh = nullptr;
  c.f.dialed = false;
  --active;
  up = active;
  --tr.active;
  c.trunk = -1;
  ++c.leg;
  c.auth_tried = false;
  c.setup_ms = 0;
  c.f.early_media = false;
  pending.push_front(&c);
  publish_status();
  return true;
}

void SipAgent::Impl::on_nua(nua_event_t event, int status, const char* phrase, nua_handle_t* nh, Call* c,
                            const sip_t* sip, tagi_t tags[]) {
  if (event == nua_r_shutdown) {
    if (status >= 200) shutdown_done = true;
    return;
  }
  for (auto& tr : trunks) {
    if (!nh) break;
    if (nh == tr.reg_nh) {
      if (event == nua_r_register || event == nua_r_unregister) {
        if ((status == 401 || status == 407) && !tr.reg_auth_tried && authenticate(nh, status, sip, tr.cfg)) {
          tr.reg_auth_tried = true;
          return;
        }
        if (status >= 200) {
          tr.registered = event == nua_r_register && status < 300;
          tr.reg_auth_tried = false;
          if (status >= 300)
            spdlog::error("trunk {}: registration at {} failed: {} {}", tr.cfg.name, tr.cfg.registrar, status, phrase ? phrase : "");
          else if (event == nua_r_register)
            spdlog::info("trunk {}: registered at {}", tr.cfg.name, tr.cfg.registrar);
          publish_status();
        }
      }
      return;
    }
    if (nh == tr.opt_nh) {
      if (event == nua_r_options && status >= 200) {
        // Any answer from the peer is a live trunk, even a 4xx; 408 (no answer) and 503 (what
        // sofia reports for a transport error, or a peer refusing service) are not.
        const bool answered = sip != nullptr && status != 408 && status != 503;
        nua_handle_destroy(nh);
        tr.opt_nh = nullptr;
        tr.opt_next = Clock::now() + std::chrono::seconds(tr.cfg.options_interval_s);
        set_reachable(tr, answered, std::to_string(status) + " " + (phrase ? phrase : ""));
      }
      return;
    }
  }
  if (!c) {
    // Not one of our calls: any other request is answered and its handle released at once; an
    // INVITE is an inbound call, reported and answered when control decides (sip_inbound.cpp);
    // its handle is released when sofia reports it terminated.
    if (release_unsolicited(nua, event, status, nh)) return;
    if (on_inbound(event, nh, sip, tags)) return;  // a caller: control decides (route_inbound)
    if (event == nua_i_state) {
      int cs = 0;
      tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
      if (cs == nua_callstate_terminated) nua_handle_destroy(nh);
    }
    return;
  }
  switch (event) {
    case nua_r_invite: {
      if (c->reinvite != Call::Reinvite::none) {  // our hold or resume
        if ((status == 401 || status == 407) && !c->auth_tried && c->trunk >= 0 &&
            authenticate(nh, status, sip, trunks[size_t(c->trunk)].cfg)) {
          c->auth_tried = true;
          return;
        }
        if (status >= 200) {
          c->auth_tried = false;
          on_reinvite_response(*c, status, phrase, sip);
        }
        return;
      }
      c->code = status;
      c->phrase = phrase ? phrase : "";
      if (status < 200) {
        if (status >= 180) c->rang = true;
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
      if ((status == 401 || status == 407) && !c->auth_tried && c->trunk >= 0) {
        c->auth_tried = true;
        if (authenticate(nh, status, sip, trunks[size_t(c->trunk)].cfg)) return;
      }
      if (try_failover(*c, status)) return;
      // A final failure: the outcome follows from the code (our own CANCEL gives 487).
      apply(*c, policy.on_invite_failed(c->f, status, c->phrase));
      return;  // the terminated state follows
    }
    case nua_i_invite:  // the far end's re-INVITE (ours are the only initial INVITEs)
      on_peer_reinvite(*c, nh, sip);
      return;
    case nua_i_ack:
      on_peer_ack(*c, sip);
      return;
    case nua_r_refer:
      if (status >= 300 && c->consult_leg && c->f.state == CallState::transferring && !c->f.ending) {
        // An attended transfer refused: both legs stay, the consultation goes on.
        spdlog::warn("call {}: the REFER with Replaces was refused ({} {}); still consulting", c->id, status, phrase ? phrase : "");
        set_state(*c, CallState::consulting);
        return;
      }
      apply(*c, policy.on_refer_response(c->f, status, phrase ? phrase : ""));
      return;
    case nua_i_notify: {
      // The transfer's progress as a sipfrag ("SIP/2.0 200 OK").
      if (!sip || !sip->sip_payload) return;
      const std::string frag(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
      int code = 0;
      if (std::sscanf(frag.c_str(), "SIP/2.0 %d", &code) != 1) return;
      if (code >= 300 && c->consult_leg && c->f.state == CallState::transferring && !c->f.ending) {
        spdlog::warn("call {}: the attended transfer failed ({}); still consulting", c->id, frag.substr(0, frag.find('\r')));
        set_state(*c, CallState::consulting);
        return;
      }
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
// sofia-sip reads its TLS files from one folder: agent.pem (key and certificate) and cafile.pem.
// They are copied into a private folder (0700) made for this process.
std::string make_tls_dir(const TrunkSettings& t, std::string& dir) {
  auto slurp = [](const std::string& path, std::string& out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    out.assign(std::istreambuf_iterator<char>(f), {});
    return true;
  };
  std::string key, cert, ca;
  if (!slurp(t.tls_key, key)) return "cannot read the SIP TLS key " + t.tls_key;
  if (!slurp(t.tls_cert, cert)) return "cannot read the SIP TLS certificate " + t.tls_cert;
  if (!t.tls_ca.empty() && !slurp(t.tls_ca, ca)) return "cannot read the SIP TLS CA " + t.tls_ca;
  std::string tmpl = (std::filesystem::temp_directory_path() / "hark-sip-tls-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) return "cannot make a folder for the SIP TLS files";
  dir = tmpl;
  auto put = [&](const char* name, const std::string& text) {
    const auto p = dir + "/" + name;
    std::ofstream(p, std::ios::binary) << text;
    ::chmod(p.c_str(), 0600);
  };
  put("agent.pem", key + "\n" + cert);
  if (!ca.empty()) put("cafile.pem", ca);
  return "";
}

void nua_callback(nua_event_t event, int status, const char* phrase, nua_t*, nua_magic_t* magic, nua_handle_t* nh,
                  nua_hmagic_t* hmagic, const sip_t* sip, tagi_t tags[]) {
  static_cast<SipAgent::Impl*>(static_cast<void*>(magic))
      ->on_nua(event, status, phrase, nh, static_cast<Call*>(static_cast<void*>(hmagic)), sip, tags);
}

}  // namespace

std::string SipAgent::start() {
  Impl& m = *impl_;
  std::string moh_error;
  m.moh_prompt = load_music_on_hold(m.t.music_on_hold, moh_error);
  if (!m.moh_prompt) return "music on hold: " + moh_error;
  // NUA belongs to the SIP thread's root: it is created there, and readiness reported back.
  return start_sip_thread(
      thread_,
      [&m](SipLoop& loop) -> std::string {
        loop.watch(m.cmd_fd, [&m] { m.run_commands(); });
        for (int fd : m.media.event_fds())
          loop.watch(fd, [&m] { m.media.drain_events([&m](const media::MediaEvent& e) { m.on_media(e); }); });
        std::string from = "sip:" + m.trunks.front().cfg.caller_id + "@" + m.our_host();
        if (!m.t.from_display.empty()) from = "\"" + m.t.from_display + "\" <" + from + ">";
        // NAT: bind the configured address, name the advertised one in Via and Contact.
        std::string url = m.t.bind_url;
        if (!m.t.advertised_host.empty()) {
          const std::string bound = url.substr(url.find(':') + 1);
          const auto colon = bound.rfind(':');
          url = "sip:" + m.t.advertised_host + (colon == std::string::npos ? "" : bound.substr(colon)) +
                ";maddr=" + bound.substr(0, colon);
        }
        std::string sips_url = m.t.tls_bind_url;
        if (!sips_url.empty()) {
          if (auto err = make_tls_dir(m.t, m.tls_dir); !err.empty()) return err;
          if (!m.t.advertised_host.empty()) {
            const std::string bound = sips_url.substr(sips_url.find(':') + 1);
            const auto colon = bound.rfind(':');
            sips_url = "sips:" + m.t.advertised_host + (colon == std::string::npos ? "" : bound.substr(colon)) +
                       ";maddr=" + bound.substr(0, colon);
          }
        }
        m.nua = nua_create(loop.root(), nua_callback, reinterpret_cast<nua_magic_t*>(&m),
                           NUTAG_URL(url.c_str()),
                           TAG_IF(!sips_url.empty(), NUTAG_SIPS_URL(sips_url.c_str())),
                           TAG_IF(!sips_url.empty(), TPTAG_CERTIFICATE(m.tls_dir.c_str())),
                           TAG_IF(!sips_url.empty(), TPTAG_TLS_VERIFY_POLICY(m.t.tls_verify ? TPTLS_VERIFY_SUBJECTS_OUT : TPTLS_VERIFY_NONE)),
                           NUTAG_MEDIA_ENABLE(0),        // our own SDP: soa rewrote it and cost 8 % CPU
                           TPTAG_UDP_RMEM(4 << 20),      // the default buffer lost 180s in bursts
                           NUTAG_MAX_RETRY_AFTER(0),     // never re-INVITE on 503 + Retry-After
                           NUTAG_SESSION_TIMER(0),
                           NUTAG_EARLY_MEDIA(0),         // no 100rel/PRACK: 183 media works without it
                           NUTAG_AUTOACK(1),
                           NUTAG_ENABLEMESSAGE(0),
                           NUTAG_APPL_METHOD(kApplMethods),  // REFER: ours to refuse outside a call
                           SIPTAG_FROM_STR(from.c_str()),
                           TAG_IF(m.t.transaction_lifetime_ms, NTATAG_SIP_T1X64(m.t.transaction_lifetime_ms)),
                           TAG_END());
        if (!m.nua && !m.tls_dir.empty()) std::filesystem::remove_all(m.tls_dir);
        if (!m.nua)
          return "cannot start SIP on " + m.t.bind_url + (sips_url.empty() ? "" : " and " + m.t.tls_bind_url) +
                 " (address in use or invalid, or an unusable TLS certificate or key)";
        loop.every(Impl::kTickMs, [&m] { m.tick(); });
        m.start_registration();
        return "";
      },
      [&m] { return m.shutdown_done; },
      [&m] {
        nua_destroy(m.nua);
        if (!m.tls_dir.empty()) {
          std::error_code ec;
          std::filesystem::remove_all(m.tls_dir, ec);
        }
      });
}

}  // namespace hark::signaling
