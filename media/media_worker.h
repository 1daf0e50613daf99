// One media worker: a thread that owns its streams' sockets for their whole life.
//
// It sleeps in epoll_wait on its command queue's wake-up fd and a 20 ms timerfd only. At each
// tick it asks a second epoll set, without waiting, which of its sockets are readable, drains
// them with recvmmsg, then sends every stream's next packet and, every 5 s, its RTCP report.
// Waking once a tick rather than once a packet is the largest saving there is (at 300 streams,
// 50 wake-ups a second instead of 15,000); media is paced at 20 ms anyway, and the kernel's
// receive timestamps (SO_TIMESTAMPNS) keep jitter and latency figures exact. Commands arrive and events leave through single-producer/
// single-consumer queues; nothing here locks, and nothing allocates per packet.
//
// The socket I/O has two paths, chosen when the thread starts: io_uring (media/uring_io.h: the
// tick's receives and all its sends in one system call) unless HARK_MEDIA_IO=epoll or the
// kernel refuses the ring, else epoll + recvmmsg + sendto as described above.
#pragma once

#include <pthread.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "media/early_packets.h"
#include "media/media_types.h"
#include "media/recorder.h"
#include "media/rtp_stream.h"
#include "media/spsc_queue.h"
#include "media/uring_io.h"

namespace hark::media {

class MediaWorker : private EventSink, private UringIo::Sink {
 public:
  /// `recorder` may be null (no recording); `max_streams` bounds this worker's streams;
  /// `io` picks the socket I/O path (automatic: io_uring when the kernel allows it);
  /// `report_ticks`: an RTCP report per stream every this many ticks (the first spread over a
  /// fifth more, by slot).
  MediaWorker(int index, size_t max_streams, Recorder* recorder, IoMode io = IoMode::automatic,
              int report_ticks = 250);
  ~MediaWorker() override;

  void start();
  /// Asks the thread to close every stream and stop, and waits for it.
  void stop();

  SpscQueue<MediaCommand>& commands() { return commands_; }
  SpscQueue<MediaEvent>& events() { return events_; }
  /// CPU time (user + system) the worker thread has used.
  double cpu_seconds() const;
  uint64_t events_dropped() const { return events_dropped_.load(std::memory_order_relaxed); }
  /// Packets (RTP and RTCP) the kernel refused to send: sendto failed, or the ring's send
  /// completed with an error (a full socket buffer, a peer address it will not send to).
  uint64_t send_errors() const { return send_errors_.load(std::memory_order_relaxed); }
  /// Waits until the thread has chosen its I/O path; true when it runs on io_uring.
  bool on_uring() const;
  /// Why io_uring was not used (empty when it is, or when epoll was asked for).
  const std::string& uring_error() const { return uring_error_; }

 private:
  struct Slot {
    std::unique_ptr<RtpStream> stream;
    int rtp_fd = -1;
    int rtcp_fd = -1;
    int ticks_to_report = 0;
  };

  void run();
  void handle_commands();
  void open_stream(const MediaCommand& c);
  void close_slot(uint32_t slot);
  void receive(uint32_t slot, bool rtcp);
  void receive_ready();
  void on_datagram(uint32_t slot, bool rtcp, uint8_t* buf, size_t len, const sockaddr_storage& from,
                   uint64_t arrival_ns) override;
  /// Sends one packet from the slot's RTP or RTCP socket: queued on the ring when it was built
  /// in the ring's send buffer `buffer` (`in_ring`), else at once with sendto.
  void send_packet(uint32_t slot, int buffer, bool rtcp_socket, const uint8_t* pkt, size_t len, bool in_ring,
                   const sockaddr* to, socklen_t to_len);
  void tick(uint64_t expirations);
  void emit(const MediaEvent& e) override;
  /// Moves held-back events into the queue as room allows (each tick, and before a new one).
  void flush_held_events();

  int index_;
  size_t max_streams_;
  IoMode io_mode_;
  int report_ticks_;  // RTCP and stats every this many ticks
  std::unique_ptr<UringIo> uring_;  // null: the epoll path
  std::string uring_error_;
  mutable std::atomic<int> io_chosen_{0};  // set by run(): 1 epoll, 2 io_uring (uring_error_ is set before)
  Recorder* recorder_;
  SpscQueue<MediaCommand> commands_;
  SpscQueue<MediaEvent> events_;
  std::atomic<uint64_t> events_dropped_{0};
  std::atomic<uint64_t> send_errors_{0};
  uint64_t uring_send_errors_seen_ = 0;  // UringIo::send_errors() already added to send_errors_
  // Events that must arrive (a stream's end, a prompt's end, AMD results) but found the queue
  // full: kept here, in order, until it has room. Other events leave them `reserve_` slots.
  std::vector<MediaEvent> held_;
  size_t reserve_ = 0;
  std::thread thread_;
  pthread_t pthread_{};
  std::atomic<bool> started_{false};

  int epoll_fd_ = -1;       // commands and the timer: what the thread sleeps on
  int data_epoll_fd_ = -1;  // the sockets: asked at each tick, never waited on
  int timer_fd_ = -1;
  bool running_ = false;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  std::vector<uint32_t> active_;     // slots in use, for the tick
  std::unordered_map<StreamId, uint32_t> by_id_;
  // RTP that came before its stream knew its peer (a dialed call before its 200 OK was
  // handled): played into the stream when an update names the peer (media/early_packets.h).
  EarlyPackets early_;
};

}  // namespace hark::media
