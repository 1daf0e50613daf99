// `hark simulate-callee`: a SIP UAS on the same stack that answers each call by the number
// dialed, following a mapping file, so the demo and the tests have a carrier to call.
//
// Mapping file: one rule a line, the first match wins, '#' comments (at a line's start or after
// a blank; dtmf=12# keeps its '#'):
//   PATTERN  BEHAVIOUR  [AUDIO_FILE]  [ring=MS] [hold=MS] [dtmf=DIGITS]
// PATTERN is a number, or a prefix ending in '*'; AUDIO_FILE is relative to the mapping file. BEHAVIOURS: answer (play AUDIO_FILE, then
// silence until the caller hangs up or hold= ms pass; dtmf=: then press these keys, RFC 4733,
// on the oRTP stack only), busy (486), reject (603), no-answer
// (rings until CANCEL), unavailable (503 with Retry-After), not-found (404), announce (183 with
// SDP, plays AUDIO_FILE as early media, e.g. SIT and "not in service", then 404). An answered call
// accepts REFER (also an attended transfer's, with Replaces in Refer-To): 202, then NOTIFY
// "SIP/2.0 200 OK"; it takes the caller's re-INVITEs (hold, resume, a new address: answered by
// RFC 3264's rules, 488 for an SDP it cannot take). Requests outside a call are refused (REFER
// 403) and their sofia handles released at once (signaling/unsolicited.h); OPTIONS gets 200.
// RTP: a CalleeMedia (signaling/callee_media.h), oRTP or hark's own engine.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "media/media_engine.h"
#include "signaling/callee_media.h"

namespace hark::signaling {

struct CalleeRule {
  enum class Behaviour { answer, busy, reject, no_answer, unavailable, not_found, announce };
  std::string pattern;
  Behaviour behaviour = Behaviour::answer;
  std::string audio;   ///< answer: the file to play (WAV, .ul, .al, pcap)
  int ring_ms = 0;     ///< ring this long before answering (or before a failure response)
  int hold_ms = 60000; ///< answer: hang up after this long if the caller has not
  std::string dtmf;    ///< answer: keys pressed once the audio has played (dtmf=)
};

/// Reads a mapping file. Returns errors, each naming its line; valid lines are kept.
std::vector<std::string> read_callee_rules(const std::string& path, std::vector<CalleeRule>& out);
/// The first rule whose pattern matches `number`, or nullptr.
const CalleeRule* match_rule(const std::vector<CalleeRule>& rules, const std::string& number);

/// One REFER a call received: the number that call was placed to, and the Refer-To URI.
struct ReferSeen {
  std::string number, target;
};

struct CalleeCounters {
  std::atomic<uint64_t> invites{0}, answered{0}, refused{0}, refers{0}, unmatched{0};
  std::atomic<uint64_t> reinvites{0};        ///< re-INVITEs taken (200)
  std::atomic<uint64_t> held{0};             ///< of those, offers holding us (sendonly, inactive)
  std::atomic<uint64_t> replaces_refers{0};  ///< REFERs whose Refer-To carries Replaces
  /// What the callers sent, counted as each call's stream ends: RTP packets accepted
  /// (decrypted, with SRTP) and packets that failed SRTP authentication.
  std::atomic<uint64_t> rtp_received{0}, srtp_failures{0};
  std::atomic<uint64_t> streams_ended{0};  ///< calls' streams closed (their counts are in)
  mutable std::mutex refer_mu;
  std::vector<ReferSeen> refer_log;  ///< every REFER of a call, in order (under refer_mu)
  /// A copy of refer_log (any thread).
  std::vector<ReferSeen> refers_seen() const {
    std::lock_guard lk(refer_mu);
    return refer_log;
  }
};

class CalleeSimulator {
 public:
  /// On hark's own engine, which the caller keeps.
  CalleeSimulator(std::string bind_url, std::string media_ip, std::vector<CalleeRule> rules,
                  media::MediaEngine& media);
  /// On the given RTP stack (make_callee_media: oRTP or hark's engine).
  CalleeSimulator(std::string bind_url, std::string media_ip, std::vector<CalleeRule> rules,
                  std::unique_ptr<CalleeMedia> media);
  ~CalleeSimulator();
  /// 64*T1 (before `start`): how long an answered transaction stays to absorb retransmissions.
  /// 0: sofia's 32 s (RFC 3261); tests that flood shorten it.
  void set_transaction_lifetime_ms(unsigned ms);
  /// `f` hears every REFER of an answered call (before start), on the SIP thread before the 202:
  /// it must not block. The simulated agent pool (cli/agent_pool.h) takes its transfers here.
  void on_refer(std::function<void(const ReferSeen&)> f);
  /// `f` may change a call's stream parameters before the stream opens (before start), on the
  /// SIP thread, given the number dialed: a test records what the caller sends (record=true).
  void on_stream(std::function<void(const std::string& number, media::StreamParams&)> f);
  /// Loads the rules' audio and starts the SIP thread; returns an error, empty on success.
  std::string start();
  void stop();
  const CalleeCounters& counters() const { return counters_; }
  /// The RTP stack it runs on: "ortp" or "hark".
  const char* rtp_stack() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  CalleeCounters counters_;
};

}  // namespace hark::signaling
