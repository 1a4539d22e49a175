// The one parking primitive: a 32-bit futex word. wait() sleeps only while *w == expected,
// so a wake() that raced ahead is never lost (the caller re-checks its condition after).
#pragma once

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <ctime>

namespace ft::rt {

inline void futex_wait(std::atomic<uint32_t>* w, uint32_t expected, int64_t timeout_ns = -1) {
  timespec ts, *tp = nullptr;
  if (timeout_ns >= 0) {
    ts.tv_sec = timeout_ns / 1000000000;
    ts.tv_nsec = timeout_ns % 1000000000;
    tp = &ts;
  }
  ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(w), FUTEX_WAIT_PRIVATE, expected, tp, nullptr,
            0);
}

inline void futex_wake(std::atomic<uint32_t>* w, int n = 1) {
  ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(w), FUTEX_WAKE_PRIVATE, n, nullptr, nullptr, 0);
}

// A binary semaphore for parking one thread: post() before wait() is remembered.
struct Note {
  std::atomic<uint32_t> v{0};
  void post() {
    if (v.exchange(1, std::memory_order_release) == 0) futex_wake(&v);
  }
  // Returns after a post(), or after timeout_ns (>= 0) without one.
  void wait(int64_t timeout_ns = -1) {
    while (v.exchange(0, std::memory_order_acquire) == 0) {
      futex_wait(&v, 0, timeout_ns);
      if (timeout_ns >= 0) {
        v.exchange(0, std::memory_order_acquire);
        return;
      }
    }
  }
};

inline void cpu_relax() {
  __builtin_ia32_pause();
}

// Waiting for another thread a few instructions from done: spin with growing pauses, then
// yield the CPU, in case that thread was preempted (on a loaded machine two workers can share
// one core, and a spinning waiter would burn the other's time slice).
struct Backoff {
  int step = 0;
  void snooze() {
    if (step < 7) {
      for (int i = 0; i < 1 << step; ++i) cpu_relax();
      ++step;
    } else {
      ::sched_yield();
    }
  }
};

}  // namespace ft::rt
