// Inbound calls: an INVITE that belongs to none of our calls (a callback from a lead, say) is
// reported as a CallEvent in state `inbound` and waits for control's decision
// (SipAgent::route_inbound), which it answers with a redirect: 302 to the target, 404 without
// one. Deciding takes a database look-up, so it happens off the SIP thread; a decision that
// does not come within TrunkSettings::inbound_decision_ms gets 480, so the caller is never left ringing.
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "signaling/sip_agent_impl.h"

namespace hark::signaling {

namespace {

std::string user_of(const url_t* u) { return u && u->url_user ? u->url_user : ""; }

// The trunk a request came from: the one whose host is the top Via's address (received=, else
// the host it names), or the From host. -1 when none is.
int trunk_of(const std::vector<TrunkState>& trunks, const sip_t* sip) {
  std::vector<std::string> hosts;
  if (sip->sip_via) {
    if (sip->sip_via->v_received) hosts.emplace_back(sip->sip_via->v_received);
    if (sip->sip_via->v_host) hosts.emplace_back(sip->sip_via->v_host);
  }
  if (sip->sip_from && sip->sip_from->a_url->url_host) hosts.emplace_back(sip->sip_from->a_url->url_host);
  for (const auto& h : hosts)
    for (size_t i = 0; i < trunks.size(); ++i)
      if (trunks[i].cfg.host == h) return int(i);
  return -1;
}

}  // namespace

bool SipAgent::Impl::on_inbound(nua_event_t event, nua_handle_t* nh, const sip_t* sip, tagi_t tags[]) {
  if (event == nua_i_invite) {
    if (stopping || !sip || !next_id) {
      nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, TAG_END());
      return true;
    }
    InboundCall in;
    in.id = next_id->fetch_add(1);
    in.nh = nh;
    in.trunk = trunk_of(trunks, sip);
    in.deadline = Clock::now() + std::chrono::milliseconds(t.inbound_decision_ms);
    inbound[in.id] = in;
    CallEvent e;
    e.call_id = in.id;
    e.state = CallState::inbound;
    e.number = user_of(sip->sip_from ? sip->sip_from->a_url : nullptr);
    e.called = user_of(sip->sip_request ? sip->sip_request->rq_url : nullptr);
    if (in.trunk >= 0) e.trunk = trunks[size_t(in.trunk)].cfg.name;
    spdlog::info("inbound call {}: from '{}' to '{}'{}", in.id, e.number, e.called,
                 e.trunk.empty() ? "" : " on trunk " + e.trunk);
    if (on_event) on_event(e);
    return true;
  }
  // A later event of an inbound call's handle: the caller gave up (CANCEL) or the call is over.
  // The handle itself is released by the caller of this function, on `terminated`.
  if (event == nua_i_state) {
    int cs = 0;
    tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
    if (cs == nua_callstate_terminated)
      std::erase_if(inbound, [nh](const auto& kv) { return kv.second.nh == nh; });
  }
  return false;
}

void SipAgent::Impl::route_inbound(uint64_t id, const std::string& target) {
  auto it = inbound.find(id);
  if (it == inbound.end()) return;  // answered already (480 in time-out), or the caller hung up
  const InboundCall in = it->second;
  inbound.erase(it);
  if (target.empty()) {
    spdlog::info("inbound call {}: no route; 404", id);
    nua_respond(in.nh, SIP_404_NOT_FOUND, TAG_END());
    return;
  }
  std::string uri = target;
  if (uri.rfind("sip:", 0) != 0 && uri.rfind("sips:", 0) != 0)
    uri = trunks[size_t(std::max(in.trunk, 0))].cfg.uri(target);
  const std::string contact = "<" + uri + ">";
  spdlog::info("inbound call {}: 302 to {}", id, uri);
  nua_respond(in.nh, SIP_302_MOVED_TEMPORARILY, SIPTAG_CONTACT_STR(contact.c_str()), TAG_END());
}

void SipAgent::Impl::expire_inbound(Clock::time_point now) {
  if (inbound.empty()) return;
  std::vector<uint64_t> late;
  for (const auto& [id, in] : inbound)
    if (in.deadline <= now) late.push_back(id);
  for (uint64_t id : late) {
    const InboundCall in = inbound[id];
    inbound.erase(id);
    spdlog::warn("inbound call {}: no routing decision in {} ms; 480", id, t.inbound_decision_ms);
    nua_respond(in.nh, SIP_480_TEMPORARILY_UNAVAILABLE, TAG_END());
  }
}

}  // namespace hark::signaling
