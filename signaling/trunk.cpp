#include "signaling/trunk.h"

namespace hark::signaling {

std::string_view to_string(Transport t) {
  switch (t) {
    case Transport::udp: return "udp";
    case Transport::tcp: return "tcp";
    case Transport::tls: return "tls";
  }
  return "?";
}

std::string_view to_string(SrtpMode m) {
  switch (m) {
    case SrtpMode::off: return "off";
    case SrtpMode::offer: return "offer";
    case SrtpMode::require: return "require";
  }
  return "?";
}

bool parse_transport(std::string_view s, Transport& out) {
  if (s == "udp") out = Transport::udp;
  else if (s == "tcp") out = Transport::tcp;
  else if (s == "tls") out = Transport::tls;
  else return false;
  return true;
}

bool parse_srtp_mode(std::string_view s, SrtpMode& out) {
  if (s == "off") out = SrtpMode::off;
  else if (s == "offer") out = SrtpMode::offer;
  else if (s == "require") out = SrtpMode::require;
  else return false;
  return true;
}

std::string Trunk::hostport() const { return host + ":" + std::to_string(port); }

std::string Trunk::transport_param() const {
  return transport == Transport::udp ? std::string() : ";transport=" + std::string(to_string(transport));
}

std::string Trunk::uri(const std::string& user) const {
  return "sip:" + (user.empty() ? std::string() : user + "@") + hostport() + transport_param();
}

std::string proxy_route(const Trunk& t) {
  if (t.proxy.empty()) return "";
  return "<" + t.proxy + (t.proxy.find(";lr") == std::string::npos ? ";lr" : "") + ">";
}

}  // namespace hark::signaling
