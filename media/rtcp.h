// RTCP (RFC 3550 section 6): building our sender/receiver reports and reading the peer's.
// Small and allocation-free: the reports go out every few seconds per stream from the worker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace hark::media {

/// What we report about the stream we receive (one report block).
struct ReceptionReport {
  uint32_t ssrc = 0;            ///< the source we receive
  uint8_t fraction_lost = 0;
  uint32_t cumulative_lost = 0; ///< 24 bits on the wire
  uint32_t extended_max_seq = 0;
  uint32_t jitter = 0;
  uint32_t lsr = 0;             ///< middle 32 bits of the last SR's NTP time from that source
  uint32_t dlsr = 0;            ///< delay since that SR, 1/65536 s
};

/// Our sending side, for a sender report.
struct SenderInfo {
  uint64_t ntp = 0;             ///< NTP timestamp (32.32 fixed point)
  uint32_t rtp_ts = 0;
  uint32_t packets = 0;
  uint32_t octets = 0;
};

/// Writes a compound packet: SR (when `sender`) or RR, with at most one report block, then
/// SDES with CNAME. Returns its length, 0 when `out` is too small.
size_t build_rtcp_report(std::span<uint8_t> out, uint32_t our_ssrc, const SenderInfo* sender,
                         const ReceptionReport* report, std::string_view cname);

/// What a peer's compound RTCP packet told us.
struct PeerReport {
  bool has_sr = false;
  uint32_t sr_ssrc = 0;
  uint32_t sr_ntp_middle = 0;   ///< for our LSR field
  std::optional<ReceptionReport> about_us;  ///< their report block for our SSRC
  bool bye = false;
};

/// Parses a compound packet; nullopt when it is malformed (bad version, lengths past the end).
std::optional<PeerReport> parse_rtcp(std::span<const uint8_t> packet, uint32_t our_ssrc);

/// Round-trip time in ms from a report block (RFC 3550 6.4.1): now - LSR - DLSR, with
/// `now_ntp_middle` the middle 32 bits of the current NTP time. nullopt without an LSR.
std::optional<double> rtt_ms(const ReceptionReport& r, uint32_t now_ntp_middle);

/// The current wall-clock time as a 64-bit NTP timestamp.
uint64_t ntp_now();

}  // namespace hark::media
