#include "amd/replay.h"

#include <algorithm>

#include "amd/classifier.h"

namespace hark::amd {

Outcome ReplayResult::outcome() const {
  Outcome o;
  o.verdict = verdict.verdict;
  o.decided_at_ms = int(verdict.at_ms);
  if (has_beep) o.beep_at_ms = int(beep.beep_onset_ms);
  o.late_machine = has_late_machine;
  return o;
}

ReplayResult replay(std::span<const int16_t> samples, const Params& p) {
  ReplayResult r;
  bool have_verdict = false;
  Classifier c(p);
  Event ev[Classifier::kMaxEvents];
  auto take = [&](int n) {
    for (int i = 0; i < n; ++i) {
      if (ev[i].kind == EventKind::verdict && !have_verdict) {
        r.verdict = ev[i];
        have_verdict = true;
      } else if (ev[i].kind == EventKind::late_machine) {
        r.late_machine = ev[i];
        r.has_late_machine = true;
      } else if (ev[i].kind == EventKind::beep) {
        r.beep = ev[i];
        r.has_beep = true;
      } else if (ev[i].kind == EventKind::ringing) {
        ++r.rings;
        r.answered_ms = ev[i].at_ms;
      }
    }
  };
  for (size_t off = 0; off < samples.size() && !c.done(); off += Classifier::kFrameSamples) {
    const size_t n = std::min<size_t>(Classifier::kFrameSamples, samples.size() - off);
    take(c.rx(samples.subspan(off, n), ev));
  }
  take(c.finish(ev));
  return r;
}

}  // namespace hark::amd
