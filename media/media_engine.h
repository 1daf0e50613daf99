// The media engine: N share-nothing workers, a port pool, and the control-side API.
//
// Every method is for one thread (the signaling thread): it binds a call's sockets (so a bind
// failure is known at once, before the SDP offer goes out), picks the least loaded worker and
// hands the sockets over through that worker's command queue. Events come back through one
// queue per worker; poll event_fds() and call drain_events().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "media/media_types.h"
#include "media/media_worker.h"
#include "media/recorder.h"

namespace hark::media {

struct MediaEngineOptions {
  int workers = 0;                  ///< 0: one per core
  std::string bind_ip = "127.0.0.1";
  uint16_t port_min = 20000;        ///< RTP ports are even, RTCP the odd one above
  uint16_t port_max = 29999;
  size_t max_streams = 4096;        ///< across all workers
  std::string record_dir;           ///< where recordings go; empty: recording off
  IoMode io = io_mode_from_env();   ///< socket I/O: HARK_MEDIA_IO=auto|uring|epoll [auto]
  /// RTCP sender reports (and the stats events) every this many 20 ms ticks: 250, 5 s, the
  /// RFC 3550 minimum. Tests lower it so that two reports do not take 10 s to come.
  int rtcp_report_ticks = 250;
};

class MediaEngine {
 public:
  explicit MediaEngine(MediaEngineOptions o);
  ~MediaEngine();
  MediaEngine(const MediaEngine&) = delete;
  MediaEngine& operator=(const MediaEngine&) = delete;

  struct Opened {
    StreamId id = 0;
    uint16_t port = 0;   ///< our RTP port, for the SDP
    std::string error;   ///< set when the stream could not be opened
    bool ok() const { return error.empty(); }
  };

  /// Opens a stream with its sockets bound and hands it to a worker.
  Opened open(const StreamParams& p);
  /// Restarts the stream with new parameters on the same ports: the peer's address and codec
  /// from its SDP answer (or a 183's early media), keys, AMD settings. The AMD starts afresh,
  /// so its clock counts from this moment (the answer).
  bool update(StreamId id, const StreamParams& p);
  /// Changes a running stream mid-call (a re-INVITE: hold, a new peer address or codec) on the
  /// same ports. Unlike update, the stream goes on: its SSRC, sequence and timestamps, its
  /// statistics, a prompt playing and, when `p.amd` still asks for it, the AMD's state.
  bool modify(StreamId id, const StreamParams& p);
  /// Plays `prompt` into the stream (it must outlive the playback). `loop`: from its start
  /// again at its end until stop_playback (music on hold), with no playback_done.
  bool play(StreamId id, const Prompt* prompt, bool loop = false);
  bool stop_playback(StreamId id);
  /// Closes the stream; its `ended` event follows, and then its ports are free again.
  bool close(StreamId id);

  /// One fd per worker, readable when it has events.
  std::vector<int> event_fds() const;
  /// Calls `f` for every pending event; returns how many.
  size_t drain_events(const std::function<void(const MediaEvent&)>& f);

  size_t open_streams() const { return open_; }
  int workers() const { return int(workers_.size()); }
  /// CPU seconds used by each worker thread so far.
  std::vector<double> worker_cpu_seconds() const;
  uint64_t events_dropped() const;
  /// Packets the workers' sockets refused to send, all workers together (MediaWorker::send_errors).
  uint64_t send_errors() const;
  /// "io_uring" when every worker runs on its ring, else "epoll".
  std::string io_path() const;
  /// Why a worker fell back to epoll (empty when none did, or epoll was asked for).
  std::string io_fallback_reason() const;
  const Recorder* recorder() const { return recorder_.get(); }

 private:
  bool send(int worker, const MediaCommand& c);

  MediaEngineOptions o_;
  std::unique_ptr<Recorder> recorder_;
  std::vector<std::unique_ptr<MediaWorker>> workers_;
  std::vector<std::vector<uint16_t>> free_ports_;  // per worker, a stack of RTP ports
  std::vector<size_t> load_;                       // streams per worker
  std::unordered_map<StreamId, uint16_t> port_of_;  // open streams' RTP ports
  uint32_t next_id_ = 1;
  size_t open_ = 0;
};

/// Raises the soft open-files limit to the hard one (thousands of calls need thousands of
/// sockets); returns the new soft limit.
long raise_fd_limit();

}  // namespace hark::media
