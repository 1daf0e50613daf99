// A small reorder buffer: holds a few packets' payloads so that late packets are played in
// sequence order, and declares a packet lost once `depth` newer ones have arrived.
// Fixed storage, no allocation; payloads up to kMaxPayload bytes (20 ms of G.711 is 160).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace hark::media {

class ReorderBuffer {
 public:
  static constexpr size_t kSlots = 8;
  static constexpr size_t kMaxPayload = 320;
  static constexpr uint16_t kMaxGap = 50;  ///< longest loss handed out packet by packet (1 s)

  explicit ReorderBuffer(uint16_t depth = 3) : depth_(depth < kSlots ? depth : kSlots - 1) {}

  /// What pop() hands out: a payload in order, or a gap where a packet was lost.
  struct Out {
    bool lost = false;
    uint16_t seq = 0;
    std::span<const uint8_t> payload;  // valid until the next push()
  };

  /// Packets lost in gaps longer than kMaxGap, not handed out one by one.
  uint32_t skipped() const { return skipped_; }

  /// Stores a packet. Returns false when it is too late (already played or declared lost)
  /// or too large.
  bool push(uint16_t seq, std::span<const uint8_t> payload) {
    if (!started_) {
      next_ = seq;
      started_ = true;
    }
    const int16_t ahead = int16_t(seq - next_);
    if (ahead < 0 || payload.size() > kMaxPayload) return false;
    if (ahead >= int16_t(kSlots)) {
      // Far ahead: everything up to the window behind it is lost. Up to kMaxGap of those are
      // handed out as losses (so the audio keeps its timing); a longer gap is skipped.
      const uint16_t window_start = uint16_t(seq - (kSlots - 1));
      if (int16_t(window_start - next_) > int16_t(kMaxGap)) {
        skipped_ += uint32_t(uint16_t(window_start - next_) - kMaxGap);
        next_ = uint16_t(window_start - kMaxGap);
      }
      lost_until_ = window_start;
      have_lost_until_ = true;
    }
    auto& s = slots_[seq % kSlots];
    s.used = true;
    s.seq = seq;
    s.len = uint16_t(payload.size());
    std::memcpy(s.data.data(), payload.data(), payload.size());
    if (int16_t(seq - newest_) > 0 || !have_newest_) newest_ = seq, have_newest_ = true;
    return true;
  }

  /// Takes the next packet in order when it is here, or reports it lost once `depth` newer
  /// packets have arrived. Returns false when nothing can be played yet.
  bool pop(Out& out) {
    if (!started_ || !have_newest_) return false;
    if (have_lost_until_ && int16_t(lost_until_ - next_) > 0) {
      out = {true, next_, {}};
      ++next_;
      return true;
    }
    auto& s = slots_[next_ % kSlots];
    if (s.used && s.seq == next_) {
      s.used = false;
      out = {false, next_, {s.data.data(), s.len}};
      ++next_;
      return true;
    }
    if (int16_t(newest_ - next_) >= int16_t(depth_)) {
      out = {true, next_, {}};
      ++next_;
      return true;
    }
    return false;
  }

 private:
  struct Slot {
    bool used = false;
    uint16_t seq = 0;
    uint16_t len = 0;
    std::array<uint8_t, kMaxPayload> data{};
  };
  uint16_t depth_;
  bool started_ = false;
  bool have_newest_ = false;
  uint16_t next_ = 0;
  uint16_t newest_ = 0;
  uint16_t lost_until_ = 0;
  bool have_lost_until_ = false;
  uint32_t skipped_ = 0;
  std::array<Slot, kSlots> slots_{};
};

}  // namespace hark::media
