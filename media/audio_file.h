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

/// Decodes a WAV held in memory, with read_audio's rules (8 kHz; 16-bit PCM, μ-law or A-law;
/// stereo mixed down). `strict` (uploads, stored prompts): a data chunk shorter than its header
/// says is an error, instead of being kept as far as it goes. Returns an error message.
std::string parse_wav(std::span<const uint8_t> bytes, std::vector<int16_t>& out, bool strict = false);

/// Writes 16-bit mono PCM WAV. Returns an error message, empty on success.
std::string write_wav(const std::string& path, std::span<const int16_t> samples, int rate = 8000);

/// Extracts the largest G.711 RTP stream from a pcap/pcapng capture (libpcap).
std::string read_pcap_rtp(const std::string& path, std::vector<int16_t>& out);

}  // namespace hark::media
