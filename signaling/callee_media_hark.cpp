// The callee simulator on hark's own MediaEngine (the simulator's only stack before issue 21),
// and the stack names.
#include <memory>

#include "signaling/callee_media.h"

namespace hark::signaling {

const char* to_string(RtpStack s) { return s == RtpStack::ortp ? "ortp" : "hark"; }

bool parse_rtp_stack(const std::string& s, RtpStack& out) {
  if (s == "ortp") out = RtpStack::ortp;
  else if (s == "hark") out = RtpStack::hark;
  else return false;
  return true;
}

// hark's engine: oRTP did not sustain 3000 concurrent calls on this 2-core machine, its tick
// threads fell seconds behind (README, "The callee simulator on oRTP").
RtpStack default_rtp_stack() { return RtpStack::hark; }

namespace {
class HarkCalleeMedia final : public CalleeMedia {
 public:
  HarkCalleeMedia(media::MediaEngine& e, std::unique_ptr<media::MediaEngine> owned)
      : owned_(std::move(owned)), engine_(e) {}
  const char* name() const override { return "hark"; }
  Opened open(const media::StreamParams& p) override {
    const auto o = engine_.open(p);
    return {o.id, o.port, o.error};
  }
  void modify(uint32_t id, const media::StreamParams& p) override { engine_.modify(id, p); }
  void play(uint32_t id, const media::Prompt* prompt) override { engine_.play(id, prompt); }
  bool send_dtmf(uint32_t, const std::string&) override { return false; }
  void close(uint32_t id) override { engine_.close(id); }
  std::vector<int> event_fds() const override { return engine_.event_fds(); }
  void drain(const std::function<void(const CalleeStreamEnd&)>& ended) override {
    // Ports are recycled on `ended`, which also carries the stream's final counters.
    engine_.drain_events([&](const media::MediaEvent& e) {
      if (e.kind == media::MediaEventKind::ended) ended({e.stats.received, e.stats.srtp_failures});
    });
  }

 private:
  std::unique_ptr<media::MediaEngine> owned_;
  media::MediaEngine& engine_;
};
}  // namespace

std::unique_ptr<CalleeMedia> hark_callee_media(media::MediaEngine& engine) {
  return std::make_unique<HarkCalleeMedia>(engine, nullptr);
}

std::unique_ptr<CalleeMedia> owned_hark_callee_media(const media::MediaEngineOptions& o) {
  auto e = std::make_unique<media::MediaEngine>(o);
  media::MediaEngine& ref = *e;
  return std::make_unique<HarkCalleeMedia>(ref, std::move(e));
}

std::unique_ptr<CalleeMedia> make_callee_media(RtpStack stack, const media::MediaEngineOptions& o) {
  return stack == RtpStack::ortp ? ortp_callee_media(o) : owned_hark_callee_media(o);
}

}  // namespace hark::signaling
