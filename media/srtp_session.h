// SRTP protect/unprotect for one stream (libsrtp2), SDES keys, AES_CM_128_HMAC_SHA1_80.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct srtp_ctx_t_;

namespace hark::media {

/// 30 bytes: a 128-bit AES key and a 112-bit salt, as SDES "inline:" carries them (base64).
struct SrtpKey {
  uint8_t bytes[30] = {};
};

/// Decodes the base64 key of an SDP crypto line ("inline:KEY[|lifetime][|MKI]").
bool srtp_key_from_base64(std::string_view b64, SrtpKey& out);
std::string srtp_key_to_base64(const SrtpKey& key);
/// A fresh random key (libsodium's CSPRNG).
SrtpKey srtp_random_key();

class SrtpSession {
 public:
  SrtpSession() = default;
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  /// Sets up the inbound (peer's key) or outbound (our key) direction. Returns an error
  /// message, empty on success.
  std::string init(const SrtpKey& key, bool outbound);
  bool active() const { return ctx_ != nullptr; }

  /// In place. `len` grows by the 10-byte tag: the buffer must have room for it.
  bool protect_rtp(uint8_t* buf, size_t& len, size_t capacity);
  /// In place; false when authentication or replay checks fail (drop the packet).
  bool unprotect_rtp(uint8_t* buf, size_t& len);
  bool protect_rtcp(uint8_t* buf, size_t& len, size_t capacity);
  bool unprotect_rtcp(uint8_t* buf, size_t& len);

  /// Room to leave after a packet for protect_*: the 10-byte tag plus SRTCP's 4-byte index.
  static constexpr size_t kMaxTrailer = 16;

 private:
  srtp_ctx_t_* ctx_ = nullptr;
};

}  // namespace hark::media
