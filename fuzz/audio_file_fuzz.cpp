// libFuzzer: the audio readers `hark amd` and prompts use: WAV (PCM, G.711, stereo), raw
// G.711 and pcap/pcapng captures (libpcap, RTP inside). The first byte picks the file name's
// extension; the rest is the file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "media/audio_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* const kExt[] = {".wav", ".ul", ".al", ".pcap", ".pcapng", ".raw"};
  // /dev/shm: tmpfs, so a write and a read per input cost no disk (was /tmp: 1.5 k inputs/s).
  const std::string path = "/dev/shm/hark-fuzz-audio-" + std::to_string(::getpid()) + kExt[data[0] % 6];
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data + 1, 1, size - 1, f);
    std::fclose(f);
  } else {
    return 0;
  }
  std::vector<int16_t> samples;
  (void)hark::media::read_audio(path, samples);
  samples.clear();
  if (data[0] % 6 >= 3) (void)hark::media::read_pcap_rtp(path, samples);
  std::remove(path.c_str());
  return 0;
}
