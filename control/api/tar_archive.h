// A POSIX ustar archive built in memory: what the QA export downloads (the labelled
// recordings and their manifest), readable by tar, python's tarfile and anything else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hark::control {

class TarArchive {
 public:
  /// Appends a regular file (mode 0644). `name` is a relative path of at most 100 bytes.
  void add(std::string_view name, std::string_view data, int64_t mtime = 0);
  /// The archive with its two closing zero blocks; the object is spent after it.
  std::string finish();

 private:
  std::string out_;
};

}  // namespace hark::control
