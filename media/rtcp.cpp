#include "media/rtcp.h"

#include <chrono>
#include <cstring>

namespace hark::media {

namespace {
void put32(uint8_t* p, uint32_t v) { p[0] = uint8_t(v >> 24); p[1] = uint8_t(v >> 16); p[2] = uint8_t(v >> 8); p[3] = uint8_t(v); }
uint32_t get32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
constexpr uint8_t kSR = 200, kRR = 201, kSDES = 202, kBYE = 203;

void put_block(uint8_t* p, const ReceptionReport& r) {
  put32(p, r.ssrc);
  put32(p + 4, uint32_t(r.fraction_lost) << 24 | (r.cumulative_lost & 0xffffff));
  put32(p + 8, r.extended_max_seq);
  put32(p + 12, r.jitter);
  put32(p + 16, r.lsr);
  put32(p + 20, r.dlsr);
}

ReceptionReport get_block(const uint8_t* p) {
  ReceptionReport r;
  r.ssrc = get32(p);
  const uint32_t w = get32(p + 4);
  r.fraction_lost = uint8_t(w >> 24);
  r.cumulative_lost = w & 0xffffff;
  r.extended_max_seq = get32(p + 8);
  r.jitter = get32(p + 12);
  r.lsr = get32(p + 16);
  r.dlsr = get32(p + 20);
  return r;
}
}  // namespace

uint64_t ntp_now() {
  using namespace std::chrono;
  const auto ns = duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
  const uint64_t secs = uint64_t(ns / 1000000000) + 2208988800ull;  // 1900 -> 1970
  const uint64_t frac = (uint64_t(ns % 1000000000) << 32) / 1000000000ull;
  return secs << 32 | frac;
}

size_t build_rtcp_report(std::span<uint8_t> out, uint32_t our_ssrc, const SenderInfo* sender,
                         const ReceptionReport* report, std::string_view cname) {
  const size_t report_len = 8 + (sender ? 20 : 0) + (report ? 24 : 0);
  const size_t cname_len = std::min<size_t>(cname.size(), 255);
  // SDES: header 4 + SSRC 4 + item (type, len, text) + terminating zero, padded to 4.
  const size_t sdes_len = (4 + 4 + 2 + cname_len + 1 + 3) / 4 * 4;
  if (out.size() < report_len + sdes_len) return 0;
  uint8_t* p = out.data();
  p[0] = uint8_t(0x80 | (report ? 1 : 0));
  p[1] = sender ? kSR : kRR;
  p[2] = 0;
  p[3] = uint8_t(report_len / 4 - 1);
  put32(p + 4, our_ssrc);
  size_t off = 8;
  if (sender) {
    put32(p + 8, uint32_t(sender->ntp >> 32));
    put32(p + 12, uint32_t(sender->ntp));
    put32(p + 16, sender->rtp_ts);
    put32(p + 20, sender->packets);
    put32(p + 24, sender->octets);
    off += 20;
  }
  if (report) {
    put_block(p + off, *report);
    off += 24;
  }
  uint8_t* s = p + off;
  std::memset(s, 0, sdes_len);
  s[0] = 0x81;
  s[1] = kSDES;
  s[3] = uint8_t(sdes_len / 4 - 1);
  put32(s + 4, our_ssrc);
  s[8] = 1;  // CNAME
  s[9] = uint8_t(cname_len);
  std::memcpy(s + 10, cname.data(), cname_len);
  return off + sdes_len;
}

std::optional<PeerReport> parse_rtcp(std::span<const uint8_t> pkt, uint32_t our_ssrc) {
  PeerReport r;
  size_t off = 0;
  if (pkt.size() < 8) return std::nullopt;
  while (off < pkt.size()) {
    if (pkt.size() - off < 4) return std::nullopt;
    const uint8_t* p = pkt.data() + off;
    if ((p[0] >> 6) != 2) return std::nullopt;
    const int count = p[0] & 0x1f;
    const size_t len = (size_t(p[2] << 8 | p[3]) + 1) * 4;
    if (len > pkt.size() - off) return std::nullopt;
    const uint8_t type = p[1];
    if (type == kSR || type == kRR) {
      size_t blocks_at = type == kSR ? 28 : 8;
      if (len < blocks_at + size_t(count) * 24) return std::nullopt;
      if (type == kSR) {
        r.has_sr = true;
        r.sr_ssrc = get32(p + 4);
        r.sr_ntp_middle = uint32_t((uint64_t(get32(p + 8)) << 32 | get32(p + 12)) >> 16);
      }
      for (int i = 0; i < count; ++i) {
        const auto b = get_block(p + blocks_at + 24 * size_t(i));
        if (b.ssrc == our_ssrc) r.about_us = b;
      }
    } else if (type == kBYE) {
      r.bye = true;
    }
    off += len;
  }
  return r;
}

std::optional<double> rtt_ms(const ReceptionReport& r, uint32_t now_ntp_middle) {
  if (r.lsr == 0) return std::nullopt;
  const uint32_t rtt = now_ntp_middle - r.lsr - r.dlsr;  // 1/65536 s
  return double(rtt) * 1000.0 / 65536.0;
}

}  // namespace hark::media
