// Writes G.711 RTP captures: what `hark amd` replays and sipp's play_pcap_audio sends.
#pragma once

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "media/g711.h"

namespace hark::test {

/// Writes a classic pcap (Ethernet) with one RTP/UDP/IPv4 packet per 20 ms of `pcm`, stamped
/// 20 ms apart (sipp paces its playback by them), skipping the packets whose index is in
/// `drop` and, with `swap_3_and_4`, sending packet 4 before packet 3.
inline void write_rtp_pcap(const std::string& path, const std::vector<int16_t>& pcm, media::G711Law law,
                           const std::vector<int>& drop = {}, bool swap_3_and_4 = false) {
  std::ofstream f(path, std::ios::binary);
  auto put = [&](const void* p, size_t n) { f.write(static_cast<const char*>(p), std::streamsize(n)); };
  const uint32_t ghdr[] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
  put(ghdr, sizeof ghdr);  // magic, version 2.4, zone, sigfigs, snaplen, Ethernet
  std::vector<std::vector<uint8_t>> frames;
  for (size_t k = 0; k * 160 < pcm.size(); ++k) {
    std::vector<uint8_t> rtp = {0x80, uint8_t(law == media::G711Law::ulaw ? 0 : 8), uint8_t(k >> 8), uint8_t(k),
                                uint8_t((k * 160) >> 24), uint8_t((k * 160) >> 16), uint8_t((k * 160) >> 8), uint8_t(k * 160),
                                1, 2, 3, 4};
    const size_t n = std::min<size_t>(160, pcm.size() - k * 160);
    std::vector<uint8_t> g(n);
    media::g711_encode(law, {pcm.data() + k * 160, n}, g.data());
    rtp.insert(rtp.end(), g.begin(), g.end());
    std::vector<uint8_t> pkt(14, 0);
    pkt[12] = 0x08;
    const uint16_t ip_len = uint16_t(20 + 8 + rtp.size());
    uint8_t ip[20] = {0x45, 0, uint8_t(ip_len >> 8), uint8_t(ip_len), 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1};
    pkt.insert(pkt.end(), ip, ip + 20);
    const uint16_t ulen = uint16_t(8 + rtp.size());
    uint8_t udp[8] = {0x4e, 0x20, 0x4e, 0x22, uint8_t(ulen >> 8), uint8_t(ulen), 0, 0};
    pkt.insert(pkt.end(), udp, udp + 8);
    pkt.insert(pkt.end(), rtp.begin(), rtp.end());
    frames.push_back(pkt);
  }
  if (swap_3_and_4 && frames.size() > 4) std::swap(frames[3], frames[4]);
  for (size_t k = 0; k < frames.size(); ++k) {
    if (std::find(drop.begin(), drop.end(), int(k)) != drop.end()) continue;
    const uint32_t ms = uint32_t(k * 20);
    const uint32_t rec[] = {ms / 1000, (ms % 1000) * 1000, uint32_t(frames[k].size()), uint32_t(frames[k].size())};
    put(rec, 16);
    put(frames[k].data(), frames[k].size());
  }
}

}  // namespace hark::test
