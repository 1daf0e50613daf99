#include "cli/loadtest_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace hark::control {

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string numf(double v, const char* f = "%.1f") {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

constexpr int kW = 560, kH = 220, kLeft = 50, kBottom = 30, kTop = 24, kRight = 12;

/// The frame of a chart: title, axes, the y scale's top and the x range's labels.
std::string frame(const std::string& title, double ymax, const std::string& x0, const std::string& x1) {
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" + std::to_string(kW) +
                  "\" height=\"" + std::to_string(kH) + "\" viewBox=\"0 0 " + std::to_string(kW) + " " +
                  std::to_string(kH) + "\" role=\"img\" aria-label=\"" + esc(title) + "\">";
  s += "<text x=\"" + std::to_string(kLeft) + "\" y=\"16\" class=\"t\">" + esc(title) + "</text>";
  const int x0p = kLeft, y0p = kH - kBottom, x1p = kW - kRight;
  s += "<line x1=\"" + std::to_string(x0p) + "\" y1=\"" + std::to_string(y0p) + "\" x2=\"" + std::to_string(x1p) +
       "\" y2=\"" + std::to_string(y0p) + "\" class=\"ax\"/>";
  s += "<line x1=\"" + std::to_string(x0p) + "\" y1=\"" + std::to_string(kTop) + "\" x2=\"" + std::to_string(x0p) +
       "\" y2=\"" + std::to_string(y0p) + "\" class=\"ax\"/>";
  s += "<text x=\"" + std::to_string(x0p - 4) + "\" y=\"" + std::to_string(kTop + 4) + "\" class=\"l\" text-anchor=\"end\">" +
       numf(ymax, ymax >= 10 ? "%.0f" : "%.2g") + "</text>";
  s += "<text x=\"" + std::to_string(x0p - 4) + "\" y=\"" + std::to_string(y0p) + "\" class=\"l\" text-anchor=\"end\">0</text>";
  s += "<text x=\"" + std::to_string(x0p) + "\" y=\"" + std::to_string(kH - 10) + "\" class=\"l\">" + esc(x0) + "</text>";
  s += "<text x=\"" + std::to_string(x1p) + "\" y=\"" + std::to_string(kH - 10) + "\" class=\"l\" text-anchor=\"end\">" +
       esc(x1) + "</text>";
  return s;
}

/// A line chart of `ys`, one point per bucket of `bucket_s` seconds.
std::string line_chart(const std::string& title, const std::vector<double>& ys, double bucket_s, const char* cls) {
  double ymax = 1;
  for (double y : ys) ymax = std::max(ymax, y);
  ymax = std::ceil(ymax);
  std::string s = frame(title, ymax, "0 s", numf(double(ys.size()) * bucket_s, "%.0f s"));
  const double plot_w = kW - kLeft - kRight, plot_h = kH - kBottom - kTop;
  std::string pts;
  for (size_t i = 0; i < ys.size(); ++i) {
    const double x = kLeft + (ys.size() > 1 ? plot_w * double(i) / double(ys.size() - 1) : 0);
    const double y = kH - kBottom - plot_h * ys[i] / ymax;
    pts += numf(x) + "," + numf(y) + " ";
  }
  s += "<polyline class=\"" + std::string(cls) + "\" fill=\"none\" points=\"" + pts + "\"/></svg>";
  return s;
}

/// A histogram of `v` in `bins` equal bins from 0 (or the smallest value) to the largest.
std::string histogram(const std::string& title, const std::vector<double>& v, int bins, const std::string& unit) {
  if (v.empty())  // the chart still stands, so the page always has the same charts
    return frame(title, 0, "", "") + "<text x=\"" + std::to_string(kW / 2) + "\" y=\"" + std::to_string(kH / 2) +
           "\" class=\"l\" text-anchor=\"middle\">no data</text></svg>";
  double lo = *std::min_element(v.begin(), v.end()), hi = *std::max_element(v.begin(), v.end());
  lo = std::min(lo, 0.0);
  if (hi <= lo) hi = lo + 1;
  std::vector<double> n(size_t(bins), 0);
  for (double x : v) n[std::min(size_t(bins - 1), size_t((x - lo) / (hi - lo) * bins))] += 1;
  double ymax = *std::max_element(n.begin(), n.end());
  std::string s = frame(title, ymax, numf(lo, "%.3g") + " " + unit, numf(hi, "%.3g") + " " + unit);
  const double plot_w = kW - kLeft - kRight, plot_h = kH - kBottom - kTop, bw = plot_w / bins;
  for (int i = 0; i < bins; ++i) {
    const double h = plot_h * n[size_t(i)] / ymax;
    s += "<rect class=\"bar\" x=\"" + numf(kLeft + bw * i + 1) + "\" y=\"" + numf(kH - kBottom - h) + "\" width=\"" +
         numf(std::max(1.0, bw - 2)) + "\" height=\"" + numf(h) + "\"><title>" + numf(n[size_t(i)], "%.0f") + " calls, " +
         numf(lo + (hi - lo) * i / bins, "%.3g") + "-" + numf(lo + (hi - lo) * (i + 1) / bins, "%.3g") + " " + esc(unit) +
         "</title></rect>";
  }
  return s + "</svg>";
}

}  // namespace

std::string loadtest_html(const std::vector<CallRow>& rows, double wall_s, const std::string& title) {
  // Time buckets: 1 s, or wider so a long test keeps to ~300 points.
  const double span = std::max(wall_s, 1.0);
  const double bucket = std::max(1.0, std::ceil(span / 300.0));
  const size_t nb = size_t(std::ceil(span / bucket)) + 1;
  std::vector<double> up(nb, 0), placed(nb, 0), answers(nb, 0), failures(nb, 0);
  std::vector<double> pdd, verdict, mos;
  std::map<int, uint64_t> codes;
  uint64_t answered = 0, failed = 0, beeps = 0, one_way = 0;
  for (const auto& r : rows) {
    const size_t b0 = std::min(nb - 1, size_t(std::max(0.0, r.start_s) / bucket));
    placed[b0] += 1.0 / bucket;
    const double answer_s = r.start_s + std::max(0.0, r.answer_ms) / 1000;
    if (r.answered) answers[std::min(nb - 1, size_t(answer_s / bucket))] += 1;
    if (call_failed(r)) failures[std::min(nb - 1, size_t(std::max(0.0, r.end_s) / bucket))] += 1;
    for (size_t b = b0; b < nb && double(b) * bucket <= r.end_s; ++b) up[b] += 1;  // up at some time in the bucket
    if (r.pdd_ms >= 0) pdd.push_back(r.pdd_ms);
    if (r.verdict_ms >= 0) verdict.push_back(r.verdict_ms);
    if (r.mos >= 0) mos.push_back(r.mos);
    ++codes[r.sip_code];
    answered += r.answered;
    failed += call_failed(r);
    beeps += r.beep_ms >= 0;
    one_way += r.one_way;
  }
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) +
      "</title>\n<style>body{font:14px/1.4 sans-serif;margin:24px;color:#222;max-width:1200px}"
      "h1{font-size:20px}h2{font-size:16px;margin-top:28px}.grid{display:flex;flex-wrap:wrap;gap:16px}"
      "svg.chart{background:#fafafa;border:1px solid #ddd}.t{font-size:13px;font-weight:bold}.l{font-size:11px;fill:#555}"
      ".ax{stroke:#888;stroke-width:1}.up{stroke:#1f77b4;stroke-width:2}.cps{stroke:#2ca02c;stroke-width:2}"
      ".ans{stroke:#9467bd;stroke-width:2}.fail{stroke:#d62728;stroke-width:2}.bar{fill:#1f77b4}"
      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 10px;text-align:right}"
      ".figs td:first-child{text-align:left}</style></head><body>\n";
  h += "<h1>" + esc(title) + "</h1>\n<table class=\"figs\">";
  auto row = [&](const std::string& k, const std::string& v) { h += "<tr><td>" + esc(k) + "</td><td>" + esc(v) + "</td></tr>"; };
  row("calls", std::to_string(rows.size()));
  row("duration", numf(wall_s, "%.1f s"));
  row("answered (ASR)", std::to_string(answered) + " (" + numf(rows.empty() ? 0 : 100.0 * double(answered) / double(rows.size())) + " %)");
  row("failed (no answer, one-way or MOS < " + numf(kLowMos) + ")", std::to_string(failed));
  row("one-way audio", std::to_string(one_way));
  row("beeps detected", std::to_string(beeps));
  h += "</table>\n<h2>Over time (buckets of " + numf(bucket, "%.0f") + " s)</h2><div class=\"grid\">";
  h += line_chart("calls up", up, bucket, "up");
  h += line_chart("calls placed per second", placed, bucket, "cps");
  h += line_chart("answers", answers, bucket, "ans");
  h += line_chart("failures", failures, bucket, "fail");
  h += "</div>\n<h2>Distributions</h2><div class=\"grid\">";
  h += histogram("post-dial delay", pdd, 20, "ms");
  h += histogram("verdict latency (answer to verdict)", verdict, 20, "ms");
  h += histogram("MOS (G.107 estimate)", mos, 20, "");
  h += "</div>\n<h2>SIP final codes</h2><table><tr><th>code</th><th>calls</th><th>share</th></tr>";
  for (const auto& [code, n] : codes)
    h += "<tr><td>" + (code ? std::to_string(code) : std::string("none")) + "</td><td>" + std::to_string(n) + "</td><td>" +
         numf(100.0 * double(n) / double(rows.size()), "%.1f %%") + "</td></tr>";
  h += "</table>\n</body></html>\n";
  return h;
}

}  // namespace hark::control
