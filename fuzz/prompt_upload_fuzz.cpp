// libFuzzer: a voicemail prompt upload (POST /api/v1/prompts), as the API decodes it. The first
// byte picks the Content-Type; the rest is the body. An accepted upload has audio, no longer than
// the 300 s cap; a WAV the strict (upload) parse accepts, the lenient one accepts the same.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "control/campaign/prompt_files.h"
#include "media/audio_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* const kTypes[] = {"audio/wav", "audio/x-wav; codecs=1", "audio/basic", "audio/pcma", "text/plain"};
  const auto enc = hark::control::prompt_encoding(kTypes[data[0] % 5]);
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if (enc) {
    std::vector<int16_t> pcm;
    if (hark::control::decode_prompt_upload(body, *enc, pcm).empty() &&
        (pcm.empty() || pcm.size() > size_t(hark::control::kMaxPromptSeconds) * 8000))
      __builtin_trap();
  }
  const std::span<const uint8_t> bytes(data + 1, size - 1);
  std::vector<int16_t> strict, lenient;
  if (hark::media::parse_wav(bytes, strict, true).empty()) {
    if (!hark::media::parse_wav(bytes, lenient, false).empty() || strict != lenient) __builtin_trap();
  }
  return 0;
}
