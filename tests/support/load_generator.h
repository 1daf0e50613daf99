// Plays G.711 audio as RTP to many ports at once, the way a far end would: 50 packets a
// second per stream, from one socket, with sendmmsg in large batches. It also counts what
// comes back. The benchmark, the integration test and (later) the callee simulator use it.
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
};

class LoadGenerator {
 public:
  /// Binds its socket to 127.0.0.1 on a free port; `local()` is the address the receiving
  /// end should expect packets from (open the receiving streams, then set_streams()).
  explicit LoadGenerator(LoadOptions o);
  /// What to send where; call before run().
  void set_streams(std::vector<LoadStream> streams);
  ~LoadGenerator();

  /// Sends until done or stop(); blocks. Call from the thread whose CPU you want it charged to.
  void run();
  void stop() { stop_ = true; }

  sockaddr_in local() const { return local_; }
  uint64_t sent() const { return sent_.load(); }
  uint64_t received() const { return received_.load(); }
  /// Packets sent per stream.
  const std::vector<uint32_t>& sent_per_stream() const { return per_stream_sent_; }

 private:
  std::vector<LoadStream> streams_;
  LoadOptions o_;
  int fd_ = -1;
  sockaddr_in local_{};
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> sent_{0}, received_{0};
  std::vector<uint32_t> per_stream_sent_;
};

/// A loopback address for port `port` (helper for tests and benchmarks).
sockaddr_in loopback(uint16_t port);

}  // namespace hark::media
