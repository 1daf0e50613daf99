// RFC 4733 telephone-event payloads (DTMF digits sent as RTP events).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace hark::media {

struct TelephoneEvent {
  uint8_t event = 0;      ///< 0-9, 10 '*', 11 '#', 12-15 A-D, 16 flash
  bool end = false;       ///< the E bit: the last packet(s) of this event
  uint8_t volume = 0;     ///< -dBm0, 0..63
  uint16_t duration = 0;  ///< in timestamp units
  char digit() const;     ///< '0'..'9', '*', '#', 'A'..'D', '!' for flash, '?' otherwise
};

/// Parses the 4-byte event payload; nullopt when it is too short.
std::optional<TelephoneEvent> parse_telephone_event(std::span<const uint8_t> payload);

/// Turns the stream of event packets into digits: each digit is reported once, when its
/// first end packet arrives (senders repeat end packets three times).
class DtmfReceiver {
 public:
  /// Returns the digit when this packet completes one.
  std::optional<char> rx(uint32_t rtp_ts, std::span<const uint8_t> payload);

 private:
  bool have_last_ = false;
  uint32_t last_end_ts_ = 0;
};

}  // namespace hark::media
