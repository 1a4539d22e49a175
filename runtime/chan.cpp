// Channels (Go's chan.go): the handoff, the buffer, close, and the blocking paths.
#include "chan.hpp"

#include <sched.h>

#include <cstdlib>
#include <cstring>

#include "fatal.hpp"

namespace ft::detail {
using rt::Block;

namespace {
std::atomic<uint64_t> next_chan_id{1};

void unlock_chan(void* c) {
  static_cast<ChanCore*>(c)->lock.unlock();
}

Block waiting_for(const Waiter* w, Block op) {
  return w->sel ? Block::Select : op;
}
}  // namespace

void SpinLock::lock() {
  // Test-and-test-and-set with exponential back-off: under contention every failed exchange
  // moves the line between cores, so waiters space their attempts out.
  for (int backoff = 1; held.exchange(true, std::memory_order_acquire);) {
    while (held.load(std::memory_order_relaxed)) {
      for (int i = 0; i < backoff; ++i) rt::cpu_relax();
      if (backoff < 64) {
        backoff <<= 1;
      } else {
        ::sched_yield();  // the holder may have been preempted: let it run
      }
    }
  }
}

void WaitList::push(Waiter* w) {
  w->next = nullptr;
  w->prev = last;
  if (last)
    last->next = w;
  else
    first = w;
  last = w;
  w->queued = true;
}

void WaitList::remove(Waiter* w) {
  if (!w->queued) return;
  if (w->prev)
    w->prev->next = w->next;
  else
    first = w->next;
  if (w->next)
    w->next->prev = w->prev;
  else
    last = w->prev;
  w->next = w->prev = nullptr;
  w->queued = false;
}

Waiter* WaitList::dequeue() {
  while (Waiter* w = first) {
    remove(w);
    if (!w->sel) return w;
    int expect = -1;
    if (w->sel->done.compare_exchange_strong(expect, w->index)) return w;
    // That select already won on another case; its fiber removes its other waiters.
  }
  return nullptr;
}

Attempt send_try(ChanCore* c, void* elem) {
  Attempt a;
  if (c->closed) return a;  // caller throws
  if (Waiter* w = c->recvq.dequeue()) {
    // A receiver is parked: hand the value straight to it (the buffer is empty).
    c->ops->move_construct(w->elem, elem);
    w->success = true;
    a = {true, true, w->g, waiting_for(w, Block::ChanRecv)};
  } else if (c->count < c->cap) {
    c->ops->move_construct(c->slot((c->head + c->count) % c->cap), elem);
    ++c->count;
    a.done = true;
  }
  return a;
}

Attempt recv_try(ChanCore* c, void* out) {
  Attempt a;
  if (Waiter* w = c->sendq.dequeue()) {
    if (c->cap == 0) {
      c->ops->move_construct(out, w->elem);
    } else {
      // Full buffer: take its head, the parked sender's value takes the freed tail slot.
      void* h = c->slot(c->head);
      c->ops->move_construct(out, h);
      c->ops->destroy(h);
      c->ops->move_construct(h, w->elem);
      c->head = (c->head + 1) % c->cap;
    }
    w->success = true;
    a = {true, true, w->g, waiting_for(w, Block::ChanSend)};
  } else if (c->count > 0) {
    void* h = c->slot(c->head);
    c->ops->move_construct(out, h);
    c->ops->destroy(h);
    c->head = (c->head + 1) % c->cap;
    --c->count;
    a.done = true;
  } else if (c->closed) {
    a.done = true;
    a.ok = false;
  }
  return a;
}

void wake(const Attempt& a, ChanCore* c) {
  if (a.wake) rt::ready(a.wake, a.wake_reason, c->id);
}

ChanCore* chan_new(const ElemOps* ops, long cap) {
  if (cap < 0) throw std::invalid_argument("ft::Chan: negative buffer size");
  auto* c = new ChanCore;
  c->ops = ops;
  c->cap = static_cast<size_t>(cap);
  if (cap > 0) {
    c->buf = static_cast<char*>(std::malloc(c->cap * ops->size));
    if (!c->buf) throw std::bad_alloc();
  }
  c->id = next_chan_id.fetch_add(1, std::memory_order_relaxed);
  return c;
}

void chan_ref(ChanCore* c) {
  c->refs.fetch_add(1, std::memory_order_relaxed);
}

void chan_unref(ChanCore* c) {
  if (c->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  for (size_t i = 0; i < c->count; ++i) c->ops->destroy(c->slot((c->head + i) % c->cap));
  std::free(c->buf);
  delete c;
}

void chan_send(ChanCore* c, void* elem) {
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    throw ChanClosed();
  }
  Attempt a = send_try(c, elem);
  if (a.done) {
    c->lock.unlock();
    wake(a, c);
    return;
  }
  rt::M* m = rt::this_m();
  if (!m || !m->cur) {
    c->lock.unlock();
    rt::misuse("blocking Chan::send called outside a fiber (call it from inside ft::run)");
  }
  Waiter w;
  w.g = m->cur;
  w.elem = elem;
  c->sendq.push(&w);
  rt::park(unlock_chan, c, Block::ChanSend, c->id);
  if (!w.success) throw ChanClosed();
}

bool chan_recv(ChanCore* c, void* out) {
  c->lock.lock();
  Attempt a = recv_try(c, out);
  if (a.done) {
    c->lock.unlock();
    wake(a, c);
    return a.ok;
  }
  rt::M* m = rt::this_m();
  if (!m || !m->cur) {
    c->lock.unlock();
    rt::misuse("blocking Chan::recv called outside a fiber (call it from inside ft::run)");
  }
  Waiter w;
  w.g = m->cur;
  w.elem = out;
  c->recvq.push(&w);
  rt::park(unlock_chan, c, Block::ChanRecv, c->id);
  return w.success;
}

int chan_try_send(ChanCore* c, void* elem) {
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    throw ChanClosed();
  }
  Attempt a = send_try(c, elem);
  c->lock.unlock();
  wake(a, c);
  return a.done ? 1 : 0;
}

int chan_try_recv(ChanCore* c, void* out) {
  c->lock.lock();
  Attempt a = recv_try(c, out);
  c->lock.unlock();
  wake(a, c);
  if (!a.done) return 0;
  return a.ok ? 1 : -1;
}

void chan_close(ChanCore* c) {
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    rt::misuse("close of closed channel (chan %llu)", static_cast<unsigned long long>(c->id));
  }
  c->closed = true;
  // Collect every waiter under the lock, wake them after: receivers get "closed", senders
  // throw ChanClosed when they resume.
  Waiter* woken = nullptr;
  for (WaitList* q : {&c->recvq, &c->sendq})
    while (Waiter* w = q->dequeue()) {
      w->success = false;
      w->woken_for = w->sel ? Block::Select : q == &c->recvq ? Block::ChanRecv : Block::ChanSend;
      w->next = woken;
      woken = w;
    }
  c->lock.unlock();
  while (woken) {
    // Read everything before ready(): w lives on a stack that may resume at once.
    Waiter* w = woken;
    woken = w->next;
    rt::ready(w->g, w->woken_for, c->id);
  }
}

size_t chan_len(const ChanCore* c) {
  return c->count;
}
size_t chan_cap(const ChanCore* c) {
  return c->cap;
}
uint64_t chan_id(const ChanCore* c) {
  return c->id;
}

void chan_set_name(ChanCore* c, std::string_view name) {
  if (rt::rec::active()) rt::rec::chan_name(c->id, name);
}

}  // namespace ft::detail
