// The signature a webhook receiver checks: X-Hark-Signature: sha256=<hex HMAC-SHA256 of the
// exact body under the webhook's secret> (OpenSSL), and the secrets themselves.
#pragma once

#include <string>
#include <string_view>

namespace hark::control {

/// Lower-case hex HMAC-SHA256 of `body` under `key` (RFC 2104 / RFC 4231).
std::string hmac_sha256_hex(std::string_view key, std::string_view body);

/// The X-Hark-Signature value: "sha256=" + hmac_sha256_hex(secret, body).
std::string webhook_signature(std::string_view secret, std::string_view body);

/// A new secret: 32 random bytes (OpenSSL's CSPRNG) as 64 hex characters.
std::string new_webhook_secret();

}  // namespace hark::control
