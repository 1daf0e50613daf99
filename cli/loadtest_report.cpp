#include "cli/loadtest_report.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>

namespace hark::control {

double r_factor(double loss_pct, double delay_ms) {
  // Id: delay impairment (G.107's common approximation); Ie_eff: equipment + loss.
  const double id = delay_ms < 177.3 ? 0.024 * delay_ms : 0.024 * delay_ms + 0.11 * (delay_ms - 177.3);
  const double ie_eff = 0 + (95 - 0) * loss_pct / (loss_pct + 25.1);
  return std::clamp(93.2 - id - ie_eff, 0.0, 100.0);
}

double mos_from_r(double r) {
  if (r <= 0) return 1.0;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t rank = size_t(std::ceil(p / 100.0 * double(v.size())));
  return v[std::min(v.size() - 1, rank > 0 ? rank - 1 : 0)];
}

void LoadtestReport::add(const signaling::CallEvent& e) {
  ++calls_;
  ++codes_[e.sip_code];
  if (e.setup_ms > 0) pdd_ms_.push_back(e.setup_ms);
  if (!e.answered) return;
  ++answered_;
  verdicts_[e.has_verdict ? std::string(amd::to_string(e.verdict)) : "none"]++;
  if (e.has_verdict) verdict_ms_.push_back(e.amd_ms);
  // One-way audio: answered and held at least 2 s, yet no RTP came from the callee.
  if (e.talk_ms >= 2000 && e.rtp_received == 0) ++one_way_;
  const double expected = double(e.rtp_received) + double(e.rtp_lost);
  if (expected > 0) {
    const double loss = 100.0 * double(e.rtp_lost) / expected;
    loss_pct_.push_back(loss);
    jitter_ms_.push_back(e.jitter_ms);
    // Delay: an assumed 20 ms network leg plus a jitter buffer of twice the jitter and 10 ms
    // of packetisation; a load test cannot see the far end's clock.
    mos_.push_back(mos_from_r(r_factor(loss, 20 + 2 * e.jitter_ms + 10)));
  }
}

std::string LoadtestReport::table(double wall_s, double cps) const {
  std::string s;
  char b[256];
  auto line = [&](const char* fmt, auto... a) {
    std::snprintf(b, sizeof b, fmt, a...);
    s += b;
  };
  line("calls                   %llu in %.1f s; placed at %.1f calls/s\n", (unsigned long long)calls_, wall_s, cps);
  line("answered                %llu (ASR %.1f %%)\n", (unsigned long long)answered_, 100 * asr());
  line("failed to set up        %llu (%.1f %%)\n", (unsigned long long)failed(), 100 * failure_rate());
  line("post-dial delay (ms)    p50 %.1f  p95 %.1f  p99 %.1f  (INVITE -> first 18x, %zu calls)\n",
       percentile(pdd_ms_, 50), percentile(pdd_ms_, 95), percentile(pdd_ms_, 99), pdd_ms_.size());
  line("answer -> verdict (ms)  p50 %.0f  p95 %.0f  p99 %.0f\n", percentile(verdict_ms_, 50),
       percentile(verdict_ms_, 95), percentile(verdict_ms_, 99));
  s += "verdicts               ";
  for (auto& [v, n] : verdicts_) line(" %s %llu", v.c_str(), (unsigned long long)n);
  s += "\nSIP final codes        ";
  for (auto& [c, n] : codes_) line(" %d:%llu", c, (unsigned long long)n);
  s += "\n";
  line("RTP loss (%%)            p50 %.2f  p95 %.2f  max %.2f\n", percentile(loss_pct_, 50),
       percentile(loss_pct_, 95), percentile(loss_pct_, 100));
  line("RTP jitter (ms)         p50 %.2f  p95 %.2f  max %.2f\n", percentile(jitter_ms_, 50),
       percentile(jitter_ms_, 95), percentile(jitter_ms_, 100));
  line("MOS estimate (G.107)    p50 %.2f  p5 %.2f\n", percentile(mos_, 50), percentile(mos_, 5));
  line("one-way audio calls     %llu\n", (unsigned long long)one_way_);
  if (cpu_s_ >= 0)
    line("hark's own use          CPU %.1f s (%.0f %% of one core), peak RSS %.1f MiB\n", cpu_s_,
         100 * cpu_s_ / std::max(0.001, wall_s), peak_rss_mib_);
  return s;
}

std::string LoadtestReport::json(double wall_s, double cps) const {
  boost::json::object o;
  o["calls"] = calls_;
  o["answered"] = answered_;
  o["failed"] = failed();
  o["asr"] = asr();
  o["failure_rate"] = failure_rate();
  o["wall_s"] = wall_s;
  o["calls_per_second"] = cps;
  auto pct = [](const std::vector<double>& v) {
    return boost::json::object{{"p50", percentile(v, 50)}, {"p95", percentile(v, 95)}, {"p99", percentile(v, 99)}};
  };
  o["pdd_ms"] = pct(pdd_ms_);
  o["verdict_latency_ms"] = pct(verdict_ms_);
  o["rtp_loss_pct"] = pct(loss_pct_);
  o["rtp_jitter_ms"] = pct(jitter_ms_);
  o["mos"] = boost::json::object{{"p50", percentile(mos_, 50)}, {"p5", percentile(mos_, 5)}};
  o["one_way_audio"] = one_way_;
  if (cpu_s_ >= 0) {
    o["cpu_s"] = cpu_s_;
    o["cpu_pct_of_core"] = 100 * cpu_s_ / std::max(0.001, wall_s);
    o["peak_rss_mib"] = peak_rss_mib_;
  }
  boost::json::object codes, verdicts;
  for (auto& [c, n] : codes_) codes[std::to_string(c)] = n;
  for (auto& [v, n] : verdicts_) verdicts[v] = n;
  o["sip_final_codes"] = codes;
  o["verdicts"] = verdicts;
  return boost::json::serialize(o);
}

}  // namespace hark::control
