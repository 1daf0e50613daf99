// The webhook's HTTP side: the URL's checks (the API refuses a bad one with 422) and one POST
// over http or https (beast; certificate and host name verified; bounded by a timeout).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hark::control {

struct WebhookUrl {
  bool tls = false;
  std::string host, port, target;  ///< target: path and query, at least "/"
};

/// Parses http(s)://host[:port][/path]: a host name (letters, digits, '-', '.') or an IP
/// address ([v6] in brackets), a port 1-65535, no user info, no spaces or control characters,
/// at most 2048 bytes. nullopt with `why` set when it is not one.
std::optional<WebhookUrl> parse_webhook_url(const std::string& url, std::string* why = nullptr);

/// The receiver's answer: `status` 0 when there was none (refused, timed out, TLS failure),
/// then `error` says why; `body`: the answer's body (at most 64 KiB).
struct PostResult {
  int status = 0;
  std::string error;
  std::string body;
};

/// POSTs `body` (application/json) with `headers` to `url`, waiting at most `timeout_ms` for
/// the whole exchange. `ca_file`: an extra trusted CA (PEM) for https; empty: system CAs.
PostResult post_webhook(const WebhookUrl& url, const std::vector<std::pair<std::string, std::string>>& headers,
                        const std::string& body, int timeout_ms, const std::string& ca_file = {});

/// The same exchange with another method ("PUT", ...): the simulated agent pool reports its
/// agents to hark's API with it. `headers` may replace the default User-Agent.
PostResult send_json(const std::string& method, const WebhookUrl& url,
                     const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                     int timeout_ms, const std::string& ca_file = {});

}  // namespace hark::control
