// Prometheus text exposition: counters, gauges and histograms keyed by name and labels.
// A mutex guards the maps: it is touched per HTTP request and per call, never per packet.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace hark::control {

class Metrics {
 public:
  /// `series` is the name with its labels, e.g. hark_calls_total{campaign="3",result="BUSY"}.
  void inc(const std::string& series, double by = 1);
  void set(const std::string& series, double value);
  /// Observes `value` into histogram `name` (buckets fixed at first use) with `labels`
  /// ("" or `campaign="3"`).
  void observe(const std::string& name, const std::string& labels, double value, const std::vector<double>& buckets);
  /// HELP lines for families; optional.
  void describe(const std::string& name, const std::string& type, const std::string& help);
  std::string render() const;

 private:
  struct Histogram {
    std::vector<double> bounds;
    std::vector<unsigned long long> counts;  ///< per bound, cumulative at render
    unsigned long long count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, double> counters_, gauges_;
  std::map<std::string, std::map<std::string, Histogram>> histograms_;
  std::map<std::string, std::pair<std::string, std::string>> help_;
};

}  // namespace hark::control
