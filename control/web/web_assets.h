// The dashboard's files (control/web/assets), compiled into hark by embed_assets.cmake.
#pragma once

#include <span>
#include <string_view>

namespace hark::web {

/// One file of the page: its name under /ui/, its Content-Type and its bytes.
struct Asset {
  std::string_view name;
  std::string_view content_type;
  std::string_view body;
};

/// Every file of the dashboard, sorted by name.
std::span<const Asset> assets();

/// The file called `name`, or nullptr.
const Asset* find_asset(std::string_view name);

}  // namespace hark::web
