// The global run queue: fibers no P's local queue holds — a local queue's overflow, fibers
// readied where there is no P (timers, syscall exits), yields to the back.
//
// A FIFO of fixed arrays of fiber pointers, not a list linked through the fiber records as
// Go's schedlink: moving half a local queue in or out then reads no record at all. Linked, each
// move read 128 cold records one after another, a dependent cache miss each, under the lock:
// 14% of skynet's time went to that one load (perf).
//
// Every operation takes the spin lock. size() reads without it, for the "is there any work"
// checks; its updates are seq_cst RMWs, which those checks pair with (proc.cpp).
// Emptied arrays are kept for reuse (8 bytes per queued fiber at the peak), released by clear().
#pragma once

#include <atomic>
#include <cstdint>

#include "runq.hpp"
#include "spinlock.hpp"

namespace ft::rt {

class GlobalQueue {
 public:
  GlobalQueue() = default;
  GlobalQueue(const GlobalQueue&) = delete;
  GlobalQueue& operator=(const GlobalQueue&) = delete;
  ~GlobalQueue();

  // At the back, in order.
  void put(Fiber* const* fs, uint32_t n);
  void put(Fiber* f) { put(&f, 1); }
  // From the front: a fair share for one of `procs` Ps, at most max (≥ 1). Returns the first;
  // the others go into q as far as it has room. nullptr when empty.
  Fiber* get(RunQ& q, uint32_t max, int procs);
  uint32_t size() const { return size_.load(); }
  // Forgets every queued fiber (end of ft::run: they are abandoned with their records).
  void clear();

 private:
  static constexpr uint32_t kBatch = 254;  // a batch is 2 KiB
  struct Batch {
    Batch* next;
    uint32_t head, tail;  // f[head..tail) are queued; never empty while linked
    Fiber* f[kBatch];
  };
  Batch* fresh();      // lock_ held
  Fiber* pop_front();  // lock_ held, queue not empty

  SpinLock lock_;
  Batch* first_ = nullptr;
  Batch* last_ = nullptr;
  Batch* spare_ = nullptr;  // emptied batches
  std::atomic<uint32_t> size_{0};
};

}  // namespace ft::rt
