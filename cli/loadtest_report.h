// What `hark loadtest` reports: call counts, answer-seizure ratio, post-dial delay, verdict
// latency, SIP final codes, RTP loss and jitter, an R-factor/MOS estimate, one-way audio, and
// the load tester's own CPU and peak memory.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "signaling/sip_agent.h"

namespace hark::control {

/// ITU-T G.107 E-model, simplified for G.711 (Ie = 0, Bpl = 25.1 for random loss): R from the
/// packet loss (percent) and the one-way delay (ms), which should include the jitter buffer.
double r_factor(double loss_pct, double delay_ms);
/// MOS-CQE from R (G.107 annex B).
double mos_from_r(double r);

class LoadtestReport {
 public:
  /// Adds a call that ended.
  void add(const signaling::CallEvent& ended);

  uint64_t calls() const { return calls_; }
  uint64_t answered() const { return answered_; }
  /// Calls that got no 2xx: busy, rejected, unavailable, not found, no answer, errors.
  uint64_t failed() const { return calls_ - answered_; }
  uint64_t one_way_audio() const { return one_way_; }
  double asr() const { return calls_ ? double(answered_) / double(calls_) : 0; }
  double failure_rate() const { return calls_ ? double(failed()) / double(calls_) : 0; }
  const std::map<std::string, uint64_t>& verdicts() const { return verdicts_; }
  const std::map<int, uint64_t>& final_codes() const { return codes_; }

  /// The load tester's own CPU time (user + system, seconds) and peak resident memory (MiB),
  /// reported with the calls; unknown (not reported) until set.
  void set_process_usage(double cpu_s, double peak_rss_mib) {
    cpu_s_ = cpu_s;
    peak_rss_mib_ = peak_rss_mib;
  }

  /// The report as a table for people.
  std::string table(double wall_s, double cps) const;
  /// The same as JSON.
  std::string json(double wall_s, double cps) const;

 private:
  uint64_t calls_ = 0, answered_ = 0, one_way_ = 0;
  std::map<int, uint64_t> codes_;
  std::map<std::string, uint64_t> verdicts_;
  double cpu_s_ = -1, peak_rss_mib_ = -1;
  std::vector<double> pdd_ms_, verdict_ms_, loss_pct_, jitter_ms_, mos_;
};

/// The p-th percentile (0-100) of `v` (nearest rank); 0 for none.
double percentile(std::vector<double> v, double p);

}  // namespace hark::control
