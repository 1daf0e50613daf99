#include "signaling/ortp_srtp.h"

#include <ortp/ortp.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <mutex>

namespace hark::signaling {

struct OrtpSrtp::Contexts {
  srtp_t tx = nullptr, rx = nullptr;
  uint32_t failures = 0;
};

namespace {
std::string create(srtp_t& ctx, const media::SrtpKey& key, bool outbound) {
  if (ctx) srtp_dealloc(ctx);
  ctx = nullptr;
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
  uint8_t k[sizeof key.bytes];
  std::memcpy(k, key.bytes, sizeof k);
  policy.key = k;
  policy.window_size = 128;
  const srtp_err_status_t st = srtp_create(&ctx, &policy);
  if (st != srtp_err_status_ok) {
    ctx = nullptr;
    return "srtp_create failed (" + std::to_string(int(st)) + ")";
  }
  return {};
}

// RTCP packet types are 192-223 in the second byte (RFC 5761 section 4), which RTP payload
// types on an rtcp-mux port never are: one modifier handles both on either transport.
bool is_rtcp(const uint8_t* p, size_t len) { return len >= 2 && p[1] >= 192 && p[1] <= 223; }

OrtpSrtp::Contexts* contexts(RtpTransportModifier* t) { return static_cast<OrtpSrtp::Contexts*>(t->data); }

// oRTP's contract: return the packet's new length (the meta transport moves b_wptr by the
// difference); 0 or less drops it.
int protect(RtpTransportModifier* t, mblk_t* m) {
  auto* c = contexts(t);
  if (!c->tx) return 0;
  int len = int(msgdsize(m));
  // One contiguous block with room for the tag (and SRTCP's index).
  msgpullup(m, size_t(len) + SRTP_MAX_TRAILER_LEN + 4);
  const bool rtcp = is_rtcp(m->b_rptr, size_t(len));
  const srtp_err_status_t st = rtcp ? srtp_protect_rtcp(c->tx, m->b_rptr, &len) : srtp_protect(c->tx, m->b_rptr, &len);
  return st == srtp_err_status_ok ? len : 0;
}

int unprotect(RtpTransportModifier* t, mblk_t* m) {
  auto* c = contexts(t);
  int len = int(m->b_wptr - m->b_rptr);
  if (!c->rx) {
    ++c->failures;
    return -1;
  }
  const bool rtcp = is_rtcp(m->b_rptr, size_t(len));
  const srtp_err_status_t st = rtcp ? srtp_unprotect_rtcp(c->rx, m->b_rptr, &len) : srtp_unprotect(c->rx, m->b_rptr, &len);
  if (st == srtp_err_status_ok) return len;
  ++c->failures;
  return -1;
}

void on_schedule(RtpTransportModifier*) {}
void destroy(RtpTransportModifier* t) { delete t; }

RtpTransportModifier* modifier(OrtpSrtp::Contexts* c) {
  auto* m = new RtpTransportModifier{};
  m->data = c;
  m->t_process_on_send = protect;
  m->t_process_on_receive = unprotect;
  m->t_process_on_schedule = on_schedule;
  m->t_destroy = destroy;
  return m;
}
}  // namespace

OrtpSrtp::OrtpSrtp(_RtpSession* session, const media::SrtpKey& ours, const media::SrtpKey& theirs)
    : ctx_(std::make_unique<Contexts>()), inbound_key_(theirs) {
  // media::srtp_random_key() (which made `ours`) initialised libsrtp2 already; srtp_init
  // again only checks that it is.
  static std::once_flag once;
  std::call_once(once, [] { srtp_init(); });
  error_ = create(ctx_->tx, ours, true);
  if (error_.empty()) error_ = create(ctx_->rx, theirs, false);
  if (!error_.empty()) return;
  RtpTransport *rtp = nullptr, *rtcp = nullptr;
  rtp_session_get_transports(session, &rtp, &rtcp);
  if (!rtp || !rtcp) {
    error_ = "the oRTP session has no meta transports";
    return;
  }
  meta_rtp_transport_append_modifier(rtp, modifier(ctx_.get()));
  meta_rtp_transport_append_modifier(rtcp, modifier(ctx_.get()));
}

OrtpSrtp::~OrtpSrtp() {
  if (ctx_->tx) srtp_dealloc(ctx_->tx);
  if (ctx_->rx) srtp_dealloc(ctx_->rx);
}

void OrtpSrtp::set_inbound_key(const media::SrtpKey& theirs) {
  if (std::memcmp(theirs.bytes, inbound_key_.bytes, sizeof theirs.bytes) == 0) return;
  inbound_key_ = theirs;
  // In place: the modifiers keep pointing at ctx_.
  create(ctx_->rx, theirs, false);
}

uint32_t OrtpSrtp::failures() const { return ctx_->failures; }

}  // namespace hark::signaling
