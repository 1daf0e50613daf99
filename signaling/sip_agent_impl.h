// SipAgent's private state, shared by its source files (all of it lives on the SIP thread):
//   sip_agent.cpp       public API, the call table, carrying out CallPolicy's actions
//   sip_callbacks.cpp   the NUA thread's start and sofia-sip's event callback
//   sip_media.cpp       dialing (SDP offer), the media hand-over and media events
//   sip_timers.cpp      the 20 ms tick: pacing and the per-call timers and watchdog
//   sip_reinvite.cpp    hold/resume (our re-INVITEs) and the far end's re-INVITEs
//   sip_consult.cpp     attended transfer: the consult leg, REFER with Replaces
#pragma once

#include <sofia-sip/nua.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <unordered_map>

#include "signaling/call_policy.h"
#include "signaling/pacer.h"
#include "signaling/sdp.h"
#include "signaling/sip_agent.h"

namespace hark::signaling {

struct Call {
  uint64_t id = 0;
  CallRequest req;          // its plan is moved to f.plan
  std::string number;       // normalised, without any trunk's prefix
  std::string dialed;       // as the current trunk dials it
  std::vector<size_t> route;  // trunk indices to try, in order
  size_t leg = 0;           // the route's trunk being tried (or to try next)
  int trunk = -1;           // the trunk of the INVITE out (-1: none yet)
  bool rang = false;        // an 18x came on this leg: no failover after it
  std::vector<std::pair<std::string, int>> failed_over;
  nua_handle_t* nh = nullptr;
  media::StreamId stream = 0;
  uint16_t port = 0;
  media::SrtpKey key;
  int code = 0;
  std::string phrase;
  Clock::time_point invite_at;
  double setup_ms = 0;
  bool auth_tried = false;
  amd::Event verdict{};     // the AMD's verdict event (cause, audio time) for CallEvent
  std::string late_cause;   // a late_machine event after `human`, for CallEvent
  std::string dtmf;         // RFC 4733 digits the callee sent, for CallEvent
  int beep_ms = -1;         // the first beep's onset (audio ms after the answer), for CallEvent
  media::StreamStats stats{};
  LeadStatus outcome = LeadStatus::unknown;
  std::string cause;
  CallFacts f;              // what CallPolicy decides on

  // Mid-call (sip_reinvite.cpp, sip_consult.cpp).
  std::string remote_uri;   // the To URI dialed: a consult leg's Refer-To
  std::string dialog_call_id, local_tag, remote_tag;  // the dialog, for Replaces
  PeerMedia peer;           // the peer's media as last negotiated
  uint32_t sdp_version = 1; // our o= version, one more per new SDP
  bool local_hold = false;  // we hold the callee (sendonly, music on hold)
  enum class Reinvite : uint8_t { none, hold, resume } reinvite = Reinvite::none;  // ours in flight
  bool offerless_reinvite = false;  // the peer's re-INVITE had no SDP: its answer comes in the ACK
  CallState before_hold = CallState::answered;  // where resume returns to
  uint64_t consult_leg = 0; // this call's second leg (consulting)
  uint64_t parent = 0;      // a consult leg: the call it consults for (its events are the parent's)
  std::string consult_target;
  bool consult_ready = false;  // the consult leg answered
  bool resume_when_done = false;  // resume once the re-INVITE in flight is answered
  bool refer_when_done = false;   // complete_consult's REFER, once our re-INVITE in flight is answered
  // Our re-INVITE (`reinvite`) was answered 491, the callee's crossing it: it goes again at
  // retry_at (on_reinvite_response, retry_reinvite). Until then it counts as in flight for
  // our commands (refused, or done once it is answered), not for the callee's re-INVITEs.
  bool reinvite_waiting = false;
  Clock::time_point retry_at{};
};

/// Refer-To for an attended transfer: <uri?Replaces=call-id;to-tag=..;from-tag=..>, escaped.
std::string replaces_refer_to(const std::string& uri, const std::string& call_id, const std::string& to_tag,
                              const std::string& from_tag);

/// Music on hold: the file at `path` (empty: the built-in melody), loaded once per process and
/// kept (a worker may play it after its agent is gone); null with `error` when it cannot be.
const media::Prompt* load_music_on_hold(const std::string& path, std::string& error);

/// A trunk and its live state (SIP thread).
struct TrunkState {
  Trunk cfg;
  Pacer pacer;
  size_t active = 0;
  bool reachable = true;
  bool registered = false;
  nua_handle_t* reg_nh = nullptr;
  bool reg_auth_tried = false;
  nua_handle_t* opt_nh = nullptr;  // the OPTIONS in flight
  Clock::time_point opt_sent{}, opt_next{};
  uint64_t placed = 0, failovers = 0;
};

/// An INVITE that is none of our calls, waiting for SipAgent::route_inbound (sip_inbound.cpp).
struct InboundCall {
  uint64_t id = 0;
  nua_handle_t* nh = nullptr;
  int trunk = -1;           // the trunk it came from (-1: unknown)
  Clock::time_point deadline;
};

/// Whether a call that failed with `code` goes on to the next trunk: 5xx and transport errors
/// (sofia reports them as 503), 408 before any 18x; never busy, a rejection or another 4xx/6xx.
bool fails_over(int code, bool rang);

struct SipAgent::Impl {
  static constexpr int kTickMs = 20;

  TrunkSettings t;
  media::MediaEngine& media;
  Handler on_event;
  std::atomic<size_t>& in_progress;
  CallPolicy policy;

  nua_t* nua = nullptr;
  int cmd_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);  // wakes the SIP thread for commands
  std::mutex cmd_mu;  // commands are rare (a few per call): a lock here is fine
  std::deque<std::function<void(Impl&)>> cmds;
  bool stopping = false;
  bool shutdown_done = false;

  std::unordered_map<uint64_t, std::unique_ptr<Call>> calls;
  std::unordered_map<uint64_t, InboundCall> inbound;  // by call id; a handful at a time
  std::atomic<uint64_t>* next_id = nullptr;            // SipAgent's: inbound calls share the id space
  std::unordered_map<media::StreamId, Call*> by_stream;
  std::deque<Call*> pending;  // queued, waiting for pacing or capacity
  size_t active = 0;          // calls with an INVITE out
  Pacer pacer;

  std::atomic<size_t>& up;
  std::atomic<bool>& registered;
  std::vector<TrunkState> trunks;
  std::string tls_dir;  // the certificate folder made for sofia (agent.pem, cafile.pem)
  mutable std::mutex status_mu;
  std::vector<TrunkStatus> status;  // what trunk_status() returns, refreshed on the SIP thread
  std::minstd_rand glare_rng{std::random_device{}()};  // 491 retry delays (RFC 3261 14.1)

  Impl(TrunkSettings ts, media::MediaEngine& m, Handler h, std::atomic<size_t>& ip, std::atomic<size_t>& u,
       std::atomic<bool>& reg);
  ~Impl() { ::close(cmd_fd); }

  // sip_agent.cpp
  void run_commands();
  void emit(const Call& c, CallState s);
  CallEvent make_event(const Call& c, CallState s) const;
  void set_state(Call& c, CallState s);
  std::string target_uri(const std::string& number) const;
  /// Refreshes `status` and the registered flag for other threads.
  void publish_status();
  /// The host we name in From (advertised, else the bound one), with the SIP port when bound.
  std::string our_host() const;
  /// The same without any port.
  std::string our_host_only() const;
  /// Carries out one of the policy's actions.
  void apply(Call& c, const Action& a);
  /// Reaction::to_agent: asks the gate for an agent; transfers the person when one is free.
  void try_agent(Call& c);
  /// Ends the call's SIP side: CANCEL before an answer, BYE after. The outcome is fixed here.
  void end_call(Call& c, LeadStatus outcome, std::string cause);
  /// The call is over on the SIP side: releases the handle and the media; the outcome is
  /// reported once the media worker has sent the stream's final statistics.
  void finish(Call& c);
  /// Reports the call ended and forgets it.
  void complete(Call& c);

  // sip_media.cpp
  media::StreamParams stream_params(const Call& c, const PeerMedia& peer, bool early) const;
  void dial(Call& c);
  void on_media(const media::MediaEvent& e);
  void on_answered(Call& c, const sip_t* sip);

  // sip_reinvite.cpp
  /// The call's stream parameters for its current state mid-call: the peer as last negotiated,
  /// sending only when the peer wants our audio, no AMD once it decided or while held.
  media::StreamParams midcall_params(const Call& c) const;
  /// Our SDP for the call now (offer or answer), with a new o= version.
  std::string midcall_sdp(Call& c, Direction d);
  /// Sends our re-INVITE to hold (local_hold set) or resume the call.
  void send_reinvite(Call& c, Call::Reinvite what);
  /// The final response to our re-INVITE.
  void on_reinvite_response(Call& c, int status, const char* phrase, const sip_t* sip);
  /// A re-INVITE that got 491, at its retry time: sent again unless the call has moved on.
  void retry_reinvite(Call& c);
  /// A user's hold only waiting to go again after a 491 (nothing in flight, no consultation):
  /// the callee was never held with our music (its own re-INVITE may have been answered
  /// sendonly meanwhile), and a transfer (asked for, or the agent gate's), which ends the
  /// session either way, need not wait.
  bool hold_only_waiting(const Call& c) const;
  /// Drops such a hold for a transfer going now: it is never sent.
  void drop_waiting_hold(Call& c);
  /// The far end's re-INVITE (hold, new address or codec); a bad SDP gets 488.
  void on_peer_reinvite(Call& c, nua_handle_t* nh, const sip_t* sip);
  /// The ACK of a re-INVITE we answered with an offer (the peer's had no SDP).
  void on_peer_ack(Call& c, const sip_t* sip);
  /// Refuses a command in the wrong state: nothing changes; a warning names why.
  void refuse(uint64_t call_id, const char* command, const std::string& why) const;
  /// Why `c` cannot be held now (empty: it can).
  std::string why_not_holdable(const Call& c) const;
  /// Starts (true) or stops music on hold on the call's stream, with the media to match.
  void set_music(Call& c, bool on);
  const media::Prompt* moh_prompt = nullptr;  // loaded in start(): TrunkSettings::music_on_hold

  // sip_consult.cpp
  /// Places the consult leg of `parent` to `target`.
  void place_consult_leg(Call& parent, const std::string& target);
  /// A consult leg's news for its parent: answered, or over (`gone`, with why).
  void consult_leg_answered(const Call& leg);
  void consult_leg_gone(Call& leg);
  /// Completes an attended transfer: the REFER with Replaces naming the consult leg's dialog
  /// (or, the leg gone meanwhile, the call resumed: with a re-INVITE when local_hold is set).
  void refer_to_consult_leg(Call& c);
  /// The consultation of `c` is over: the callee back as it was. Our re-INVITE in flight
  /// resumes it once answered (resume_when_done); a callee never held (the hold refused, a
  /// 491 included) is answered again with no re-INVITE; a held one is resumed.
  void resume_after_consult(Call& c);
  /// The consult leg of `c`, or null.
  Call* consult_leg_of(const Call& c);

  // sip_timers.cpp
  void tick();

  /// Dials queued calls on the first trunk of their route that is up and has room.
  void dial_pending(Clock::time_point now);
  /// OPTIONS keep-alive: sends the due probes, marks unanswered ones down.
  void watch_trunks(Clock::time_point now);
  void set_reachable(TrunkState& tr, bool up, const std::string& why);

  // sip_inbound.cpp
  /// An INVITE, or a later event of its handle, outside our calls: true when it was one.
  bool on_inbound(nua_event_t event, nua_handle_t* nh, const sip_t* sip, tagi_t tags[]);
  /// Answers inbound call `id` (302 to `target`, 404 when empty) and forgets it.
  void route_inbound(uint64_t id, const std::string& target);
  /// 480 to inbound calls not routed in time (and all of them when stopping).
  void expire_inbound(Clock::time_point now);

  // sip_callbacks.cpp
  bool authenticate(nua_handle_t* nh, int status, const sip_t* sip, const Trunk& trunk);
  void start_registration();
  /// A final failure of a call's INVITE: true when it goes on to the next trunk.
  bool try_failover(Call& c, int status);
  void on_nua(nua_event_t event, int status, const char* phrase, nua_handle_t* nh, Call* c, const sip_t* sip,
              tagi_t tags[]);
};

}  // namespace hark::signaling
