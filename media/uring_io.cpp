#include "media/uring_io.h"

#include <netinet/in.h>
#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace hark::media {

namespace {
// user_data: slot in bits 0-23, the RTCP socket in bit 24, the operation in bits 25-26, the
// slot's generation in bits 32-63 (completions of a closed slot's requests are recognised
// and ignored, even after the slot is reused). A spare buffer's send carries the spare's
// index in place of the slot.
enum Op : uint64_t { kRecv = 0, kSend = 1, kOther = 2, kSpareSend = 3 };
uint64_t make_tag(uint32_t slot, bool rtcp, Op op, uint32_t gen) {
  return uint64_t(slot) | uint64_t(rtcp) << 24 | uint64_t(op) << 25 | uint64_t(gen) << 32;
}
uint32_t tag_slot(uint64_t t) { return uint32_t(t & 0xffffff); }
bool tag_rtcp(uint64_t t) { return (t >> 24) & 1; }
Op tag_op(uint64_t t) { return Op((t >> 25) & 3); }
uint32_t tag_gen(uint64_t t) { return uint32_t(t >> 32); }

uint32_t pow2_at_least(size_t n, uint32_t lo, uint32_t hi) {
  uint32_t v = lo;
  while (v < n && v < hi) v <<= 1;
  return v;
}
constexpr int kBufGroup = 0;
}  // namespace

IoMode io_mode_from_env() {
  const char* v = std::getenv("HARK_MEDIA_IO");
  if (!v) return IoMode::automatic;
  if (std::strcmp(v, "epoll") == 0) return IoMode::epoll;
  if (std::strcmp(v, "uring") == 0) return IoMode::uring;
  return IoMode::automatic;
}

const char* io_mode_name(IoMode m) {
  switch (m) {
    case IoMode::uring: return "uring";
    case IoMode::epoll: return "epoll";
    default: return "auto";
  }
}

std::unique_ptr<UringIo> UringIo::create(size_t max_slots, std::string& error) {
  std::unique_ptr<UringIo> u(new UringIo());
  // One send per stream per tick, plus re-arms and RTCP: the whole tick fits in the SQ.
  const uint32_t sq = pow2_at_least(max_slots + 64, 64, 32768);
  // Receive buffers for two ticks of packets; when they run out the socket keeps the packets
  // (nothing is lost) and the receive is re-armed once buffers come back.
  u->buf_entries_ = pow2_at_least(2 * max_slots, 256, 32768);
  io_uring_params p{};
  p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  p.cq_entries = std::max<uint32_t>(2 * u->buf_entries_, 4 * sq);
  if (int r = io_uring_queue_init_params(sq, &u->ring_, &p); r < 0) {
    error = std::string("io_uring_setup: ") + std::strerror(-r);
    return nullptr;
  }
  u->ring_ok_ = true;
  if (int r = io_uring_register_files_sparse(&u->ring_, unsigned(2 * max_slots)); r < 0) {
    error = std::string("io_uring register files: ") + std::strerror(-r);
    return nullptr;
  }
  u->buf_ring_bytes_ = sizeof(io_uring_buf) * u->buf_entries_;
  void* mem = ::mmap(nullptr, u->buf_ring_bytes_, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (mem == MAP_FAILED) {
    error = "io_uring buffer ring: out of memory";
    return nullptr;
  }
  u->buf_ring_ = static_cast<io_uring_buf_ring*>(mem);
  io_uring_buf_ring_init(u->buf_ring_);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(mem);
  reg.ring_entries = u->buf_entries_;
  reg.bgid = kBufGroup;
  if (int r = io_uring_register_buf_ring(&u->ring_, &reg, 0); r < 0) {
    error = std::string("io_uring register buffer ring: ") + std::strerror(-r);
    return nullptr;
  }
  u->recv_arena_.reset(new uint8_t[size_t(u->buf_entries_) * kRecvBuffer]);
  const int mask = io_uring_buf_ring_mask(u->buf_entries_);
  for (uint32_t i = 0; i < u->buf_entries_; ++i)
    io_uring_buf_ring_add(u->buf_ring_, u->recv_arena_.get() + size_t(i) * kRecvBuffer, kRecvBuffer, uint16_t(i),
                          mask, int(i));
  io_uring_buf_ring_advance(u->buf_ring_, int(u->buf_entries_));
  // The layout of each received buffer: the sender's address (room for IPv6) and the
  // kernel's receive stamp, then the payload.
  // The control messages follow the header and the name space: a name space of a multiple of
  // 8 bytes keeps them aligned for struct cmsghdr (sizeof(sockaddr_in6) = 28 did not: UBSan).
  u->recv_template_.msg_namelen = (sizeof(sockaddr_in6) + 7) & ~size_t(7);
  u->recv_template_.msg_controllen = CMSG_SPACE(sizeof(timespec)) + CMSG_SPACE(sizeof(int));
  u->slots_.resize(max_slots);
  u->send_arena_.reset(new uint8_t[max_slots * 2 * kSendBuffer]);
  // Spares for catch-up frames: a stall of the whole worker needs up to 4 more frames a
  // stream; more than 4 per slot would only matter when every stream catches up at once, and
  // then the frames beyond it go out with sendto. The pages are touched only when used.
  const size_t spares = std::max<size_t>(256, 4 * max_slots);
  u->spare_arena_.reset(new uint8_t[spares * kSendBuffer]);
  u->spares_.resize(spares);
  u->free_spares_.reserve(spares);
  for (size_t i = spares; i-- > 0;) {
    u->spares_[i].data = u->spare_arena_.get() + i * kSendBuffer;
    u->free_spares_.push_back(uint32_t(i));
  }
  return u;
}

UringIo::~UringIo() {
  if (ring_ok_) io_uring_queue_exit(&ring_);  // closes the ring: every request is cancelled
  if (buf_ring_) ::munmap(buf_ring_, buf_ring_bytes_);
}

size_t UringIo::buffer_bytes() const {
  return buf_ring_bytes_ + size_t(buf_entries_) * kRecvBuffer + slots_.size() * (2 * kSendBuffer + sizeof(Slot)) +
         spares_.size() * (kSendBuffer + sizeof(Spare) + sizeof(uint32_t));
}

io_uring_sqe* UringIo::sqe() {
  io_uring_sqe* e = io_uring_get_sqe(&ring_);
  if (!e) {  // the SQ is full: hand it over and take a fresh one
    io_uring_submit(&ring_);
    e = io_uring_get_sqe(&ring_);
  }
  return e;
}

void UringIo::arm(uint32_t slot, bool rtcp) {
  io_uring_sqe* e = sqe();
  if (!e) return;
  io_uring_prep_recvmsg_multishot(e, int(2 * slot + (rtcp ? 1 : 0)), &recv_template_, 0);
  e->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
  e->buf_group = kBufGroup;
  io_uring_sqe_set_data64(e, make_tag(slot, rtcp, kRecv, slots_[slot].generation));
}

bool UringIo::add(uint32_t slot, int rtp_fd, int rtcp_fd) {
  if (slot >= slots_.size()) return false;
  int fds[2] = {rtp_fd, rtcp_fd};
  if (io_uring_register_files_update(&ring_, 2 * slot, fds, 2) < 0) return false;
  auto& s = slots_[slot];
  ++s.generation;
  s.open = true;
  s.rtcp_open = rtcp_fd >= 0;
  arm(slot, false);
  if (s.rtcp_open) arm(slot, true);
  return true;
}

void UringIo::remove(uint32_t slot, Sink& sink) {
  auto& s = slots_[slot];
  if (!s.open) return;
  // Cancel the slot's receives; the datagrams they completed before the cancel are delivered
  // by the reaps below, with the slot still current. Bounded: a cancel completes at once.
  for (int k = 0; k < (s.rtcp_open ? 2 : 1); ++k) {
    io_uring_sqe* e = sqe();
    if (!e) break;
    io_uring_prep_cancel_fd(e, int(2 * slot + uint32_t(k)), IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_FD_FIXED);
    io_uring_sqe_set_data64(e, make_tag(slot, k == 1, kOther, s.generation));
    ++cancels_pending_;
  }
  s.open = false;  // no re-arm from here on
  for (int round = 0; round < 64 && cancels_pending_ > 0; ++round) {
    io_uring_submit_and_wait(&ring_, 1);
    reap(sink);
  }
  cancels_pending_ = 0;
  ++s.generation;  // what still comes for the old sockets is ignored
  int none[2] = {-1, -1};
  io_uring_register_files_update(&ring_, 2 * slot, none, 2);
  s.rtcp_open = false;
}

uint8_t* UringIo::send_buffer(uint32_t slot, int buffer) {
  auto& s = slots_[slot];
  if (s.send_inflight[buffer]) return nullptr;
  return slot_buffer(slot, buffer);
}

bool UringIo::prep_send(uint32_t slot, bool rtcp_socket, const uint8_t* data, size_t len, const sockaddr* to,
                        socklen_t to_len, uint64_t tag) {
  io_uring_sqe* e = sqe();
  if (!e) return false;
  // IORING_OP_SEND with a destination: Linux 6.1, as DEFER_TASKRUN, without which there is no ring.
  io_uring_prep_send(e, int(2 * slot + (rtcp_socket ? 1 : 0)), data, len, MSG_DONTWAIT);
  io_uring_prep_send_set_addr(e, to, uint16_t(to_len));
  e->flags |= IOSQE_FIXED_FILE;
  io_uring_sqe_set_data64(e, tag);
  return true;
}

void UringIo::queue_send(uint32_t slot, int buffer, bool rtcp_socket, size_t len, const sockaddr* to,
                         socklen_t to_len) {
  auto& s = slots_[slot];
  const socklen_t n = socklen_t(std::min<size_t>(to_len, sizeof s.send_to[buffer]));
  std::memcpy(&s.send_to[buffer], to, n);
  // The buffer index rides in the RTCP bit: the completion frees that buffer.
  s.send_inflight[buffer] =
      prep_send(slot, rtcp_socket, slot_buffer(slot, buffer), len,
                reinterpret_cast<const sockaddr*>(&s.send_to[buffer]), n, make_tag(slot, buffer == 1, kSend, s.generation));
  if (!s.send_inflight[buffer]) ++send_errors_;  // the submission queue stayed full: dropped
}

uint8_t* UringIo::spare_buffer() { return free_spares_.empty() ? nullptr : spares_[free_spares_.back()].data; }

void UringIo::queue_spare_send(uint32_t slot, size_t len, const sockaddr* to, socklen_t to_len) {
  if (free_spares_.empty()) return;
  const uint32_t i = free_spares_.back();
  auto& sp = spares_[i];
  const socklen_t n = socklen_t(std::min<size_t>(to_len, sizeof sp.to));
  std::memcpy(&sp.to, to, n);
  if (prep_send(slot, false, sp.data, len, reinterpret_cast<const sockaddr*>(&sp.to), n,
                make_tag(i, false, kSpareSend, 0)))
    free_spares_.pop_back();
  else
    ++send_errors_;  // the submission queue stayed full: dropped
}

void UringIo::submit() { io_uring_submit(&ring_); }

void UringIo::recycle(uint16_t bid) {
  io_uring_buf_ring_add(buf_ring_, recv_arena_.get() + size_t(bid) * kRecvBuffer, kRecvBuffer, bid,
                        io_uring_buf_ring_mask(buf_entries_), recycled_++);
}

void UringIo::handle(const io_uring_cqe* cqe, Sink& sink) {
  const uint64_t t = cqe->user_data;
  const uint32_t slot = tag_slot(t);
  const bool rtcp = tag_rtcp(t);
  const Op op = tag_op(t);
  if (op == kSpareSend) {
    if (slot < spares_.size()) free_spares_.push_back(slot);
    if (cqe->res < 0) ++send_errors_;
    return;
  }
  if (slot >= slots_.size()) return;
  auto& s = slots_[slot];
  if (op == kSend) {
    s.send_inflight[rtcp] = false;  // the buffer is free whatever became of the slot
    if (cqe->res < 0) ++send_errors_;
    return;
  }
  if (op == kOther) {
    if (cancels_pending_ > 0) --cancels_pending_;
    return;
  }
  const bool current = tag_gen(t) == s.generation;
  if (cqe->flags & IORING_CQE_F_BUFFER) {
    const uint16_t bid = uint16_t(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
    uint8_t* buf = recv_arena_.get() + size_t(bid) * kRecvBuffer;
    if (current && cqe->res > 0) {
      io_uring_recvmsg_out* o = io_uring_recvmsg_validate(buf, cqe->res, &recv_template_);
      if (o && (o->flags & MSG_TRUNC)) {
        ++truncated_;
      } else if (o) {
        sockaddr_storage from{};
        std::memcpy(&from, io_uring_recvmsg_name(o), std::min<size_t>(o->namelen, sizeof(sockaddr_in6)));
        uint64_t arrival = 0;
        for (cmsghdr* c = io_uring_recvmsg_cmsg_firsthdr(o, &recv_template_); c;
             c = io_uring_recvmsg_cmsg_nexthdr(o, &recv_template_, c)) {
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec ts;
            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            arrival = uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
          }
        }
        if (arrival == 0) {
          timespec ts;
          clock_gettime(CLOCK_REALTIME, &ts);
          arrival = uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
        }
        auto* payload = static_cast<uint8_t*>(io_uring_recvmsg_payload(o, &recv_template_));
        const size_t len = io_uring_recvmsg_payload_length(o, cqe->res, &recv_template_);
        sink.on_datagram(slot, rtcp, payload, len, from, arrival);
      }
    }
    recycle(bid);
  }
  // A multishot receive ends on an error, most often ENOBUFS (every buffer was in use this
  // tick): the packets wait in the socket, and a new receive picks them up.
  if (!(cqe->flags & IORING_CQE_F_MORE) && current && s.open && (!rtcp || s.rtcp_open)) arm(slot, rtcp);
}

void UringIo::reap(Sink& sink) {
  // With DEFER_TASKRUN the receives run inside io_uring_enter; each call runs a bounded
  // share of the pending work, so call again until a call brings nothing new, or until a
  // tick's share is handled: twice the receive buffers. Under a flood every round brought
  // more, and the worker's tick, sending and commands waited for seconds. What is left
  // stays in the ring (its receives hold buffers until handled, so it cannot overflow) and in
  // the sockets.
  const size_t budget = 2 * size_t(buf_entries_);
  size_t handled = 0;
  for (int round = 0; round < 4096 && handled < budget; ++round) {
    io_uring_submit_and_get_events(&ring_);
    unsigned head, seen = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      handle(cqe, sink);
      ++seen;
    }
    io_uring_cq_advance(&ring_, seen);
    handled += seen;
    if (recycled_) {
      io_uring_buf_ring_advance(buf_ring_, recycled_);
      recycled_ = 0;
    }
    if (seen == 0) return;
  }
}

}  // namespace hark::media
