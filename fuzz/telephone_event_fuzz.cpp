// libFuzzer: RFC 4733 telephone-event payloads through the digit receiver. The input is a
// sequence of records: 4 bytes of RTP timestamp, 1 byte of payload length, the payload.
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/dtmf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hark::media::DtmfReceiver rx;
  size_t i = 0;
  while (i + 5 <= size) {
    const uint32_t ts = uint32_t(data[i]) << 24 | data[i + 1] << 16 | data[i + 2] << 8 | data[i + 3];
    size_t n = data[i + 4] % 16;
    i += 5;
    if (n > size - i) n = size - i;
    const std::span payload(data + i, n);
    (void)hark::media::parse_telephone_event(payload);
    (void)rx.rx(ts, payload);
    i += n;
  }
  return 0;
}
