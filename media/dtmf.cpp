#include "media/dtmf.h"

namespace hark::media {

char TelephoneEvent::digit() const {
  if (event <= 9) return char('0' + event);
  if (event == 10) return '*';
  if (event == 11) return '#';
  if (event >= 12 && event <= 15) return char('A' + event - 12);
  if (event == 16) return '!';
  return '?';
}

std::optional<TelephoneEvent> parse_telephone_event(std::span<const uint8_t> p) {
  if (p.size() < 4) return std::nullopt;
  TelephoneEvent e;
  e.event = p[0];
  e.end = p[1] & 0x80;
  e.volume = p[1] & 0x3f;
  e.duration = uint16_t(p[2] << 8 | p[3]);
  return e;
}

std::optional<char> DtmfReceiver::rx(uint32_t rtp_ts, std::span<const uint8_t> payload) {
  const auto e = parse_telephone_event(payload);
  if (!e || !e->end) return std::nullopt;
  // All packets of one event share its RTP timestamp: report the first end packet only.
  if (have_last_ && last_end_ts_ == rtp_ts) return std::nullopt;
  have_last_ = true;
  last_end_ts_ = rtp_ts;
  return e->digit();
}

}  // namespace hark::media
