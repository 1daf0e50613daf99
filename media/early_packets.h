// RTP that reaches a stream before it knows its peer: kept, bounded, until the answer names
// the peer, then played into the stream as if it had just arrived.
//
// Why: a dialed call's stream is opened idle when the INVITE leaves (our SDP offer names its
// port) and learns the callee's address only when the SIP thread has handled the 200 OK. A
// callee may send from the moment it answers (RFC 3264: the offerer must be ready to receive
// once the offer is out), and a busy SIP thread can handle a burst of answers a second or more
// late. Dropping that audio cut a person's first "hello?" and made the AMD hear dead air.
//
// One pool per media worker, sized at start: nothing allocates per packet and nothing locks
// (the worker's thread alone uses it). Each stream keeps at most its first `per_stream`
// packets, in arrival order (the start of an answer is what the AMD needs); a full pool or a
// packet larger than kMaxPayload is not kept, which is what happened to all of them before.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hark::media {

class EarlyPackets {
 public:
  /// A G.711 packet of up to 30 ms with an SRTP tag fits.
  static constexpr size_t kMaxPayload = 300;

  /// `slots`: the worker's stream slots; `capacity`: packets held at once by all of them;
  /// `per_stream`: the most one slot keeps.
  EarlyPackets(size_t slots, size_t capacity, size_t per_stream);

  /// Keeps a packet that `slot` received before it had a peer. False when it was not kept
  /// (too large, the slot's share or the pool full).
  bool hold(uint32_t slot, const uint8_t* buf, size_t len, const sockaddr_storage& from, uint64_t arrival_ns);

  /// Hands `slot`'s packets, oldest first, to `deliver(buf, len, from, arrival_ns)` (buf is
  /// writable: SRTP decrypts in place), then forgets them.
  template <class Deliver>
  void replay(uint32_t slot, Deliver&& deliver) {
    if (slot >= head_.size()) return;
    for (uint32_t i = head_[slot]; i != kNone;) {
      Entry& e = entries_[i];
      deliver(e.data, size_t(e.len), e.from, e.arrival_ns);
      i = e.next;
    }
    drop(slot);
  }

  /// Forgets `slot`'s packets (the stream closed, or its peer is known).
  void drop(uint32_t slot);

  /// Packets held now, by every slot.
  size_t held() const { return held_; }
  /// Packets not kept since the start (pool or share full, or too large).
  uint64_t refused() const { return refused_; }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Entry {
    uint32_t next = kNone;
    uint16_t len = 0;
    uint64_t arrival_ns = 0;
    sockaddr_storage from{};
    uint8_t data[kMaxPayload];
  };
  std::vector<Entry> entries_;
  std::vector<uint32_t> free_;                // indices of unused entries
  std::vector<uint32_t> head_, tail_, count_;  // per slot
  size_t per_stream_;
  size_t held_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace hark::media
