// One carrier trunk as the operator configures it ([[trunk]] in hark.toml): where calls go, how
// (transport, outbound proxy), who we are to it (registrar, digest credentials, caller ID), what
// we offer (codecs in order, SRTP) and how much (channels, calls per second), and whether we
// watch it with OPTIONS. Plain data: the SIP agent keeps the trunk's live state (trunk_table.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hark::signaling {

enum class Transport { udp, tcp, tls };
enum class SrtpMode { off, offer, require };

/// "udp", "tcp", "tls".
std::string_view to_string(Transport t);
/// "off", "offer", "require".
std::string_view to_string(SrtpMode m);
/// Parses a transport name; false when it is none of udp, tcp, tls.
bool parse_transport(std::string_view s, Transport& out);
/// Parses an SRTP mode; false when it is none of off, offer, require.
bool parse_srtp_mode(std::string_view s, SrtpMode& out);

struct Trunk {
  std::string name = "default";
  std::string host = "127.0.0.1";
  int port = 5070;
  Transport transport = Transport::udp;
  std::string proxy;                 ///< outbound proxy URI; empty: straight to host:port
  std::string registrar;             ///< REGISTER here (a sip: URI); empty: no registration
  std::string username, password;    ///< digest credentials, for REGISTER and 401/407 on calls
  std::string realm;                 ///< answer only challenges of this realm; empty: any
  int register_expires_s = 600;
  std::string caller_id = "hark";    ///< From user, unless the campaign sets its own
  std::string dial_prefix;           ///< prepended to every number dialed on this trunk
  std::vector<std::string> codecs = {"PCMU", "PCMA"};  ///< offered in this order
  SrtpMode srtp = SrtpMode::off;
  int max_channels = 0;              ///< calls up at once on this trunk; 0: only the agent's cap
  double calls_per_second = 0;       ///< INVITE pacing on this trunk; 0: only the agent's pacing
  int options_interval_s = 0;        ///< OPTIONS keep-alive period; 0: not watched (always up)
  int options_timeout_s = 5;         ///< an OPTIONS unanswered this long marks the trunk down

  /// host:port, as in a request URI.
  std::string hostport() const;
  /// ";transport=tcp" or ";transport=tls" (nothing for UDP): the URI parameter that makes
  /// sofia-sip use that transport.
  std::string transport_param() const;
  /// sip:USER@host:port;transport=...
  std::string uri(const std::string& user) const;
};

/// The outbound proxy as a pre-loaded Route header value ("<sip:proxy;lr>", RFC 3261 8.1.2),
/// empty without a proxy: requests go to the proxy first, their Request-URI unchanged.
std::string proxy_route(const Trunk& t);

}  // namespace hark::signaling
