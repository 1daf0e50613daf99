// A media worker's io_uring: one ring per worker thread, owned and driven by that thread only.
//
// Receiving: one multishot recvmsg per socket (fixed file), into a registered ring of provided
// buffers, with the kernel's SO_TIMESTAMPNS receive stamp in each buffer's control data. The
// ring runs with DEFER_TASKRUN: arriving packets only queue work, and the kernel does the
// receives when the worker calls reap() at its tick, so packets never wake the thread.
// Sending: every stream's packet for a tick is one IORING_OP_SEND entry with the destination
// address (sendto: no msghdr or iovec for the kernel to copy and check per packet; a fixed
// file, a per-slot buffer allocated once), and submit() hands the whole tick to the kernel in
// one system call. A stream's catch-up frames after a stall (and a frame whose own buffer is
// still in flight) go through the ring too, in buffers from a per-worker spare pool, so they
// cost no system call each and leave in order after the tick's first frame. Nothing here
// allocates or locks per packet.
//
// Plain sends cannot take registered buffers (only IORING_OP_SEND_ZC can, and zero-copy on
// loopback costs a notification completion per packet and saves no copy), so the send arena
// is plain memory; the receive buffers are the registered provided-buffer ring.
#pragma once

#include <liburing.h>
#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hark::media {

/// Which I/O path a worker runs: chosen by HARK_MEDIA_IO (auto, uring or epoll; default auto).
enum class IoMode { automatic, uring, epoll };

/// Reads HARK_MEDIA_IO; an unknown value is `automatic`.
IoMode io_mode_from_env();
const char* io_mode_name(IoMode m);

class UringIo {
 public:
  /// Where received datagrams go.
  class Sink {
   public:
    virtual ~Sink() = default;
    /// One datagram for `slot` (its RTCP socket when `rtcp`); `buf` may be modified in place.
    virtual void on_datagram(uint32_t slot, bool rtcp, uint8_t* buf, size_t len, const sockaddr_storage& from,
                             uint64_t arrival_ns) = 0;
  };

  /// Sets up a ring for `max_slots` streams; null with `error` set when the kernel refuses
  /// (no io_uring, seccomp, kernel.io_uring_disabled, missing features, memory).
  static std::unique_ptr<UringIo> create(size_t max_slots, std::string& error);
  ~UringIo();
  UringIo(const UringIo&) = delete;
  UringIo& operator=(const UringIo&) = delete;

  /// Registers the slot's sockets (rtcp_fd may be -1) and starts receiving on them.
  bool add(uint32_t slot, int rtp_fd, int rtcp_fd);
  /// Stops receiving on the slot, after delivering to `sink` everything the ring already
  /// holds for it, and unregisters its sockets (the caller still owns and closes the fds).
  void remove(uint32_t slot, Sink& sink);

  /// The slot's send buffer `buffer` (0: RTP, 1: RTCP; kSendBuffer bytes), or null while its
  /// last send is in flight.
  uint8_t* send_buffer(uint32_t slot, int buffer);
  /// Queues a send of `len` bytes of that buffer to `to`, from the slot's RTP socket or its
  /// RTCP one; submit() sends.
  void queue_send(uint32_t slot, int buffer, bool rtcp_socket, size_t len, const sockaddr* to, socklen_t to_len);
  /// A spare send buffer (kSendBuffer bytes) from the worker's pool, for a frame whose slot
  /// buffer is taken (catch-up frames after a stall); null when every spare is in flight.
  /// The next queue_spare_send() sends it; until then it stays free.
  uint8_t* spare_buffer();
  /// Queues a send of `len` bytes of the buffer the last spare_buffer() gave, from the slot's
  /// RTP socket to `to`.
  void queue_spare_send(uint32_t slot, size_t len, const sockaddr* to, socklen_t to_len);
  /// Hands every queued entry to the kernel in one system call.
  void submit();
  /// Runs the kernel's pending receive work and delivers every completed datagram to `sink`.
  void reap(Sink& sink);

  static constexpr size_t kSendBuffer = 512;
  /// Received datagrams longer than this (payload after name and control data) are dropped
  /// and counted as truncated.
  static constexpr size_t kRecvBuffer = 1024;

  uint64_t truncated() const { return truncated_; }
  uint64_t send_errors() const { return send_errors_; }
  /// Spare buffers in flight now (0 between ticks once the kernel has sent them).
  size_t spares_in_flight() const { return spares_.size() - free_spares_.size(); }
  /// Memory this ring's buffers take (receive ring and send arena), for the benchmark.
  size_t buffer_bytes() const;

 private:
  UringIo() = default;
  struct Slot {
    uint32_t generation = 0;
    bool open = false;
    bool rtcp_open = false;
    bool send_inflight[2] = {false, false};  // per send buffer
    sockaddr_storage send_to[2]{};
  };
  struct Spare {
    uint8_t* data = nullptr;
    sockaddr_storage to{};
  };
  io_uring_sqe* sqe();
  /// The slot's send buffer `buffer` in the send arena, in flight or not.
  uint8_t* slot_buffer(uint32_t slot, int buffer) {
    return send_arena_.get() + (size_t(slot) * 2 + size_t(buffer)) * kSendBuffer;
  }
  void arm(uint32_t slot, bool rtcp);
  void handle(const io_uring_cqe* cqe, Sink& sink);
  void recycle(uint16_t bid);
  /// Queues one send from the slot's RTP or RTCP socket; `to` must stay valid until submit().
  /// False when the SQ had no room even after submitting it.
  bool prep_send(uint32_t slot, bool rtcp_socket, const uint8_t* data, size_t len, const sockaddr* to,
                 socklen_t to_len, uint64_t tag);

  io_uring ring_{};
  bool ring_ok_ = false;
  io_uring_buf_ring* buf_ring_ = nullptr;
  size_t buf_ring_bytes_ = 0;
  uint32_t buf_entries_ = 0;
  std::unique_ptr<uint8_t[]> recv_arena_;
  std::unique_ptr<uint8_t[]> send_arena_;
  std::vector<Slot> slots_;
  std::unique_ptr<uint8_t[]> spare_arena_;
  std::vector<Spare> spares_;
  std::vector<uint32_t> free_spares_;  // reserved for every spare: never grows
  msghdr recv_template_{};
  int recycled_ = 0;
  int cancels_pending_ = 0;  // cancels remove() still waits for
  uint64_t truncated_ = 0;
  uint64_t send_errors_ = 0;
};

}  // namespace hark::media
