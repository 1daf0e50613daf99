#include "media/audio_file.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>

#include "media/g711.h"
#include "media/rtp_header.h"

namespace hark::media {

namespace {

uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - n + i])) != suffix[i]) return false;
  return true;
}

std::string read_all(const std::string& path, std::vector<uint8_t>& bytes) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "cannot open file: " + std::string(std::strerror(errno));
  bytes.assign(std::istreambuf_iterator<char>(f), {});
  if (f.bad()) return "read error";
  return {};
}

}  // namespace

std::string parse_wav(std::span<const uint8_t> b, std::vector<int16_t>& out, bool strict) {
  if (b.size() < 12 || std::memcmp(b.data(), "RIFF", 4) != 0 || std::memcmp(b.data() + 8, "WAVE", 4) != 0)
    return "not a WAV file (no RIFF/WAVE header)";
  size_t pos = 12;
  int format = -1, channels = 0, bits = 0;
  uint32_t rate = 0;
  const uint8_t* data = nullptr;
  size_t data_size = 0;
  while (pos + 8 <= b.size()) {
    const uint8_t* c = b.data() + pos;
    const uint32_t size = le32(c + 4);
    const size_t body = pos + 8;
    const size_t avail = b.size() - body;
    if (std::memcmp(c, "fmt ", 4) == 0) {
      if (size < 16 || avail < 16) return "WAV fmt chunk is truncated";
      format = le16(c + 8);
      channels = le16(c + 10);
      rate = le32(c + 12);
      bits = le16(c + 22);
      if (format == 0xFFFE && size >= 40 && avail >= 40) format = le16(c + 32);  // extensible
    } else if (std::memcmp(c, "data", 4) == 0) {
      data = c + 8;
      if (strict && size > avail)
        return "WAV is truncated: its data chunk announces " + std::to_string(size) + " bytes, the file holds " +
               std::to_string(avail);
      data_size = std::min<size_t>(size, avail);  // a truncated file keeps what it has
      break;
    }
    pos = body + size + (size & 1);
  }
  if (format < 0) return "WAV has no fmt chunk";
  if (!data) return "WAV has no data chunk";
  if (channels < 1 || channels > 8) return "WAV has " + std::to_string(channels) + " channels";
  if (rate != 8000)
    return "WAV sample rate is " + std::to_string(rate) +
           " Hz; AMD needs 8000 Hz (convert: sox IN.wav -r 8000 -c 1 -b 16 OUT.wav)";
  std::vector<int16_t> interleaved;
  if (format == 1 && bits == 16) {
    interleaved.resize(data_size / 2);
    for (size_t i = 0; i < interleaved.size(); ++i) interleaved[i] = int16_t(le16(data + 2 * i));
  } else if ((format == 6 || format == 7) && bits == 8) {
    interleaved.resize(data_size);
    g711_decode(format == 7 ? G711Law::ulaw : G711Law::alaw, {data, data_size}, interleaved.data());
  } else {
    return "WAV encoding (format " + std::to_string(format) + ", " + std::to_string(bits) +
           " bits) is not supported; use 16-bit PCM, μ-law or A-law";
  }
  out.resize(interleaved.size() / channels);
  for (size_t i = 0; i < out.size(); ++i) {
    int32_t sum = 0;
    for (int ch = 0; ch < channels; ++ch) sum += interleaved[i * channels + ch];
    out[i] = int16_t(sum / channels);
  }
  return {};
}

namespace {

// Offset of the IP header inside a captured frame, by link type; -1 when unsupported.
int ip_offset(int linktype, const uint8_t* p, size_t len) {
  switch (linktype) {
    case DLT_EN10MB: {
      if (len < 14) return -1;
      size_t off = 12;
      uint16_t type = uint16_t(p[off] << 8 | p[off + 1]);
      while ((type == 0x8100 || type == 0x88a8) && off + 6 <= len) {  // VLAN tags
        off += 4;
        type = uint16_t(p[off] << 8 | p[off + 1]);
      }
      return (type == 0x0800 || type == 0x86dd) ? int(off + 2) : -1;
    }
    case DLT_LINUX_SLL: return len >= 16 ? 16 : -1;
    case DLT_NULL:
    case DLT_LOOP: return len >= 4 ? 4 : -1;
    case DLT_RAW:
#ifdef DLT_IPV4
    case DLT_IPV4:
    case DLT_IPV6:
#endif
      return 0;
    default: return -1;
  }
}

// The UDP payload of an IPv4/IPv6 packet; empty when it is not UDP.
std::span<const uint8_t> udp_payload(const uint8_t* ip, size_t len) {
  if (len < 1) return {};
  size_t off;
  if ((ip[0] >> 4) == 4) {
    const size_t ihl = size_t(ip[0] & 0x0f) * 4;
    if (ihl < 20 || len < ihl + 8 || ip[9] != 17) return {};
    if ((ip[6] & 0x3f) != 0 || ip[7] != 0) return {};  // fragments are not reassembled
    off = ihl;
  } else if ((ip[0] >> 4) == 6) {
    if (len < 48 || ip[6] != 17) return {};  // extension headers are not followed
    off = 40;
  } else {
    return {};
  }
  const size_t udp_len = size_t(ip[off + 4]) << 8 | ip[off + 5];
  size_t end = std::min(len, off + std::max<size_t>(udp_len, 8));
  return {ip + off + 8, end - off - 8};
}

struct Stream {
  size_t packets = 0;
  G711Law law = G711Law::ulaw;
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> payloads;  // (timestamp, bytes)
};

}  // namespace

std::string read_pcap_rtp(const std::string& path, std::vector<int16_t>& out) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pc = pcap_open_offline(path.c_str(), err);
  if (!pc) return std::string("cannot read capture: ") + err;
  const int linktype = pcap_datalink(pc);
  std::map<uint32_t, Stream> streams;  // by SSRC
  pcap_pkthdr* hdr;
  const u_char* data;
  int rc;
  while ((rc = pcap_next_ex(pc, &hdr, &data)) == 1) {
    const int off = ip_offset(linktype, data, hdr->caplen);
    if (off < 0) continue;
    auto udp = udp_payload(data + off, hdr->caplen - size_t(off));
    if (udp.empty()) continue;
    RtpHeader h;
    G711Law law;
    if (parse_rtp(udp, h) != RtpError::ok || !g711_payload_type(h.payload_type, law)) continue;
    auto& s = streams[h.ssrc];
    ++s.packets;
    s.law = law;
    s.payloads.emplace_back(h.timestamp, std::vector<uint8_t>(udp.begin() + h.payload_offset,
                                                              udp.begin() + h.payload_offset + h.payload_size));
  }
  const bool broken = rc == -1;
  const std::string pcap_err = broken ? pcap_geterr(pc) : "";
  pcap_close(pc);
  if (streams.empty())
    return broken ? "capture is damaged (" + pcap_err + ") and holds no G.711 RTP before it"
                  : "capture holds no G.711 (PCMU/PCMA) RTP stream";
  auto best = std::max_element(streams.begin(), streams.end(), [](auto& a, auto& b) {
    return a.second.packets < b.second.packets;
  });
  // Place every payload at its timestamp relative to the first packet; gaps stay silent.
  const uint32_t ts0 = best->second.payloads.front().first;
  constexpr int64_t kMaxSamples = 8000LL * 3600;  // one hour
  out.clear();
  for (auto& [ts, bytes] : best->second.payloads) {
    const int64_t at = int32_t(ts - ts0);
    if (at < 0 || at + int64_t(bytes.size()) > kMaxSamples) continue;
    if (size_t(at) + bytes.size() > out.size()) out.resize(size_t(at) + bytes.size(), 0);
    g711_decode(best->second.law, bytes, out.data() + at);
  }
  return {};
}

std::string read_audio(const std::string& path, std::vector<int16_t>& out) {
  std::vector<uint8_t> bytes;
  if (auto e = read_all(path, bytes); !e.empty()) return e;
  if (bytes.size() >= 4) {
    const uint32_t magic = le32(bytes.data());
    if (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d ||
        magic == 0x4d3cb2a1 || magic == 0x0a0d0d0a)
      return read_pcap_rtp(path, out);
  }
  if (ends_with(path, ".wav")) return parse_wav(bytes, out);
  G711Law law;
  if (ends_with(path, ".ul") || ends_with(path, ".ulaw") || ends_with(path, ".mu") || ends_with(path, ".pcmu"))
    law = G711Law::ulaw;
  else if (ends_with(path, ".al") || ends_with(path, ".alaw") || ends_with(path, ".pcma"))
    law = G711Law::alaw;
  else if (bytes.size() >= 12 && std::memcmp(bytes.data(), "RIFF", 4) == 0)
    return parse_wav(bytes, out);
  else
    return "unknown file type: use .wav, .ul/.al (raw G.711) or a pcap/pcapng capture";
  out.resize(bytes.size());
  g711_decode(law, bytes, out.data());
  return {};
}

std::string write_wav(const std::string& path, std::span<const int16_t> s, int rate) {
  std::ofstream f(path, std::ios::binary);
  if (!f) return "cannot create " + path + ": " + std::strerror(errno);
  auto put32 = [&](uint32_t v) { uint8_t b[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}; f.write(reinterpret_cast<char*>(b), 4); };
  auto put16 = [&](uint16_t v) { uint8_t b[2] = {uint8_t(v), uint8_t(v >> 8)}; f.write(reinterpret_cast<char*>(b), 2); };
  const uint32_t bytes = uint32_t(s.size() * 2);
  f.write("RIFF", 4); put32(36 + bytes); f.write("WAVEfmt ", 8);
  put32(16); put16(1); put16(1); put32(uint32_t(rate)); put32(uint32_t(rate * 2)); put16(2); put16(16);
  f.write("data", 4); put32(bytes);
  for (int16_t v : s) put16(uint16_t(v));
  return f ? std::string() : "write error on " + path;
}

}  // namespace hark::media
