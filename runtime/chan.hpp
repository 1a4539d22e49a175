// Channel internals shared by chan.cpp and select.cpp.
//
// Invariants (all under `lock`):
//  - recvq non-empty  =>  count == 0 (receivers wait only on an empty channel);
//  - sendq non-empty  =>  count == cap (senders wait only on a full one);
//  - a Waiter (Go's sudog) lives on its parked fiber's stack; it is linked in at most one
//    queue per channel and only while its fiber is parked or about to park.
// A select waits with one Waiter per case, all sharing a SelectState; a waker claims the
// whole select by CAS on `done` and skips waiters whose select was already claimed.
#pragma once

#include <atomic>
#include <cstdint>

#include "ft/chan.hpp"
#include "ft/sync.hpp"
#include "sched.hpp"

namespace ft::detail {

struct SelectState {
  std::atomic<int> done{-1};  // index of the case that won, or -1
};

struct Waiter {
  rt::Fiber* g = nullptr;
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
  void push(Waiter* w);
  void remove(Waiter* w);
  // Next waiter that may be woken: for select waiters, claims their select first.
  Waiter* dequeue();
};

struct ChanCore {
  std::atomic<int64_t> refs{1};
  SpinLock lock;
  const ElemOps* ops;
  size_t cap = 0;
  size_t count = 0;
  size_t head = 0;  // next slot to receive from
  char* buf = nullptr;
  bool closed = false;
  WaitList recvq, sendq;
  uint64_t id = 0;

  void* slot(size_t i) { return buf + i * ops->size; }
};

// The non-blocking halves of send and receive, with `c->lock` held (and still held on
// return, so that select can try several channels under their locks). `done` tells whether
// the operation happened; `wake` is the partner to ready once the lock is released.
// send_try on a closed channel throws ChanClosed after unlocking nothing: callers unlock.
struct Attempt {
  bool done = false;
  bool ok = true;  // receive: false when the channel was closed and drained
  rt::Fiber* wake = nullptr;
  trace::Block wake_reason = trace::Block::None;
};
Attempt send_try(ChanCore* c, void* elem);
Attempt recv_try(ChanCore* c, void* out);
void wake(const Attempt& a, ChanCore* c);

}  // namespace ft::detail
