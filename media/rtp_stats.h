// Receive statistics of one RTP stream as RFC 3550 defines them: extended highest sequence
// number with wrap-around (appendix A.1), packets expected and lost, interarrival jitter
// (section 6.4.1, appendix A.8), plus duplicates and out-of-order arrivals.
#pragma once

#include <cstdint>

namespace hark::media {

class RtpStats {
 public:
  /// Records one packet: its sequence number, RTP timestamp and arrival time expressed in
  /// timestamp units (8000 per second for G.711). Returns false for a packet to discard
  /// (a duplicate, or too far outside the sequence to belong to the stream).
  bool update(uint16_t seq, uint32_t rtp_ts, uint32_t arrival_ts);

  uint32_t received() const { return received_; }
  uint32_t extended_max() const { return cycles_ + max_seq_; }
  uint32_t expected() const { return started_ ? extended_max() - base_seq_ + 1 : 0; }
  /// Cumulative lost packets (expected - received, never below 0).
  uint32_t lost() const;
  /// Interarrival jitter in timestamp units (RFC 3550's J, already divided by 16).
  double jitter() const { return jitter_; }
  uint32_t duplicates() const { return duplicates_; }
  uint32_t reordered() const { return reordered_; }
  /// Fraction lost since the previous call, as the RR's 8-bit fixed-point field.
  uint8_t take_fraction_lost();

 private:
  bool started_ = false;
  uint16_t max_seq_ = 0;
  uint32_t cycles_ = 0;
  uint32_t base_seq_ = 0;
  uint32_t bad_seq_ = 1u << 17;  // RTP_SEQ_MOD + 1: no pending resync
  uint32_t received_ = 0;
  uint32_t duplicates_ = 0;
  uint32_t reordered_ = 0;
  uint32_t expected_prior_ = 0, received_prior_ = 0;
  double jitter_ = 0;
  int64_t last_transit_ = 0;
  bool have_transit_ = false;
  uint64_t seen_[2] = {};  // bitmap of the last 128 sequence numbers, for duplicates
};

}  // namespace hark::media
