// One cell of a CSV export (RFC 4180 quoting), safe to open in a spreadsheet.
#pragma once

#include <string>
#include <string_view>

namespace hark::control {

/// `s` as a CSV cell: quoted when it holds a comma, quote or line break; and when it starts
/// like a spreadsheet formula (= + - @, tab or CR) and is not a plain number, prefixed with an
/// apostrophe, so a carrier's reason phrase such as `=HYPERLINK(...)` is shown, never run.
std::string csv_cell(std::string_view s);

}  // namespace hark::control
