#include "cli/loadtest_calls.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <cstdio>
#include <sstream>

#include "cli/loadtest_report.h"
#include "control/api/csv_cell.h"

namespace hark::control {

CallRow call_row(const signaling::CallEvent& e, uint64_t call_id, double start_s, double start_unix, double end_s) {
  CallRow r;
  r.call_id = call_id;
  r.number = e.number;
  r.start_s = start_s;
  r.start_unix = start_unix;
  r.end_s = end_s;
  r.pdd_ms = e.setup_ms > 0 ? e.setup_ms : -1;
  r.answered = e.answered;
  r.answer_ms = e.answered ? e.answered_ms : -1;
  if (e.answered && e.has_verdict) {
    r.verdict = std::string(amd::to_string(e.verdict));
    r.verdict_ms = e.amd_ms;
  }
  r.beep_ms = e.beep_ms;
  r.sip_code = e.sip_code;
  r.sip_reason = e.sip_reason;
  r.rtp_received = e.rtp_received;
  r.rtp_lost = e.rtp_lost;
  r.jitter_ms = e.jitter_ms;
  // The same rules as the summary (LoadtestReport::add): one-way audio, and MOS from loss and jitter.
  r.one_way = e.answered && e.talk_ms >= 2000 && e.rtp_received == 0;
  const double expected = double(e.rtp_received) + double(e.rtp_lost);
  if (e.answered && expected > 0)
    r.mos = mos_from_r(r_factor(100.0 * double(e.rtp_lost) / expected, 20 + 2 * e.jitter_ms + 10));
  return r;
}

bool call_failed(const CallRow& r) { return !r.answered || r.one_way || (r.mos >= 0 && r.mos < kLowMos); }

std::string calls_csv(const std::vector<CallRow>& rows) {
  std::string s =
      "call_id,number,start_time,pdd_ms,answer_ms,verdict,verdict_latency_ms,beep_onset_ms,sip_code,sip_reason,"
      "rtp_received,rtp_lost,jitter_ms,mos,one_way_audio\r\n";
  auto num = [](double v, const char* fmt = "%.1f") {
    if (v < 0) return std::string();
    char b[32];
    std::snprintf(b, sizeof b, fmt, v);
    return std::string(b);
  };
  for (const auto& r : rows) {
    char start[48];
    const auto secs = time_t(r.start_unix);
    tm utc{};
    gmtime_r(&secs, &utc);
    const int ms = int((r.start_unix - double(secs)) * 1000);
    std::snprintf(start, sizeof start, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, std::clamp(ms, 0, 999));
    s += std::to_string(r.call_id) + "," + csv_cell(r.number) + "," + start + "," + num(r.pdd_ms) + "," +
         num(r.answer_ms) + "," + csv_cell(r.verdict) + "," + num(r.verdict_ms, "%.0f") + "," +
         (r.beep_ms >= 0 ? std::to_string(r.beep_ms) : "") + "," + (r.sip_code ? std::to_string(r.sip_code) : "") +
         "," + csv_cell(r.sip_reason) + "," + std::to_string(r.rtp_received) + "," + std::to_string(r.rtp_lost) + "," +
         num(r.jitter_ms, "%.2f") + "," + num(r.mos, "%.2f") + "," + (r.one_way ? "1" : "0") + "\r\n";
  }
  return s;
}

std::string parse_ramp(const std::string& text, std::vector<RampStep>& out) {
  out.clear();
  std::stringstream ss(text);
  for (std::string step; std::getline(ss, step, ',');) {
    const auto colon = step.find(':');
    RampStep r;
    char* end = nullptr;
    if (colon == std::string::npos) return "a ramp step looks like SECONDS:CALLS_PER_SECOND, got '" + step + "'";
    const std::string a = step.substr(0, colon), b = step.substr(colon + 1);
    r.at_s = std::strtod(a.c_str(), &end);
    if (a.empty() || *end) return "not a number of seconds: '" + a + "'";
    r.cps = std::strtod(b.c_str(), &end);
    if (b.empty() || *end) return "not a rate: '" + b + "'";
    if (r.cps <= 0 || r.cps > 5000) return "a ramp rate is in (0, 5000] calls/s, got '" + b + "'";
    if (out.empty() ? r.at_s != 0 : r.at_s <= out.back().at_s)
      return "ramp steps start at 0 s and rise in time ('" + step + "')";
    out.push_back(r);
  }
  if (out.empty()) return "an empty ramp";
  return {};
}

double ramp_calls_by(const std::vector<RampStep>& ramp, double t) {
  double calls = 0;
  for (size_t i = 0; i < ramp.size() && ramp[i].at_s < t; ++i) {
    const double until = i + 1 < ramp.size() ? std::min(t, ramp[i + 1].at_s) : t;
    calls += (until - ramp[i].at_s) * ramp[i].cps;
  }
  return calls;
}

double ramp_peak(const std::vector<RampStep>& ramp) {
  double m = 0;
  for (const auto& r : ramp) m = std::max(m, r.cps);
  return m;
}

}  // namespace hark::control
