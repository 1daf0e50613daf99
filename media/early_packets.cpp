#include "media/early_packets.h"

#include <cstring>

namespace hark::media {

EarlyPackets::EarlyPackets(size_t slots, size_t capacity, size_t per_stream)
    : entries_(capacity), head_(slots, kNone), tail_(slots, kNone), count_(slots, 0), per_stream_(per_stream) {
  free_.reserve(capacity);
  for (size_t i = capacity; i-- > 0;) free_.push_back(uint32_t(i));
}

bool EarlyPackets::hold(uint32_t slot, const uint8_t* buf, size_t len, const sockaddr_storage& from,
                        uint64_t arrival_ns) {
  if (slot >= head_.size() || len > kMaxPayload || free_.empty() || count_[slot] >= per_stream_) {
    ++refused_;
    return false;
  }
  const uint32_t i = free_.back();
  free_.pop_back();
  Entry& e = entries_[i];
  e.next = kNone;
  e.len = uint16_t(len);
  e.arrival_ns = arrival_ns;
  e.from = from;
  std::memcpy(e.data, buf, len);
  if (tail_[slot] == kNone) head_[slot] = i;
  else entries_[tail_[slot]].next = i;
  tail_[slot] = i;
  ++count_[slot];
  ++held_;
  return true;
}

void EarlyPackets::drop(uint32_t slot) {
  if (slot >= head_.size()) return;
  for (uint32_t i = head_[slot]; i != kNone;) {
    const uint32_t next = entries_[i].next;
    free_.push_back(i);
    i = next;
  }
  held_ -= count_[slot];
  head_[slot] = tail_[slot] = kNone;
  count_[slot] = 0;
}

}  // namespace hark::media
