#include "amd/fax_detector.h"

#include "amd/spandsp_fwd.h"

namespace hark::amd {

FaxDetector::FaxDetector() {
  cng_ = modem_connect_tones_rx_init(nullptr, MODEM_CONNECT_TONES_FAX_CNG, &FaxDetector::on_tone, this);
  ced_ = modem_connect_tones_rx_init(nullptr, MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE,
                                     &FaxDetector::on_tone, this);
}

FaxDetector::~FaxDetector() {
  modem_connect_tones_rx_free(cng_);
  modem_connect_tones_rx_free(ced_);
}

void FaxDetector::on_tone(void* user, int code, int /*level*/, int /*delay*/) {
  auto* self = static_cast<FaxDetector*>(user);
  if (code == MODEM_CONNECT_TONES_NONE || self->detected_ != Tone::none) return;
  self->detected_ = self->reporting_;
}

FaxDetector::Tone FaxDetector::rx(std::span<const int16_t> samples) {
  if (detected_ != Tone::none) return detected_;
  reporting_ = Tone::cng;
  modem_connect_tones_rx(cng_, samples.data(), int(samples.size()));
  reporting_ = Tone::ced;
  modem_connect_tones_rx(ced_, samples.data(), int(samples.size()));
  return detected_;
}

}  // namespace hark::amd
