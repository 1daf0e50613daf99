// libFuzzer: the JSON request decoders. Any body goes through boost::json; an object is applied
// to a campaign's settings (create and update), as POST/PATCH /campaigns do. A bad value must
// be a ValidationError with a message, nothing else.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "control/campaign/campaign_settings.h"
#include "control/campaign/json_fields.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  boost::system::error_code ec;
  auto v = boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec || !v.is_object()) return 0;
  const auto& o = v.as_object();
  for (bool creating : {true, false}) {
    hark::control::CampaignSettings s;
    try {
      s.apply(o, creating);
      (void)s.to_json();
    } catch (const hark::control::ValidationError& e) {
      // A refusal always says what is wrong (its field may be "": a member named "" is unknown).
      if (std::string_view(e.what()).empty()) __builtin_trap();
    }
  }
  try {
    (void)hark::control::get_string(o, "name", false);
    (void)hark::control::get_int(o, "maxAttempts", false, 1, 100);
    (void)hark::control::get_bool(o, "amdEnabled", false);
  } catch (const hark::control::ValidationError&) {
  }
  return 0;
}
