// A bounded single-producer/single-consumer queue with an eventfd to wake the consumer.
//
// The media workers never block and never lock: commands reach a worker and events leave it
// through these. Design (after rigtorp's SPSCQueue):
//  - capacity is a power of two; head and tail are free-running counters, so full and empty
//    need no spare slot;
//  - each index sits on its own cache line, and each side keeps a cached copy of the other's
//    index, so the producer and the consumer rarely touch the same line;
//  - push() stores the element, then publishes it with a release store of the tail; pop()
//    reads the tail with acquire, so it sees the element fully written;
//  - the eventfd is written only when the queue goes from empty to non-empty (the consumer
//    may be asleep in epoll_wait); the consumer reads it before draining, so a wake-up is never
//    lost: an item pushed after the drain finds the queue empty again and signals.
//  - That last step is Dekker's pattern: the producer writes tail then reads head, the consumer
//    writes head then reads tail. Release/acquire alone lets both reads see the old values (the
//    store buffer reorders a store with a later load, also on x86): the producer then skipped
//    the signal while the consumer went to sleep on a non-empty queue, and since the queue never
//    became empty again no later push signalled either. A worker stopped taking commands for
//    good (calls without audio, a shutdown that never arrived). A seq_cst fence on each side
//    between the write and the read rules that out.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>

namespace hark::media {

template <class T>
class SpscQueue {
  static_assert(std::is_trivially_copyable_v<T>, "queue elements are copied bytewise");

 public:
  /// `capacity` is rounded up to a power of two.
  explicit SpscQueue(size_t capacity) {
    size_t c = 1;
    while (c < capacity) c <<= 1;
    mask_ = c - 1;
    slots_ = std::make_unique<T[]>(c);
    fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error("eventfd failed");
  }
  ~SpscQueue() { ::close(fd_); }
  SpscQueue(const SpscQueue&) = delete;
  SpscQueue& operator=(const SpscQueue&) = delete;

  /// Producer: appends `v`; false when full (the caller counts the drop). With `keep_free`,
  /// also false unless that many slots stay free after it: room held back for elements that
  /// must not be dropped.
  bool push(const T& v, size_t keep_free = 0) {
    const size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_cache_ + keep_free > mask_) {
      head_cache_ = head_.load(std::memory_order_acquire);
      if (tail - head_cache_ + keep_free > mask_) return false;
    }
    slots_[tail & mask_] = v;
    tail_.store(tail + 1, std::memory_order_release);
    // Wake the consumer only on empty -> non-empty (the fence: see the header comment).
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (tail == head_.load(std::memory_order_acquire)) signal();
    return true;
  }

  /// Consumer: takes the oldest element, if any.
  std::optional<T> pop() {
    const size_t head = head_.load(std::memory_order_relaxed);
    if (head == tail_cache_) {
      // Looks empty: order our last head_ store before this read of tail_ (header comment).
      std::atomic_thread_fence(std::memory_order_seq_cst);
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head == tail_cache_) return std::nullopt;
    }
    T v = slots_[head & mask_];
    head_.store(head + 1, std::memory_order_release);
    return v;
  }

  /// The fd to poll for readability; call clear_wakeup() before draining.
  int wakeup_fd() const { return fd_; }
  void clear_wakeup() {
    uint64_t n;
    [[maybe_unused]] auto r = ::read(fd_, &n, sizeof n);
  }
  size_t capacity() const { return mask_ + 1; }

 private:
  void signal() {
    const uint64_t one = 1;
    [[maybe_unused]] auto r = ::write(fd_, &one, sizeof one);
  }

  static constexpr size_t kLine = 64;
  alignas(kLine) std::atomic<size_t> head_{0};
  size_t tail_cache_ = 0;  // consumer's copy of tail_
  alignas(kLine) std::atomic<size_t> tail_{0};
  size_t head_cache_ = 0;  // producer's copy of head_
  alignas(kLine) size_t mask_ = 0;
  std::unique_ptr<T[]> slots_;
  int fd_ = -1;
};

}  // namespace hark::media
