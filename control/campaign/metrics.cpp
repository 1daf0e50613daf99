#include "control/campaign/metrics.h"

#include <fmt/format.h>

namespace hark::control {

namespace {
std::string family(const std::string& series) { return series.substr(0, series.find('{')); }
}  // namespace

void Metrics::inc(const std::string& series, double by) {
  std::lock_guard lk(mu_);
  counters_[series] += by;
}

void Metrics::set(const std::string& series, double value) {
  std::lock_guard lk(mu_);
  gauges_[series] = value;
}

void Metrics::observe(const std::string& name, const std::string& labels, double value,
                      const std::vector<double>& buckets) {
  std::lock_guard lk(mu_);
  auto& h = histograms_[name][labels];
  if (h.bounds.empty()) h.bounds = buckets, h.counts.assign(buckets.size(), 0);
  for (size_t i = 0; i < h.bounds.size(); ++i)
    if (value <= h.bounds[i]) { ++h.counts[i]; break; }
  ++h.count;
  h.sum += value;
}

void Metrics::describe(const std::string& name, const std::string& type, const std::string& help) {
  std::lock_guard lk(mu_);
  help_[name] = {type, help};
}

std::string Metrics::render() const {
  std::lock_guard lk(mu_);
  std::string out;
  std::string last;
  auto header = [&](const std::string& fam, const char* fallback_type) {
    if (fam == last) return;
    last = fam;
    auto it = help_.find(fam);
    if (it != help_.end()) out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", fam, it->second.second, fam, it->second.first);
    else out += fmt::format("# TYPE {} {}\n", fam, fallback_type);
  };
  for (const auto& [series, v] : counters_) header(family(series), "counter"), out += fmt::format("{} {}\n", series, v);
  for (const auto& [series, v] : gauges_) header(family(series), "gauge"), out += fmt::format("{} {}\n", series, v);
  for (const auto& [name, by_labels] : histograms_) {
    header(name, "histogram");
    for (const auto& [labels, h] : by_labels) {
      const std::string sep = labels.empty() ? "" : ",";
      unsigned long long cum = 0;
      for (size_t i = 0; i < h.bounds.size(); ++i) {
        cum += h.counts[i];
        out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, h.bounds[i], cum);
      }
      out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, h.count);
      const std::string l = labels.empty() ? "" : "{" + labels + "}";
      out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, l, h.sum, name, l, h.count);
    }
  }
  return out;
}

}  // namespace hark::control
