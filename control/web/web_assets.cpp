// Lookup in the embedded table (a handful of files: a linear scan is enough).
#include "control/web/web_assets.h"

namespace hark::web {

const Asset* find_asset(std::string_view name) {
  for (const auto& a : assets())
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace hark::web
