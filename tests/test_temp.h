#pragma once
// Temporary files a test program makes once and shares between its tests.

#include <filesystem>
#include <system_error>

namespace hark::test {

/// Removes `path` (a file or a directory tree) when destroyed: a function-local static one
/// removes a test program's shared temporary files at its exit, which were left in /tmp.
struct RemoveAtExit {
  std::filesystem::path path;
  ~RemoveAtExit() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace hark::test
