// A proc's local run queue: a fixed ring written only by its owner at the tail, consumed at
// the head by the owner and by thieves (CAS on head). As Go's runq: a push never waits; when
// the ring is full half of it moves to the global queue.
//
// Cost: push = one relaxed load + store + release store (~1 ns); pop = one CAS.
#pragma once

#include <atomic>
#include <cstdint>

namespace ft::detail {
struct Fiber;
}

namespace ft::rt {

using detail::Fiber;

class RunQ {
 public:
  static constexpr uint32_t kSize = 256;

  // Owner only. False when full (caller spills).
  bool push(Fiber* f) {
    uint32_t h = head_.load(std::memory_order_acquire);
    uint32_t t = tail_.load(std::memory_order_relaxed);
    if (t - h >= kSize) return false;
    buf_[t % kSize].store(f, std::memory_order_relaxed);
    tail_.store(t + 1, std::memory_order_release);
    return true;
  }

  // Owner or thief.
  Fiber* pop() {
    uint32_t h = head_.load(std::memory_order_acquire);
    for (;;) {
      uint32_t t = tail_.load(std::memory_order_acquire);
      if (t == h) return nullptr;
      Fiber* f = buf_[h % kSize].load(std::memory_order_relaxed);
      if (head_.compare_exchange_weak(h, h + 1, std::memory_order_acq_rel)) return f;
    }
  }

  // Thief: takes up to half of the queue into out[]; returns how many.
  uint32_t grab(Fiber** out, uint32_t max) {
    uint32_t h = head_.load(std::memory_order_acquire);
    for (;;) {
      uint32_t t = tail_.load(std::memory_order_acquire);
      uint32_t n = t - h;
      n -= n / 2;
      if (n > max) n = max;
      if (n == 0 || n > kSize) return 0;  // n > kSize: torn read of a moving queue
      for (uint32_t i = 0; i < n; ++i)
        out[i] = buf_[(h + i) % kSize].load(std::memory_order_relaxed);
      if (head_.compare_exchange_weak(h, h + n, std::memory_order_acq_rel)) return n;
    }
  }

  uint32_t size() const {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
  }
  bool empty() const { return size() == 0; }

 private:
  alignas(64) std::atomic<uint32_t> head_{0};
  alignas(64) std::atomic<uint32_t> tail_{0};
  std::atomic<Fiber*> buf_[kSize];
};

}  // namespace ft::rt
