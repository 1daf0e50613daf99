// Audio files for QA replay and prompts: WAV, raw G.711 and pcap/pcapng RTP captures.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hark::media {

/// Reads 8 kHz audio as 16-bit linear samples. Accepts:
///  - WAV: 8 kHz, 16-bit PCM or G.711 (μ-law/A-law); stereo is mixed down to mono;
///  - raw G.711: .ul/.ulaw/.mu/.pcmu (μ-law), .al/.alaw/.pcma (A-law);
///  - pcap/pcapng (by content): the largest G.711 RTP stream, placed by RTP timestamp, lost
///    packets filled with silence.
/// Returns an error message (empty on success) that names what is wrong with the file.
std::string read_audio(const std::string& path, std::vector<int16_t>& out);

/// Writes 16-bit mono PCM WAV. Returns an error message, empty on success.
std::string write_wav(const std::string& path, std::span<const int16_t> samples, int rate = 8000);

/// Extracts the largest G.711 RTP stream from a pcap/pcapng capture (libpcap).
std::string read_pcap_rtp(const std::string& path, std::vector<int16_t>& out);

}  // namespace hark::media
