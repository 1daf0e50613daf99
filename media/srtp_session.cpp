#include "media/srtp_session.h"

#include <sodium.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <mutex>

namespace hark::media {

namespace {
void init_library() {
  static std::once_flag once;
  std::call_once(once, [] {
    srtp_init();
    if (sodium_init() < 0) std::abort();
  });
}
}  // namespace

bool srtp_key_from_base64(std::string_view b64, SrtpKey& out) {
  size_t len = 0;
  uint8_t buf[64];
  if (sodium_base642bin(buf, sizeof buf, b64.data(), b64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len != sizeof out.bytes)
    return false;
  std::memcpy(out.bytes, buf, sizeof out.bytes);
  return true;
}

std::string srtp_key_to_base64(const SrtpKey& key) {
  char out[sodium_base64_ENCODED_LEN(30, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(out, sizeof out, key.bytes, sizeof key.bytes, sodium_base64_VARIANT_ORIGINAL);
  return out;
}

SrtpKey srtp_random_key() {
  init_library();
  SrtpKey k;
  randombytes_buf(k.bytes, sizeof k.bytes);
  return k;
}

SrtpSession::~SrtpSession() {
  if (ctx_) srtp_dealloc(ctx_);
}

std::string SrtpSession::init(const SrtpKey& key, bool outbound) {
  init_library();
  if (ctx_) {
    srtp_dealloc(ctx_);
    ctx_ = nullptr;
  }
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
  uint8_t k[30];
  std::memcpy(k, key.bytes, sizeof k);
  policy.key = k;
  policy.window_size = 128;
  policy.allow_repeat_tx = 0;
  policy.next = nullptr;
  const srtp_err_status_t st = srtp_create(&ctx_, &policy);
  if (st != srtp_err_status_ok) {
    ctx_ = nullptr;
    return "srtp_create failed (" + std::to_string(int(st)) + ")";
  }
  return {};
}

bool SrtpSession::protect_rtp(uint8_t* buf, size_t& len, size_t capacity) {
  // AES_CM_128_HMAC_SHA1_80 without MKI adds a 10-byte tag (libsrtp's SRTP_MAX_TRAILER_LEN
  // also counts a maximal MKI, far more than we use).
  if (!ctx_ || len + kMaxTrailer > capacity) return false;
  int l = int(len);
  if (srtp_protect(ctx_, buf, &l) != srtp_err_status_ok) return false;
  len = size_t(l);
  return true;
}

bool SrtpSession::unprotect_rtp(uint8_t* buf, size_t& len) {
  if (!ctx_) return false;
  int l = int(len);
  if (srtp_unprotect(ctx_, buf, &l) != srtp_err_status_ok) return false;
  len = size_t(l);
  return true;
}

bool SrtpSession::protect_rtcp(uint8_t* buf, size_t& len, size_t capacity) {
  if (!ctx_ || len + kMaxTrailer > capacity) return false;  // tag + 4-byte SRTCP index
  int l = int(len);
  if (srtp_protect_rtcp(ctx_, buf, &l) != srtp_err_status_ok) return false;
  len = size_t(l);
  return true;
}

bool SrtpSession::unprotect_rtcp(uint8_t* buf, size_t& len) {
  if (!ctx_) return false;
  int l = int(len);
  if (srtp_unprotect_rtcp(ctx_, buf, &l) != srtp_err_status_ok) return false;
  len = size_t(l);
  return true;
}

}  // namespace hark::media
