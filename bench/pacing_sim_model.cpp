// The simulation's events: a tick each second while agents are logged in (the pacer decides),
// ring ends (answer, busy, no answer), AMD verdicts, the 2-s deadline of a person waiting for an
// agent, and agents' talk and wrap-up ends. Windows of the abandon rate are kept per minute.
#include "bench/pacing_sim_model.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <queue>
#include <random>
#include <vector>

#include "bench/vicidial_adapt.h"
#include "control/campaign/dial_pacer.h"
#include "control/campaign/pacing_estimate.h"

namespace hark::bench {

const char* to_string(Algorithm a) {
  switch (a) {
    case Algorithm::progressive: return "progressive";
    case Algorithm::power: return "power";
    case Algorithm::vicidial: return "VICIdial adapt";
    case Algorithm::predictive: return "hark predictive";
  }
  return "?";
}

namespace {

constexpr double kDay = 86400;
constexpr double kGrace = 2.0;        // TSR: an agent within 2 s of the greeting's end
constexpr double kHumanAsMachine = 0.02;  // AMD's measured errors
constexpr double kMachineAsHuman = 0.20;

enum class Fate { person, machine, busy, no_answer };
enum class Ev { tick, ring_end, verdict, deadline, talk_end, wrap_end, sample };
enum class Phase { ringing, screening, waiting, connected, done };

struct Event {
  double t;
  uint64_t seq;
  Ev ev;
  int id;
  uint32_t gen;  ///< a call event for an earlier use of the slot is stale
  bool operator>(const Event& o) const { return t != o.t ? t > o.t : seq > o.seq; }
};

struct Call {
  uint32_t gen = 0;
  Fate fate{};
  bool routed = false;  ///< AMD said person: meant for an agent
  Phase phase = Phase::done;
  double placed = 0, answered = 0, greeting_end = 0;
};

struct Agent {
  double ready_since = 0;
  double talk = 0, wrap = 0;
  bool person = false;
  bool logged_in = false;
};

/// Per-minute counts of people answered and abandoned, with the rolling sums the pacer reads.
struct Windows {
  std::vector<int> people, abandoned, fp;
  long long total_people = 0, total_abandoned = 0;
  long long day_people = 0, day_abandoned = 0;  // trailing 24 h
  size_t day_start = 0;
  explicit Windows(size_t minutes) : people(minutes + 1), abandoned(minutes + 1), fp(minutes + 1) {}
  void advance(size_t minute) {
    while (minute >= 1440 && day_start + 1440 <= minute) {
      day_people -= people[day_start];
      day_abandoned -= abandoned[day_start];
      ++day_start;
    }
  }
  void person(size_t m) { ++people[m], ++total_people, ++day_people; }
  void abandon(size_t m) { ++abandoned[m], ++total_abandoned, ++day_abandoned; }
  double rate_now() const {
    const double r30 = total_people ? double(total_abandoned) / double(total_people) : 0;
    const double r24 = day_people ? double(day_abandoned) / double(day_people) : 0;
    return std::max(r30, r24);
  }
  /// The rate over the last 15 minutes up to `m`, or the last 100 people when those hold fewer.
  double recent(size_t m) const {
    long long p = 0, a = 0;
    for (size_t k = m + 1; k-- > 0;) {
      p += people[k], a += abandoned[k];
      if (m - k + 1 >= 15 && p >= 100) break;
      if (m - k > 24 * 60) break;  // a quiet campaign: a day back is enough
    }
    return p ? double(a) / double(p) : 0;
  }
  /// The worst rate over windows of `width` minutes holding at least `min_people` people.
  double worst(size_t width, long long min_people) const {
    long long p = 0, a = 0;
    double w = 0;
    for (size_t m = 0; m < people.size(); ++m) {
      p += people[m], a += abandoned[m];
      if (m >= width) p -= people[m - width], a -= abandoned[m - width];
      // Whole windows only (or the whole run when shorter).
      if ((m + 1 >= width || m + 1 == people.size()) && p >= min_people) w = std::max(w, double(a) / double(p));
    }
    return w;
  }
};

class Sim {
 public:
  Sim(const Scenario& s, Algorithm a)
      : s_(s), a_(a), leads_(s.seed * 7919 + 1), staff_(s.seed * 7919 + 2), win_(size_t(s.days) * 1440),
        est_(180), vici_(s.cap) {
    std::mt19937_64 rates(s.seed * 7919 + 3);
    std::uniform_real_distribution<double> low(0.10, 0.20), high(0.25, 0.35);
    for (int d = 0; d < s.days; ++d) {
      // Even days the answer rate jumps up at mid-shift (the dangerous way), odd days it falls.
      if (d % 2 == 0) rate_.push_back({low(rates), high(rates)});
      else rate_.push_back({high(rates), low(rates)});
    }
    agents_.resize(size_t(s.agents));
    pacing_.abandon_cap = s.cap;
    pacing_.power_lines = s.power_lines;
    pacing_.max_lines = 10 * s.agents + 10;
    pacing_.mode = a == Algorithm::power ? control::DialMode::power
                   : a == Algorithm::predictive ? control::DialMode::predictive
                                                : control::DialMode::progressive;
  }

  Result run() {
    for (int d = 0; d < s_.days; ++d) {
      const double start = d * kDay;
      ready_.clear();  // all logged off overnight; every call of yesterday is over
      for (int i = 0; i < s_.agents; ++i) {
        agents_[size_t(i)].logged_in = true;
        agents_[size_t(i)].ready_since = start;
        ready_.push_back(i);
      }
      vici_.new_day();
      push(start, Ev::tick, 0);
      if (a_ == Algorithm::vicidial) push(start, Ev::sample, 0);
      run_until((d + 1) * kDay - 1);
    }
    return result();
  }

 private:
  void push(double t, Ev ev, int id, uint32_t gen = 0) { q_.push({t, seq_++, ev, id, gen}); }
  void push_call(double t, Ev ev, int id) { push(t, ev, id, calls_[size_t(id)].gen); }
  double shift_end(double t) const { return std::floor(t / kDay) * kDay + s_.shift_h * 3600; }
  size_t minute(double t) const { return std::min(win_.people.size() - 1, size_t(t / 60)); }

  void run_until(double until) {
    while (!q_.empty() && q_.top().t <= until) {
      const Event e = q_.top();
      q_.pop();
      now_ = e.t;
      const bool call_event = e.ev == Ev::ring_end || e.ev == Ev::verdict || e.ev == Ev::deadline;
      if (call_event && calls_[size_t(e.id)].gen != e.gen) continue;
      win_.advance(minute(now_));
      switch (e.ev) {
        case Ev::tick: tick(); break;
        case Ev::sample: sample(); break;
        case Ev::ring_end: ring_end(e.id); break;
        case Ev::verdict: verdict(e.id); break;
        case Ev::deadline: deadline(e.id); break;
        case Ev::talk_end: talk_end(e.id); break;
        case Ev::wrap_end: wrap_end(e.id); break;
      }
    }
  }

  double person_rate_at(double t) const {
    const int d = int(t / kDay);
    const bool late = t - d * kDay >= s_.shift_h * 1800;
    return late ? rate_[size_t(d)].second : rate_[size_t(d)].first;
  }

  void tick() {
    if (now_ >= shift_end(now_)) return;  // no new calls; agents stay until the last ones are over
    int place = 0;
    if (a_ == Algorithm::vicidial) {
      place = vici_.place(int(ready_.size()), talking_, ringing_ + screening_ + waiting_ + talking_);
    } else {
      control::PacingFigures f;
      f.ready = int(ready_.size());
      f.busy = talking_ + wrapping_;
      f.ringing = ringing_, f.screening = screening_, f.waiting = waiting_;
      for (const auto& [since, n] : ringing_since_) {
        const int k = std::clamp(int((now_ - double(since)) / control::kRingAgeBucketS), 0, control::kRingAgeBuckets - 1);
        f.ringing_by_age[size_t(k)] += n;
      }
      est_.advance(now_);
      est_.fill(f);
      f.abandon_rate = win_.rate_now();
      f.recent_abandon_rate = win_.recent(minute(now_));
      place = control::pace(pacing_, f).place;
    }
    for (int i = 0; i < place; ++i) dial();
    push(now_ + 1, Ev::tick, 0);
  }

  void sample() {
    if (now_ >= shift_end(now_)) return;
    vici_.sample(now_, int(ready_.size()), talking_, waiting_);
    push(now_ + 15, Ev::sample, 0);
  }

  int new_call() {
    if (!free_calls_.empty()) {
      const int id = free_calls_.back();
      free_calls_.pop_back();
      ++calls_[size_t(id)].gen;
      return id;
    }
    calls_.emplace_back();
    return int(calls_.size() - 1);
  }

  void dial() {
    // Every draw about the lead comes from the lead stream, in dialing order: every algorithm
    // dials the same list of people, machines and empty lines.
    const double u = uni_(leads_), u2 = uni_(leads_), ring = 5 + 20 * uni_(leads_), greeting = 1 + 1.5 * uni_(leads_);
    const double amd = uni_(leads_);
    const int id = new_call();
    Call& c = calls_[size_t(id)];
    const double r = person_rate_at(now_);
    if (u < r) c.fate = Fate::person;
    else if (u2 < 0.35) c.fate = Fate::machine;
    else if (u2 < 0.5) c.fate = Fate::busy;
    else c.fate = Fate::no_answer;
    c.routed = c.fate == Fate::person ? amd >= kHumanAsMachine : c.fate == Fate::machine && amd < kMachineAsHuman;
    c.phase = Phase::ringing;
    c.placed = now_;
    c.greeting_end = greeting;  // kept relative until the answer
    ++ringing_, ++calls_placed_;
    ++ringing_since_[long(now_)];
    vici_.on_call();
    est_.on_placed(now_);
    const double hold = c.fate == Fate::busy ? 3 : c.fate == Fate::no_answer ? 30 : ring;
    push_call(now_ + hold, Ev::ring_end, id);
  }

  void ring_end(int id) {
    Call& c = calls_[size_t(id)];
    --ringing_;
    if (auto it = ringing_since_.find(long(c.placed)); it != ringing_since_.end() && --it->second == 0) ringing_since_.erase(it);
    if (c.fate == Fate::busy || c.fate == Fate::no_answer) {
      est_.on_call_outcome(now_, c.placed, now_ - c.placed, false, false);
      finish(id);
      return;
    }
    ++screening_;
    c.phase = Phase::screening;
    c.answered = now_;
    if (c.fate == Fate::person) {
      win_.person(minute(now_));
      c.greeting_end = now_ + c.greeting_end;
      push_call(c.greeting_end + 0.8, Ev::verdict, id);  // the verdict ≈ 0.8 s after the greeting
    } else {
      c.greeting_end = now_ + 3;
      push_call(now_ + 3.5, Ev::verdict, id);
    }
  }

  void verdict(int id) {
    Call& c = calls_[size_t(id)];
    --screening_;
    est_.on_call_outcome(now_, c.placed, c.answered - c.placed, true, c.routed);
    if (!c.routed) {
      if (c.fate == Fate::person) ++win_.fp[minute(now_)], ++fp_;  // a person hung up on
      finish(id);
      return;
    }
    est_.on_connect_time(now_, now_ - c.placed);
    if (!ready_.empty()) {
      const int agent = ready_.back();
      ready_.pop_back();
      connect(id, agent);
      return;
    }
    c.phase = Phase::waiting;
    ++waiting_;
    queue_.push_back({id, c.gen});
    push_call(std::max(now_, c.greeting_end + kGrace), Ev::deadline, id);
  }

  void deadline(int id) {
    Call& c = calls_[size_t(id)];
    if (c.phase != Phase::waiting) return;
    --waiting_;
    if (c.fate == Fate::person) {
      win_.abandon(minute(now_));  // hears the identification message, then is hung up
      vici_.on_answer(true, now_);
    }
    finish(id);
  }

  void connect(int id, int agent) {
    Call& c = calls_[size_t(id)];
    Agent& a = agents_[size_t(agent)];
    agent_wait_ += now_ - a.ready_since;
    ++connects_;
    c.phase = Phase::connected;
    a.person = c.fate == Fate::person;
    if (a.person) {
      vici_.on_answer(false, now_);
      const double mu = std::log(s_.talk_mean_s) - s_.talk_sigma * s_.talk_sigma / 2;
      a.talk = std::exp(mu + s_.talk_sigma * norm_(staff_));
      a.wrap = 30 * uni_(staff_);
      talk_s_ += a.talk;
    } else {
      a.talk = 5, a.wrap = 0;  // the agent hears a machine and hangs up
    }
    busy_s_ += a.talk + a.wrap;
    ++talking_;
    finish(id);  // the call now lives with the agent
    push(now_ + a.talk, Ev::talk_end, agent);
  }

  void talk_end(int agent) {
    --talking_, ++wrapping_;
    push(now_ + agents_[size_t(agent)].wrap, Ev::wrap_end, agent);
  }

  void wrap_end(int agent) {
    --wrapping_;
    Agent& a = agents_[size_t(agent)];
    est_.on_handled(now_, a.talk + a.wrap);
    a.ready_since = now_;
    while (!queue_.empty()) {
      const auto [id, gen] = queue_.front();
      queue_.pop_front();
      if (calls_[size_t(id)].gen == gen && calls_[size_t(id)].phase == Phase::waiting) {
        --waiting_;
        connect(id, agent);
        return;
      }
    }
    ready_.push_back(agent);
  }

  void finish(int id) {
    calls_[size_t(id)].phase = Phase::done;
    free_calls_.push_back(id);
  }

  Result result() {
    Result r;
    const double staffed = s_.agents * s_.days * s_.shift_h * 3600;
    r.talk_min_per_agent_h = talk_s_ / 60 / (staffed / 3600);
    r.occupancy = busy_s_ / staffed;
    r.agent_wait_s = connects_ ? agent_wait_ / double(connects_) : 0;
    r.people = win_.total_people;
    r.abandoned = win_.total_abandoned;
    r.calls = calls_placed_;
    r.abandon_30d = r.people ? double(r.abandoned) / double(r.people) : 0;
    r.abandon_30d_fp = r.people ? double(r.abandoned + fp_) / double(r.people) : 0;
    r.worst_24h = win_.worst(1440, 1);
    r.worst_hour = win_.worst(60, 30);
    // After each mid-shift change: minutes until the recent rate (Windows::recent: the last 15
    // minutes, or the last 100 people when 15 minutes hold fewer; a few agents answer a dozen
    // people in 15 minutes, where one abandon would be 8 %) is back under the cap.
    for (int d = 0; d < s_.days; ++d) {
      const size_t change = size_t((d * kDay + s_.shift_h * 1800) / 60);
      size_t last_bad = 0;
      bool bad = false;
      // An excursion over the cap that starts within 15 minutes of the change: how long after
      // the change until the recent rate is back under (a burst stays 15 minutes in the window).
      for (size_t m = change; m < change + 120 && m < win_.people.size(); ++m) {
        if (win_.recent(m) > s_.cap) {
          if (!bad && m >= change + 15) break;
          bad = true, last_bad = m;
        } else if (bad) {
          break;
        }
      }
      if (bad) r.recovery_min = std::max(r.recovery_min, double(last_bad + 1 - change));
    }
    return r;
  }

  Scenario s_;
  Algorithm a_;
  std::mt19937_64 leads_, staff_;
  std::uniform_real_distribution<double> uni_{0.0, 1.0};
  std::normal_distribution<double> norm_{0.0, 1.0};
  std::vector<std::pair<double, double>> rate_;  ///< per day: the share of people before and after the change
  Windows win_;
  control::PacingEstimate est_;
  control::PacingConfig pacing_;
  VicidialAdapt vici_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> q_;
  uint64_t seq_ = 0;
  double now_ = 0;
  std::vector<Call> calls_;
  std::vector<int> free_calls_;
  std::vector<Agent> agents_;
  std::vector<int> ready_;
  std::map<long, int> ringing_since_;  ///< calls ringing, by the second they were placed
  std::deque<std::pair<int, uint32_t>> queue_;  ///< people waiting, oldest first (slot, use)
  int ringing_ = 0, screening_ = 0, waiting_ = 0, talking_ = 0, wrapping_ = 0;
  long long calls_placed_ = 0, connects_ = 0, fp_ = 0;
  double talk_s_ = 0, busy_s_ = 0, agent_wait_ = 0;
};

}  // namespace

Result simulate(const Scenario& s, Algorithm a) { return Sim(s, a).run(); }

}  // namespace hark::bench
