#include "control/api/tar_archive.h"

#include <cstring>
#include <stdexcept>

namespace hark::control {

namespace {
constexpr size_t kBlock = 512;

void octal(char* field, size_t width, uint64_t v) {
  // width-1 octal digits, zero-padded, and a NUL, as ustar wants.
  field[width - 1] = '\0';
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = char('0' + (v & 7));
    v >>= 3;
  }
}
}  // namespace

void TarArchive::add(std::string_view name, std::string_view data, int64_t mtime) {
  if (name.empty() || name.size() > 100) throw std::invalid_argument("tar: a name holds 1 to 100 bytes");
  char h[kBlock] = {};
  std::memcpy(h, name.data(), name.size());
  octal(h + 100, 8, 0644);
  octal(h + 108, 8, 0);
  octal(h + 116, 8, 0);
  octal(h + 124, 12, data.size());
  octal(h + 136, 12, uint64_t(mtime < 0 ? 0 : mtime));
  std::memset(h + 148, ' ', 8);  // the checksum counts its own field as spaces
  h[156] = '0';
  std::memcpy(h + 257, "ustar", 6);  // "ustar\0"
  std::memcpy(h + 263, "00", 2);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  octal(h + 148, 7, sum);  // six digits and a NUL, then the space already there
  h[155] = ' ';
  out_.append(h, kBlock);
  out_.append(data);
  out_.append((kBlock - data.size() % kBlock) % kBlock, '\0');
}

std::string TarArchive::finish() {
  out_.append(2 * kBlock, '\0');
  return std::move(out_);
}

}  // namespace hark::control
