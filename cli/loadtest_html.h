// `hark loadtest --html FILE`: one self-contained HTML page (inline SVG and CSS; no script,
// font, image or link to anything outside it) that opens and renders offline.
#pragma once

#include <string>
#include <vector>

#include "cli/loadtest_calls.h"

namespace hark::control {

/// The report page: headline figures, charts over time (calls up, calls/s, answers, failures),
/// histograms (PDD, verdict latency, MOS), the SIP code table and the beep count.
/// `title` is shown at the top (escaped).
std::string loadtest_html(const std::vector<CallRow>& rows, double wall_s, const std::string& title);

}  // namespace hark::control
