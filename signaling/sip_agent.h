// The dialer's SIP side: outbound calls on one sofia-sip NUA thread.
//
// Per call: originate -> 1xx (a 183's early media is listened to for SIT) -> 200 OK (ACK, AMD
// starts) -> verdict -> the call plan's reaction (e.g. REFER a person to the pilot number; hang
// up on a machine, or wait for its beep and play the voicemail message; hang up on fax, SIT,
// dead air) -> end with a lead status. A ring timeout (never under 15 s) sends CANCEL. Calls are
// paced (calls per second, signaling/pacer.h) and capped (concurrent calls).
//
// SipAgent carries out SIP transactions, the call table, SDP and the media hand-over; what to
// do on each event is decided by CallPolicy (signaling/call_policy.h), which touches neither.
//
// Threads: every public method may be called from any thread; the work happens on the SIP
// thread, which also drives the media engine (open/update/close) and reads its events.
// Events are delivered to the handler on the SIP thread: keep it short.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "amd/params.h"
#include "media/media_engine.h"
#include "signaling/call_plan.h"
#include "signaling/number_plan.h"
#include "signaling/outcome.h"
#include "signaling/trunk.h"

namespace hark::signaling {

/// The agent's settings. With `trunks` empty, the fields from `domain` to `srtp` describe its one
/// trunk ("default"); with trunks, those fields are not used and each trunk says its own.
struct TrunkSettings {
  std::string bind_url = "sip:127.0.0.1:5060";  ///< our SIP address (UDP and TCP)
  std::string advertised_host;                  ///< NAT: the host in Via/Contact/From instead of the bound one
  std::string tls_bind_url;                     ///< sips:HOST:PORT: SIP over TLS too (needs the files below)
  std::string tls_cert, tls_key, tls_ca;        ///< PEM files; tls_ca verifies the peers' certificates
  bool tls_verify = true;                       ///< refuse a peer whose certificate tls_ca does not sign
  std::vector<Trunk> trunks;                    ///< the trunks calls may use, by name
  std::string domain = "127.0.0.1:5070";        ///< calls go to sip:NUMBER@domain
  std::string proxy;                            ///< outbound proxy URI; empty: straight to domain
  std::string registrar;                        ///< REGISTER here at start (empty: no registration)
  int register_expires_s = 600;
  std::string from_user = "hark";               ///< From user part (caller ID)
  std::string from_display;                     ///< From display name
  std::string username, password;               ///< digest credentials for 401/407
  std::string dial_prefix;                      ///< prepended to every number dialed
  bool normalize = false;                       ///< apply `plan` (extensions, outside line, region format) before the prefix
  NumberPlan plan;
  double calls_per_second = 10;                 ///< pacing of new INVITEs
  int max_concurrent = 300;                     ///< licensed ports
  int ring_timeout_s = 25;                      ///< CANCEL after this (at least min_ring_timeout_s)
  /// The floor of ring_timeout_s: 15 s, the US rule, which the configuration never lowers. Only
  /// tests lower it, so that a no-answer among many calls does not keep them waiting 15 s.
  int min_ring_timeout_s = 15;
  std::string media_ip = "127.0.0.1";           ///< the address in our SDP
  /// Music on hold (SipAgent::hold): an 8 kHz WAV or raw G.711 file (media/audio_file.h),
  /// played in a loop to a held callee; empty: a built-in tone melody.
  std::string music_on_hold;
  bool srtp = false;                            ///< offer SRTP (SDES)
  /// 64*T1: how long an answered transaction stays to absorb retransmissions, and an unanswered
  /// INVITE waits (Timer B). 0: sofia's 32 s, as RFC 3261 says; tests that flood shorten it.
  unsigned transaction_lifetime_ms = 0;
  /// An inbound call with no route_inbound() answer this long gets 480 (5 s; the inbound router
  /// is given the same value).
  /// Not a configuration setting: only tests shorten it, to see the 480 without a 5 s wait.
  int inbound_decision_ms = 5000;
  /// The watchdog: an answered call whose state has not moved for the AMD's analysis time plus
  /// this long is hung up (PolicySettings::stuck_extra). Only tests shorten it.
  int watchdog_extra_ms = 15000;
};

struct CallRequest {
  std::string number;                           ///< as the lead has it
  CallPlan plan;                                ///< what to do on each verdict (default: hang up)
  bool amd = true;                              ///< false: whoever answers is a person
  amd::Params amd_params = amd::Params::hark_defaults();
  uint64_t tag = 0;                             ///< the caller's reference (a lead id)
  std::string caller_id;                        ///< From user for this call; empty: the trunk's
  /// The trunks to try, in order: the next one is used when one fails the call (408, 5xx or a
  /// transport error before it rang), or is down by OPTIONS. Empty: every trunk, in order.
  std::vector<std::string> trunks;
  uint64_t record_id = 0;                       ///< non-zero: record the answered call as <record_id>.wav
  bool record_stereo = false;                   ///< record: us left, the callee right (else mixed)
  bool record_early_media = false;              ///< record: a 183's audio too (load tests: failed calls' tones)
};

/// A trunk's state as /healthz and /metrics show it.
struct TrunkStatus {
  std::string name;
  bool watched = false;       ///< OPTIONS keep-alive on
  bool reachable = true;      ///< answering (always true when not watched)
  bool registering = false;   ///< a registrar is configured
  bool registered = false;
  size_t calls_up = 0;
  uint64_t calls_placed = 0;
  uint64_t failovers = 0;     ///< calls this trunk failed that went on to the next trunk
};

struct CallEvent {
  uint64_t call_id = 0;
  uint64_t tag = 0;
  CallState state = CallState::queued;
  std::string number;                 ///< the number dialed; inbound: the caller's user part
  std::string called;                 ///< inbound: the Request-URI's user (the number the caller dialed)
  int sip_code = 0;                   ///< the last SIP status seen
  std::string sip_reason;
  bool has_verdict = false;
  amd::Verdict verdict = amd::Verdict::unknown;
  std::string amd_cause;
  std::string amd_late_cause;         ///< after `human`: a late_machine event's cause (suspected miss)
  uint32_t amd_ms = 0;                ///< audio time of the verdict
  int beep_ms = -1;                   ///< the first beep's onset (audio ms after the answer); -1 none
  LeadStatus outcome = LeadStatus::unknown;  ///< ended: the lead's new status
  /// ended: our REFER put the callee through (its NOTIFY said 2xx). With outcome ABANDONED:
  /// transferred by request during the identification message, after the 2 s had run out.
  bool transferred = false;
  std::string cause;                  ///< ended: why, in words
  std::string trunk;                  ///< the trunk of the last INVITE (empty before any); inbound: the trunk it came from, if known
  /// Trunks that failed this call before `trunk` took it over, with their SIP codes.
  std::vector<std::pair<std::string, int>> failed_over;
  double setup_ms = 0;                ///< INVITE -> first 18x (post-dial delay), 0 if none
  bool answered = false;
  uint32_t rtp_received = 0;          ///< ended: RTP packets received from the callee
  uint32_t rtp_lost = 0;              ///< ended: RFC 3550 cumulative lost
  float jitter_ms = 0;                ///< ended: RFC 3550 interarrival jitter
  std::string dtmf;                   ///< RFC 4733 digits received from the callee so far
  double answered_ms = 0;             ///< answer time after the INVITE
  double talk_ms = 0;                 ///< ended: time from the answer to the end
};

class SipAgent {
 public:
  using Handler = std::function<void(const CallEvent&)>;

  SipAgent(TrunkSettings t, media::MediaEngine& media, Handler on_event);
  ~SipAgent();

  /// Starts the SIP thread; returns an error (e.g. the SIP port is taken), empty on success.
  std::string start();
  /// Queues a call; returns its id. It is dialed as pacing and capacity allow.
  uint64_t originate(CallRequest r);
  void hangup(uint64_t call_id);
  /// Blind-transfers an answered call to `target` (a number or sip: URI) with REFER.
  void transfer(uint64_t call_id, std::string target);

  // Call control (issue 16; signaling/sip_reinvite.cpp, sip_consult.cpp). Asynchronous: the
  // results arrive as CallEvents. A command the call's state does not allow (not answered,
  // ended, the AMD still listening, a re-INVITE in flight) changes nothing and is logged.
  /// Holds an answered call: re-INVITE with a=sendonly; once accepted, state on_hold and music
  /// on hold plays to the callee (no AMD on held audio).
  void hold(uint64_t call_id);
  /// Takes a held call off hold: re-INVITE with a=sendrecv; state back to answered or verdict.
  void resume(uint64_t call_id);
  /// Attended transfer, step 1: holds the call and places a second leg (no AMD) to `target` (a
  /// number or sip: URI); state consulting. Should that leg fail or end, the call is resumed.
  void consult(uint64_t call_id, std::string target);
  /// Step 2: REFER to the held callee with Refer-To: <the second leg's URI?Replaces=...> (RFC
  /// 3891/5589); state transferring, then both legs end once the transfer is accepted.
  void complete_consult(uint64_t call_id);
  /// Drops the second leg (BYE, or CANCEL while ringing) and resumes the call; state answered.
  void cancel_consult(uint64_t call_id);
  /// Answers an inbound call (a CallEvent in state `inbound`): 302 Moved Temporarily to `target`
  /// (a number, as sip:NUMBER@ the trunk it came in on, or a sip: URI); empty: 404. Without an
  /// answer within TrunkSettings::inbound_decision_ms (5 s unless a test lowers it) the
  /// caller gets 480, so a slow database never leaves them ringing. Unknown or already
  /// answered ids are ignored.
  void route_inbound(uint64_t call_id, std::string target);
  /// True once every trunk's registrar accepted our REGISTER (always false without a registrar).
  bool registered() const { return registered_.load(); }
  /// Each trunk's state (any thread).
  std::vector<TrunkStatus> trunk_status() const;
  /// Stops: no new calls; calls in progress are cancelled or hung up; waits for the thread.
  void stop();

  /// Calls not yet ended (queued ones included).
  size_t calls_in_progress() const { return in_progress_.load(); }
  /// Calls with an INVITE out and not yet over: the concurrency the trunk sees.
  size_t calls_up() const { return up_.load(); }

  struct Impl;

 private:
  void post(std::function<void(Impl&)> f);
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::atomic<size_t> in_progress_{0};
  std::atomic<size_t> up_{0};
  std::atomic<bool> registered_{false};
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace hark::signaling
