#include "control/campaign/prompt_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <span>

#include "media/audio_file.h"
#include "media/g711.h"

namespace hark::control {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ';') break;
    if (c != ' ' && c != '\t') out += char(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string check_length(const std::vector<int16_t>& pcm) {
  if (pcm.size() < 8000 / 10) return "the audio is shorter than 100 ms";
  if (pcm.size() > size_t(8000) * kMaxPromptSeconds)
    return "the audio lasts " + std::to_string(pcm.size() / 8000) + " s; a prompt lasts at most " +
           std::to_string(kMaxPromptSeconds) + " s";
  return {};
}

}  // namespace

std::optional<PromptEncoding> prompt_encoding(std::string_view content_type) {
  const auto t = lower(content_type);
  if (t == "audio/wav" || t == "audio/x-wav" || t == "audio/wave" || t == "audio/vnd.wave") return PromptEncoding::wav;
  if (t == "audio/basic" || t == "audio/pcmu") return PromptEncoding::ulaw;
  if (t == "audio/pcma") return PromptEncoding::alaw;
  return std::nullopt;
}

std::string decode_prompt_upload(std::string_view body, PromptEncoding enc, std::vector<int16_t>& pcm) {
  pcm.clear();
  if (body.size() > kMaxPromptUploadBytes) return "a prompt file holds at most 10 MiB";
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  if (enc == PromptEncoding::wav) {
    if (auto err = media::parse_wav(bytes, pcm, true); !err.empty()) return err;
  } else {
    // Raw G.711 has no header to check: refuse what is plainly another format instead.
    if (body.starts_with("RIFF")) return "this is a WAV file: send it as audio/wav";
    pcm.resize(bytes.size());
    media::g711_decode(enc == PromptEncoding::ulaw ? media::G711Law::ulaw : media::G711Law::alaw, bytes, pcm.data());
  }
  return check_length(pcm);
}

std::string prompt_file_name(long long id) { return "prompt-" + std::to_string(id) + ".wav"; }

std::string store_prompt_file(const std::string& dir, long long id, const std::vector<int16_t>& pcm, long long& size) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create the prompts folder " + dir + ": " + ec.message();
  const auto final_path = fs::path(dir) / prompt_file_name(id);
  // Built piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "." + name + ".tmp".
  std::string tmp_name = prompt_file_name(id);
  tmp_name.insert(0, 1, '.');
  tmp_name.append(".tmp");
  const auto tmp = fs::path(dir) / tmp_name;
  if (auto err = media::write_wav(tmp.string(), pcm); !err.empty()) {
    fs::remove(tmp, ec);
    return err;
  }
  size = static_cast<long long>(fs::file_size(tmp, ec));
  if (!ec) fs::rename(tmp, final_path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return "cannot store the prompt in " + dir + ": " + ec.message();
  }
  return {};
}

void remove_prompt_file(const std::string& dir, long long id) {
  std::error_code ec;
  fs::remove(fs::path(dir) / prompt_file_name(id), ec);
}

std::string load_prompt_file(const std::string& dir, long long id, std::vector<int16_t>& pcm) {
  pcm.clear();
  if (dir.empty()) return "no prompts folder is configured (HARK_PROMPTS_DIR)";
  const auto path = (fs::path(dir) / prompt_file_name(id)).string();
  // O_NOFOLLOW: not through a link; O_NONBLOCK: a pipe put there cannot hang the runner.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  // The messages name the prompt, not the server's folder: they reach clients as lastError.
  if (fd < 0) return "prompt " + std::to_string(id) + ": cannot open its file: " + std::strerror(errno);
  struct stat st {};
  std::string err;
  std::vector<uint8_t> bytes;
  if (::fstat(fd, &st) != 0) {
    err = std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    err = "not a regular file";
  } else if (size_t(st.st_size) > kMaxPromptFileBytes) {
    err = "the file holds " + std::to_string(st.st_size) + " bytes, more than a prompt can (" +
          std::to_string(kMaxPromptFileBytes) + ")";
  } else {
    // Read at most the bound, whatever the file claims or grows to meanwhile.
    bytes.resize(size_t(st.st_size));
    size_t got = 0;
    while (got < bytes.size()) {
      const auto n = ::read(fd, bytes.data() + got, bytes.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += size_t(n);
    }
    bytes.resize(got);
  }
  ::close(fd);
  if (err.empty()) err = media::parse_wav(bytes, pcm, true);
  if (err.empty()) err = check_length(pcm);
  return err.empty() ? err : "prompt " + std::to_string(id) + ": " + err;
}

}  // namespace hark::control
