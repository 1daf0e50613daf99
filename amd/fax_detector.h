// Fax answer detection with spandsp's modem_connect_tones_rx: the calling fax's CNG
// (1100 Hz, 0.5 s on / 3 s off) and the answering fax's CED (2100 Hz) or its V.21 preamble.
#pragma once

#include <cstdint>
#include <span>

struct modem_connect_tones_rx_state_s;

namespace hark::amd {

class FaxDetector {
 public:
  enum class Tone : uint8_t { none, cng, ced };

  FaxDetector();
  ~FaxDetector();
  FaxDetector(const FaxDetector&) = delete;
  FaxDetector& operator=(const FaxDetector&) = delete;

  /// Feeds samples; returns the fax tone once one has been recognised.
  Tone rx(std::span<const int16_t> samples);
  Tone detected() const { return detected_; }
  /// Takes back a tone recognised: it proved none (a CNG "burst" that went on too long). The
  /// detectors go on, and name the next one.
  void forget() { detected_ = Tone::none; }

 private:
  static void on_tone(void* user, int code, int level, int delay);
  modem_connect_tones_rx_state_s* cng_ = nullptr;
  modem_connect_tones_rx_state_s* ced_ = nullptr;
  Tone detected_ = Tone::none;
  Tone reporting_ = Tone::none;  // which detector's callback is running
};

}  // namespace hark::amd
