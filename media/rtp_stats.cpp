#include "media/rtp_stats.h"

#include <cmath>
#include <cstdlib>

namespace hark::media {

namespace {
constexpr uint32_t kSeqMod = 1u << 16;
constexpr uint16_t kMaxDropout = 3000;
constexpr uint16_t kMaxMisorder = 100;
}  // namespace

uint32_t RtpStats::lost() const {
  const int64_t l = int64_t(expected()) - int64_t(received_);
  return l > 0 ? uint32_t(l) : 0;
}

uint8_t RtpStats::take_fraction_lost() {
  const uint32_t exp = expected(), exp_int = exp - expected_prior_;
  const uint32_t rec_int = received_ - received_prior_;
  expected_prior_ = exp;
  received_prior_ = received_;
  const int64_t lost_int = int64_t(exp_int) - int64_t(rec_int);
  if (exp_int == 0 || lost_int <= 0) return 0;
  return uint8_t((lost_int << 8) / exp_int);
}

bool RtpStats::update(uint16_t seq, uint32_t rtp_ts, uint32_t arrival_ts) {
  if (!started_) {
    started_ = true;
    max_seq_ = seq;
    base_seq_ = seq;
    cycles_ = 0;
  } else {
    const uint16_t udelta = uint16_t(seq - max_seq_);
    if (udelta > 0 && udelta < kMaxDropout) {
      if (seq < max_seq_) cycles_ += kSeqMod;  // wrapped
      // Forget the bits of the sequence numbers this advance skipped past.
      for (uint32_t s = uint32_t(max_seq_) + 1; s != uint32_t(max_seq_) + udelta; ++s)
        seen_[(s >> 6) & 1] &= ~(1ull << (s & 63));
      max_seq_ = seq;
      bad_seq_ = kSeqMod + 1;
    } else if (udelta == 0 || uint16_t(max_seq_ - seq) <= kMaxMisorder) {
      // A duplicate or a late (reordered) packet.
      const uint64_t bit = 1ull << (seq & 63);
      if (seen_[(seq >> 6) & 1] & bit) {
        ++duplicates_;
        return false;
      }
      ++reordered_;
    } else {
      // A big jump: the sender restarted. Two sequential packets confirm it (A.1).
      if (seq == bad_seq_) {
        started_ = false;
        received_ = duplicates_ = 0;
        expected_prior_ = received_prior_ = 0;
        seen_[0] = seen_[1] = 0;
        return update(seq, rtp_ts, arrival_ts);
      }
      bad_seq_ = (uint32_t(seq) + 1) & (kSeqMod - 1);
      return false;
    }
  }
  seen_[(seq >> 6) & 1] |= 1ull << (seq & 63);
  ++received_;

  // Jitter (A.8): D = (Rj - Ri) - (Sj - Si), J += (|D| - J) / 16.
  const int64_t transit = int64_t(arrival_ts) - int64_t(rtp_ts);
  if (have_transit_) {
    int64_t d = transit - last_transit_;
    // Both clocks are 32-bit: fold the difference back into range.
    d = int32_t(uint32_t(d));
    jitter_ += (std::fabs(double(d)) - jitter_) / 16.0;
  }
  last_transit_ = transit;
  have_transit_ = true;
  return true;
}

}  // namespace hark::media
