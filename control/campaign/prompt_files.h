// Voicemail prompts on disk. The prompts folder (HARK_PROMPTS_DIR) holds one file per prompt
// under a name the server chooses from its id (prompt-<id>.wav, 8 kHz 16-bit mono WAV); clients
// never name a server path. Uploads are checked here (WAV or raw G.711 that decodes to 8 kHz
// audio, bounded in bytes and in length), and the runner loads a prompt only through
// load_prompt_file: a regular file of bounded size, read no further than that bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hark::control {

constexpr size_t kMaxPromptUploadBytes = size_t(10) << 20;  ///< 10 MiB
constexpr int kMaxPromptSeconds = 300;                      ///< a voicemail message of 5 minutes at most
/// The stored WAV of the longest prompt, with room for its header: a larger file is not ours.
constexpr size_t kMaxPromptFileBytes = 2 * 8000 * size_t(kMaxPromptSeconds) + 4096;

enum class PromptEncoding { wav, ulaw, alaw };

/// The encoding a Content-Type names: audio/wav (audio/x-wav, audio/wave), audio/basic or
/// audio/pcmu (raw μ-law), audio/pcma (raw A-law); parameters after ';' are ignored.
std::optional<PromptEncoding> prompt_encoding(std::string_view content_type);

/// Decodes an upload to 8 kHz samples and checks it: a whole WAV (8 kHz; 16-bit PCM, μ-law or
/// A-law; not truncated) or raw G.711, with audio, at most kMaxPromptSeconds long. Returns
/// what is wrong, empty when it is fine.
std::string decode_prompt_upload(std::string_view body, PromptEncoding enc, std::vector<int16_t>& pcm);

/// The stored file's name of prompt `id`: prompt-<id>.wav.
std::string prompt_file_name(long long id);

/// Writes prompt `id`'s samples into `dir` (created if missing) as its WAV, through a temporary
/// file renamed into place. Returns what went wrong, empty on success; `size` gets the bytes.
std::string store_prompt_file(const std::string& dir, long long id, const std::vector<int16_t>& pcm, long long& size);

/// Removes prompt `id`'s file (gone already is fine).
void remove_prompt_file(const std::string& dir, long long id);

/// Loads prompt `id` from `dir`: a regular file (not a link, directory, device or pipe) of at
/// most kMaxPromptFileBytes that is a whole 8 kHz WAV with audio. Returns what is wrong, empty
/// on success.
std::string load_prompt_file(const std::string& dir, long long id, std::vector<int16_t>& pcm);

}  // namespace hark::control
