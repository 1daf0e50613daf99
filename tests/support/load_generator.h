// Plays G.711 audio as RTP to many ports at once, the way a far end would: 50 packets a
// second per stream, with sendmmsg in large batches, and counts what comes back. The streams
// are split over `threads` sender threads (one per core for the benchmark, so the generator
// can offer 500,000 packets/s and is not the bottleneck it was with one thread); every thread
// has its own socket, all bound to the same address with SO_REUSEPORT, so the receiving end
// sees one peer address (it latches to it) and the kernel spreads the replies over the
// threads' sockets. The benchmark, the integration test and the callee simulator use it.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace hark::media {

struct LoadStream {
  sockaddr_in dest{};                        ///< where to send
  const std::vector<uint8_t>* audio = nullptr;  ///< G.711 bytes, 160 per packet
  uint8_t payload_type = 0;
};

struct LoadOptions {
  int interval_us = 20000;  ///< time between packets of a stream (20 ms is real time)
  bool loop = false;        ///< replay the audio when it ends
  double duration_s = 0;    ///< stop after this long (0: when every stream's audio has ended)
  int threads = 1;          ///< sender threads (each sends a share of the streams); 0: one per core
  /// Added to the sender threads' nice value: on a machine with fewer cores than the traffic
  /// needs, the system under test then gets the CPU first and the generator what is left
  /// (the benchmark reports the share it offered), instead of starving what it measures.
  int nice_increment = 0;
};

class LoadGenerator {
 public:
  /// Binds its sockets to 127.0.0.1 on a free port; `local()` is the address the receiving
  /// end should expect packets from (open the receiving streams, then set_streams()).
  explicit LoadGenerator(LoadOptions o);
  /// What to send where; call before run().
  void set_streams(std::vector<LoadStream> streams);
  ~LoadGenerator();

  /// Sends until done or stop(); blocks. The first share of the streams is sent from the
  /// calling thread, the others from threads run() starts and joins.
  void run();
  void stop() { stop_ = true; }

  sockaddr_in local() const { return local_; }
  uint64_t sent() const { return sent_.load(); }
  uint64_t received() const { return received_.load(); }
  /// Packets sent per stream.
  const std::vector<uint32_t>& sent_per_stream() const { return per_stream_sent_; }
  /// CPU seconds (user + system) the sender threads used in run(); valid once it returned.
  double cpu_seconds() const { return cpu_seconds_; }
  /// Ticks on which a thread was late by more than the 5 frames it catches up: traffic that
  /// was never offered because the generator did not get the CPU in time.
  uint64_t frames_skipped() const { return frames_skipped_.load(); }
  int threads() const { return int(fds_.size()); }

 private:
  /// One thread's share: streams [from, to), sent from and drained on fds_[t].
  void run_share(size_t t, size_t from, size_t to);

  std::vector<LoadStream> streams_;
  LoadOptions o_;
  std::vector<int> fds_;  // one per thread, SO_REUSEPORT on local_
  sockaddr_in local_{};
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> sent_{0}, received_{0}, frames_skipped_{0};
  std::vector<uint32_t> per_stream_sent_;
  double cpu_seconds_ = 0;
};

/// A loopback address for port `port` (helper for tests and benchmarks).
sockaddr_in loopback(uint16_t port);

}  // namespace hark::media
