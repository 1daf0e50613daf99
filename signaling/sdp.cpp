#include "signaling/sdp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

namespace hark::signaling {

const char* to_string(Direction d) {
  switch (d) {
    case Direction::sendrecv: return "sendrecv";
    case Direction::sendonly: return "sendonly";
    case Direction::recvonly: return "recvonly";
    case Direction::inactive: return "inactive";
  }
  return "sendrecv";
}

Direction answer_direction(Direction offered, bool hold) {
  switch (offered) {
    case Direction::sendrecv: return hold ? Direction::sendonly : Direction::sendrecv;
    case Direction::sendonly: return hold ? Direction::inactive : Direction::recvonly;
    case Direction::recvonly: return Direction::sendonly;
    case Direction::inactive: return Direction::inactive;
  }
  return Direction::inactive;
}

std::string build_sdp(const LocalMedia& m) {
  const bool v6 = m.ip.find(':') != std::string::npos;
  const std::string ip_type = v6 ? "IP6 " : "IP4 ";
  std::string pts, maps;
  auto add = [&](int pt, const char* map) {
    // Appends piece by piece: `" " + std::to_string(pt)` trips GCC 12's -Wrestrict false
    // positive at -O3 (an inlined insert-at-front of a temporary).
    pts.append(" ").append(std::to_string(pt));
    maps.append("a=rtpmap:").append(std::to_string(pt)).append(" ").append(map).append("\r\n");
  };
  if (m.only_payload_type >= 0) {
    add(m.only_payload_type, m.only_payload_type == 8 ? "PCMA/8000" : "PCMU/8000");
  } else {
    const std::vector<int> order = m.codecs.empty() ? std::vector<int>{0, 8} : m.codecs;
    for (int pt : order) add(pt, pt == 8 ? "PCMA/8000" : "PCMU/8000");
  }
  add(m.dtmf_payload_type, "telephone-event/8000");
  maps += "a=fmtp:" + std::to_string(m.dtmf_payload_type) + " 0-16\r\n";
  std::string s;
  s += "v=0\r\n";
  s += "o=hark " + std::to_string(m.session_id) + " " + std::to_string(m.version) + " IN " + ip_type + m.ip + "\r\n";
  s += "s=hark\r\n";
  s += "c=IN " + ip_type + m.ip + "\r\n";
  s += "t=0 0\r\n";
  s += "m=audio " + std::to_string(m.port) + (m.srtp && !m.srtp_best_effort ? " RTP/SAVP" : " RTP/AVP") + pts + "\r\n";
  s += maps;
  if (m.srtp) s += "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + media::srtp_key_to_base64(m.key) + "\r\n";
  s += "a=ptime:20\r\n";
  s += std::string("a=") + to_string(m.direction) + "\r\n";
  return s;
}

namespace {
struct Home {
  su_home_t* h = static_cast<su_home_t*>(su_home_new(sizeof(su_home_t)));
  ~Home() { su_home_unref(h); }
};

// a=crypto:<tag> AES_CM_128_HMAC_SHA1_80 inline:<key>[|lifetime][|mki]
bool parse_crypto(const char* v, media::SrtpKey& key) {
  std::string_view s(v);
  if (s.find("AES_CM_128_HMAC_SHA1_80") == std::string_view::npos) return false;
  const auto at = s.find("inline:");
  if (at == std::string_view::npos) return false;
  auto b64 = s.substr(at + 7);
  b64 = b64.substr(0, b64.find_first_of("| \r\n"));
  return media::srtp_key_from_base64(b64, key);
}

bool set_addr(const char* host, unsigned long port, PeerMedia& out) {
  std::memset(&out.addr, 0, sizeof out.addr);
  auto& a4 = reinterpret_cast<sockaddr_in&>(out.addr);
  if (inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
    a4.sin_family = AF_INET;
    a4.sin_port = htons(uint16_t(port));
    out.addr_len = sizeof(sockaddr_in);
    out.null_address = a4.sin_addr.s_addr == 0;
    out.hold = out.hold || out.null_address;
    return true;
  }
  auto& a6 = reinterpret_cast<sockaddr_in6&>(out.addr);
  if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons(uint16_t(port));
    out.addr_len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}
}  // namespace

/// RFC 4566 `token` characters: what media types, transports and formats are made of.
static bool token_char(unsigned char c) {
  return std::isalnum(c) || (c != 0 && std::strchr("!#$%&'*+-.^_`{|}~", c) != nullptr);
}

/// An m= line in RFC 4566's form: m=<media> <port>[/<count>] <proto>[/<proto>...] <fmt>...
static bool well_formed_m_line(std::string_view v) {
  auto word = [&v]() {
    const size_t sp = v.find(' ');
    std::string_view w = v.substr(0, sp);
    v = sp == std::string_view::npos ? std::string_view() : v.substr(sp + 1);
    return w;
  };
  // Tokens, or (a transport) tokens joined by single slashes: "RT//PAVP" is none.
  auto tokens = [](std::string_view w, bool slashes) {
    if (w.empty()) return false;
    for (unsigned char c : w)
      if (!token_char(c) && !(slashes && c == '/')) return false;
    return w.front() != '/' && w.back() != '/' && w.find("//") == std::string_view::npos;
  };
  auto digits = [](std::string_view d) {
    return !d.empty() && std::all_of(d.begin(), d.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  };
  const auto media = word(), port = word(), proto = word();
  if (!tokens(media, false) || !tokens(proto, true)) return false;
  // <port>[/<count>], digits on both sides of the one slash: sofia-sip 1.12's sdp_parse
  // allocated without end on "m=a 10/0/ RT//PAVP 79" (a port with a second slash, and an
  // empty transport token), found by fuzz/sdp_fuzz in a clean-clone CI run.
  const size_t slash = port.find('/');
  if (!digits(port.substr(0, slash)) || (slash != std::string_view::npos && !digits(port.substr(slash + 1))))
    return false;
  while (!v.empty())
    if (!tokens(word(), false)) return false;
  return true;
}

/// Checked before sofia sees the SDP. SDP is ASCII except the free-text s= and i= lines
/// (RFC 4566: UTF-8 there), and its m= lines have a strict form. sofia-sip 1.12's sdp_parse
/// asked for 2 GiB on high bytes in an m= line's transport, and for more than 4 GiB on an
/// unknown transport with a format starting with ':' ("m=audio 1 X :"), both found by
/// fuzz/sdp_fuzz: a callee's answer must not be able to do that to hark.
static std::string sdp_text_problem(std::string_view text) {
  size_t line_no = 1;
  for (size_t i = 0; i < text.size(); ++line_no) {
    // Lines end in CRLF, LF or a lone CR: sofia takes each as a line break, so this does too
    // (a lone CR once hid a malformed m= line from this check).
    size_t end = text.find_first_of("\r\n", i);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(i, end - i);
    const bool free_text = line.size() >= 2 && (line[0] == 's' || line[0] == 'i') && line[1] == '=';
    for (unsigned char c : line) {
      if (c == '\t') continue;
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && !free_text))
        return "SDP line " + std::to_string(line_no) + " holds a byte that is not text (0x" +
               "0123456789abcdef"[c >> 4] + "0123456789abcdef"[c & 15] + ")";
    }
    // <type>=<value>, the type one letter (RFC 4566 5.): sofia skips the whitespace before a
    // line's type, so "\tm=..." reached it as an m= line this check had not looked at, and
    // asked for gigabytes again (fuzz/sdp_fuzz).
    if (!line.empty() && (line.size() < 2 || !std::isalpha(static_cast<unsigned char>(line[0])) || line[1] != '='))
      return "SDP line " + std::to_string(line_no) + " is not of the form <type>=<value>";
    if (line.size() >= 2 && line[0] == 'm' && line[1] == '=' && !well_formed_m_line(line.substr(2)))
      return "SDP line " + std::to_string(line_no) + " is not a media line of the form "
             "m=<media> <port> <transport> <formats>";
    i = end + (end + 1 < text.size() && text[end] == '\r' && text[end + 1] == '\n' ? 2 : 1);
  }
  return {};
}

std::string parse_peer_sdp(std::string_view text, PeerMedia& out) {
  if (text.empty()) return "no SDP body";
  if (auto problem = sdp_text_problem(text); !problem.empty()) return problem;
  Home home;
  sdp_parser_t* parser = sdp_parse(home.h, text.data(), isize_t(text.size()), 0);
  std::unique_ptr<sdp_parser_t, void (*)(sdp_parser_t*)> guard(parser, sdp_parser_free);
  if (const char* err = sdp_parsing_error(parser)) return std::string("SDP does not parse: ") + err;
  const sdp_session_t* sess = sdp_session(parser);
  if (!sess) return "SDP does not parse";
  const sdp_media_t* audio = nullptr;
  bool saw_audio = false;
  for (const sdp_media_t* m = sess->sdp_media; m; m = m->m_next) {
    if (m->m_type != sdp_media_audio) continue;
    saw_audio = true;
    if (m->m_port != 0 && !m->m_rejected) { audio = m; break; }
  }
  if (!saw_audio) return "SDP has no audio stream";
  if (!audio) return "the audio stream is rejected (port 0)";
  if (audio->m_proto != sdp_proto_rtp && audio->m_proto != sdp_proto_srtp)
    return std::string("unsupported audio transport ") + (audio->m_proto_name ? audio->m_proto_name : "?");

  // The first G.711 payload type in the peer's order of preference.
  bool found = false;
  std::string offered;
  for (const sdp_rtpmap_t* rm = audio->m_rtpmaps; rm; rm = rm->rm_next) {
    const std::string enc = rm->rm_encoding ? rm->rm_encoding : "";
    if (!offered.empty()) offered += ",";
    offered += enc.empty() ? std::to_string(rm->rm_pt) : enc;
    if (!found && (strcasecmp(enc.c_str(), "PCMU") == 0 || strcasecmp(enc.c_str(), "PCMA") == 0) && rm->rm_rate == 8000) {
      out.payload_type = uint8_t(strcasecmp(enc.c_str(), "PCMU") == 0 ? 0 : 8);
      found = true;
    }
    if (strcasecmp(enc.c_str(), "telephone-event") == 0 && out.dtmf_payload_type < 0) out.dtmf_payload_type = rm->rm_pt;
  }
  if (!found) return "no common codec: the peer offers only " + (offered.empty() ? std::string("nothing") : offered);

  const sdp_connection_t* c = audio->m_connections ? audio->m_connections : sess->sdp_connection;
  if (!c || !c->c_address) return "SDP has no connection address";
  if (!set_addr(c->c_address, audio->m_port, out))
    return std::string("connection address is not an IP address: ") + c->c_address;

  out.srtp = audio->m_proto == sdp_proto_srtp;
  bool have_key = false;
  // The direction (RFC 3264 section 5.1): sofia's parser takes the a=sendrecv/sendonly/
  // recvonly/inactive attributes off the lists into m_mode, the session's as the default.
  switch (audio->m_mode) {
    case sdp_inactive: out.direction = Direction::inactive; break;
    case sdp_sendonly: out.direction = Direction::sendonly; break;
    case sdp_recvonly: out.direction = Direction::recvonly; break;
    default: out.direction = Direction::sendrecv; break;
  }
  if (out.direction == Direction::sendonly || out.direction == Direction::inactive) out.hold = true;
  for (const sdp_attribute_t* a = audio->m_attributes; a; a = a->a_next) {
    if (!a->a_name) continue;
    if (strcasecmp(a->a_name, "rtcp-mux") == 0) out.rtcp_mux = true;
    if (strcasecmp(a->a_name, "crypto") == 0 && a->a_value && !have_key) have_key = parse_crypto(a->a_value, out.key);
  }
  if (out.srtp && !have_key) return "SRTP without an AES_CM_128_HMAC_SHA1_80 inline key";
  out.has_key = have_key;
  return {};
}

}  // namespace hark::signaling
