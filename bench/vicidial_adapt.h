// A reference re-implementation of VICIdial's adaptive dial level (AST_VDadapt.pl, dial method
// ADAPT_AVERAGE, intensity 0, no differential target), for bench/pacing_sim only.
//
// Every 15 s it samples ready agents minus calls waiting for an agent; once a minute's samples
// are in, the dial level becomes level × (1 + average difference / average agents), bounded
// 1.0–3.0, then halved when today's drops exceed the limit (over 50 calls today) or when over
// half of the last minute's answered calls dropped, never below 1.0. The dialer
// (AST_VDauto_dial) then keeps level × (ready + in-call agents) calls up, connected ones included.
// Written from the published behaviour; no VICIdial code is copied.
#pragma once

#include <algorithm>
#include <cmath>
#include <deque>

namespace hark::bench {

class VicidialAdapt {
 public:
  explicit VicidialAdapt(double drop_limit = 0.03, double max_level = 3.0) : limit_(drop_limit), max_(max_level) {}

  /// A new day: today's drop counts start again (VICIdial looks at one day only).
  void new_day() { calls_today_ = answers_today_ = drops_today_ = 0; }
  void on_call() { ++calls_today_; }
  void on_answer(bool dropped, double now_s) {
    ++answers_today_;
    drops_today_ += dropped;
    minute_.push_back({now_s, dropped});
  }

  /// The 15-s sample and, with it, the level's update.
  void sample(double now_s, int ready, int in_call, int waiting) {
    diffs_.push_back(ready - waiting);
    agents_.push_back(ready + in_call);
    if (diffs_.size() > 4) diffs_.pop_front(), agents_.pop_front();
    while (!minute_.empty() && minute_.front().first < now_s - 60) minute_.pop_front();
    double diff = 0, agents = 0;
    for (size_t i = 0; i < diffs_.size(); ++i) diff += diffs_[i], agents += agents_[i];
    diff /= double(diffs_.size()), agents /= double(diffs_.size());
    double next = agents > 0 && diff != 0 ? level_ * (1 + diff / agents) : level_;
    next = std::clamp(next, 1.0, max_);
    int minute_drops = 0;
    for (auto& [t, d] : minute_) minute_drops += d;
    if (minute_.size() > 20 && minute_drops * 2 > int(minute_.size())) next /= 2;
    if (calls_today_ > 50 && answers_today_ > 0 && double(drops_today_) / double(answers_today_) > limit_) next /= 2;
    level_ = std::max(1.0, next);
  }

  /// Calls to place now: the level's goal less the calls up (ringing, screening, waiting, talking).
  int place(int ready, int in_call, int calls_up) const {
    const int goal = int(std::ceil(level_ * (ready + in_call) - 1e-9));
    return std::max(0, goal - calls_up);
  }
  double level() const { return level_; }

 private:
  double limit_, max_;
  double level_ = 1.0;
  long calls_today_ = 0, answers_today_ = 0, drops_today_ = 0;
  std::deque<int> diffs_, agents_;
  std::deque<std::pair<double, bool>> minute_;
};

}  // namespace hark::bench
