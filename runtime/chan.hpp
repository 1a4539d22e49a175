// Channel internals shared by chan.cpp and select.cpp.
//
// Unbuffered channels (Go's handoff), all under `lock`:
//  - recvq non-empty => no sender can proceed, and the other way round: a value passes
//    straight from a sender to a parked receiver's Waiter (or back);
// Buffered channels keep their values in a lock-free Ring (ring.hpp): a send or receive that
// does not have to wait takes no lock. `lock` guards only the wait queues and `closed`.
//  - A fiber that found the ring full (empty) registers a Waiter in sendq (recvq) under the
//    lock, then re-checks the ring before parking; an operation that succeeded on the ring
//    then reads the opposite queue's count and, if non-zero, wakes one waiter under the lock.
//    Both sides order "write mine, read theirs" with seq_cst, so at least one of them sees
//    the other (Dekker): no wake-up is lost. A woken waiter retries; it may lose the race to
//    a fiber that did not wait, and waits again.
// Common to both:
//  - a Waiter (Go's sudog) lives on its parked fiber's stack; it is linked in at most one
//    queue per channel and only while its fiber is parked or about to park.
#pragma once

#include <atomic>
#include <cstdint>

#include "ft/chan.hpp"
#include "ring.hpp"
#include "sched.hpp"
#include "spinlock.hpp"

namespace ft::rt {
using detail::ChanCore;
using detail::ElemOps;

// Channel cores come from a fixed-size allocator (fixalloc.hpp): from the running P's cache,
// else the shared pool; any thread, inside ft::run or not. kChanCoreBytes is the object size
// (chan.cpp asserts ChanCore fits). chan_cores_drain: p's cache back to the pool (end of run).
inline constexpr size_t kChanCoreBytes = 128;
void* chan_core_alloc();
void chan_core_free(void* c);
void chan_cores_drain(P* p);

struct SelectState {
  std::atomic<int> done{-1};  // index of the case that won, or -1
};

struct Waiter {
  Fiber* g = nullptr;
  void* elem = nullptr;  // value to send / room to receive into
  Waiter* next = nullptr;
  Waiter* prev = nullptr;
  SelectState* sel = nullptr;
  int index = 0;  // case index within its select
  bool queued = false;
  bool success = false;                         // a value was transferred (false: woken by close)
  trace::Block woken_for = trace::Block::None;  // close(): the reason to report on wake-up
};

struct WaitList {
  Waiter* first = nullptr;
  Waiter* last = nullptr;
  std::atomic<uint32_t> n{0};  // waiters linked: written under the lock, read without it
  void push(Waiter* w);
  void remove(Waiter* w);
  // Next waiter that may be woken: for select waiters, claims their select first.
  Waiter* dequeue();
};

}  // namespace ft::rt

// Declared (opaque) in <ft/chan.hpp>, whose Chan<T> holds a pointer to one.
namespace ft::detail {
struct ChanCore {
  std::atomic<int64_t> refs{1};
  rt::SpinLock lock;
  const ElemOps* ops;
  size_t cap = 0;
  rt::Ring* ring = nullptr;  // buffered channels only
  bool closed = false;
  bool named = false;  // has an entry in the name registry (chan.cpp)
  rt::WaitList recvq, sendq;
  uint64_t id = 0;
};
}  // namespace ft::detail

namespace ft::rt {

// Records a ChanName event for every live channel the user has named: a trace that starts
// after the naming still shows the names (called from the tracer's start-of-trace snapshot).
void chan_describe_names();

// The non-blocking halves of send and receive, with `c->lock` held (and still held on
// return, so that select can try several channels under their locks). `done` tells whether
// the operation happened; `wake` is the partner to ready once the lock is released.
// send_try on a closed channel does nothing: callers check `closed` and throw.
struct Attempt {
  bool done = false;
  bool ok = true;  // receive: false when the channel was closed and drained
  Fiber* wake = nullptr;
  trace::Block wake_reason = trace::Block::None;
};
Attempt send_try(ChanCore* c, void* elem);
Attempt recv_try(ChanCore* c, void* out);
void wake(const Attempt& a, ChanCore* c);
// Whether a waiter registered on `c` should retry instead of parking (buffered channels: the
// ring changed between the failed attempt and the registration). Call with the lock held.
inline bool may_proceed(ChanCore* c, bool send) {
  if (!c->ring) return false;  // unbuffered: everything is decided under the lock
  return send ? c->ring->may_push() : c->ring->may_pop();
}

}  // namespace ft::rt
