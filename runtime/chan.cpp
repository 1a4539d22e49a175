// Channels (Go's chan.go): the handoff, the buffer, close, and the blocking paths.
#include "chan.hpp"

#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "fatal.hpp"
#include "fixalloc.hpp"

namespace ft::rt {

namespace {
constinit FixAlloc chan_cores{kChanCoreBytes};

std::atomic<uint64_t> next_chan_id{1};

// Names of live channels, kept whether or not a trace is running, so that a session started
// later can name them too. Naming is rare and off every hot path: a mutex and a map.
struct Names {
  std::mutex mu;
  std::unordered_map<uint64_t, std::string> by_id;
};
Names& names() {
  static Names* n = new Names;  // never destroyed: channels may outlive static destructors
  return *n;
}

void unlock_chan(void* c) {
  static_cast<ChanCore*>(c)->lock.unlock();
}

Block waiting_for(const Waiter* w, Block op) {
  return w->sel ? Block::Select : op;
}
}  // namespace

void WaitList::push(Waiter* w) {
  w->next = nullptr;
  w->prev = last;
  if (last)
    last->next = w;
  else
    first = w;
  last = w;
  w->queued = true;
  n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
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
  n.store(n.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
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

namespace {
// Lock held: claims the first waiter on the other side of a send (recv), if any, marks it
// served and sets it as the fiber `a` wakes.
Waiter* claim_partner(ChanCore* c, bool send, Attempt& a) {
  Waiter* w = (send ? c->recvq : c->sendq).dequeue();
  if (w) {
    w->success = true;
    a.wake = w->g;
    a.wake_reason = waiting_for(w, send ? Block::ChanRecv : Block::ChanSend);
  }
  return w;
}

// Buffered channels: the ring operation, then the waiter it may unblock on the other side
// (which retries). Lock held: used by select and by the slow paths.
Attempt ring_try(ChanCore* c, void* elem, bool send) {
  Attempt a;
  const Ring::Result r = send ? c->ring->push(elem) : c->ring->pop(elem);
  if (r == Ring::Blocked) return a;
  a.done = true;
  a.ok = r == Ring::Ok;
  if (a.ok) claim_partner(c, send, a);
  return a;
}
}  // namespace

Attempt send_try(ChanCore* c, void* elem) {
  FT_RULE(c->lock.held(), "channel lock held in send_try");
  Attempt a;
  if (c->closed) return a;  // caller throws
  if (c->ring) return ring_try(c, elem, true);
  if (Waiter* w = claim_partner(c, true, a)) {
    // A receiver is parked: hand the value straight to it.
    c->ops->move_construct(w->elem, elem);
    a.done = true;
  }
  return a;
}

Attempt recv_try(ChanCore* c, void* out) {
  FT_RULE(c->lock.held(), "channel lock held in recv_try");
  Attempt a;
  if (c->ring) return ring_try(c, out, false);
  if (Waiter* w = claim_partner(c, false, a)) {
    c->ops->move_construct(out, w->elem);
    a.done = true;
  } else if (c->closed) {
    a.done = true;
    a.ok = false;
  }
  return a;
}

void wake(const Attempt& a, ChanCore* c) {
  if (a.wake) ready(a.wake, a.wake_reason, c->id);
}

void* chan_core_alloc() {
  M* m = this_m();
  if (m && m->p) return cache_get(m->p->chans, m->p->nchans, chan_cores);
  void* c;
  chan_cores.alloc_batch(&c, 1);
  return c;
}

void chan_core_free(void* c) {
  M* m = this_m();
  if (m && m->p) return cache_put(m->p->chans, m->p->nchans, chan_cores, c);
  chan_cores.free_batch(&c, 1);
}

void chan_cores_drain(P* p) {
  chan_cores.free_batch(p->chans, p->nchans);
  p->nchans = 0;
}

void chan_describe_names() {
  std::lock_guard<std::mutex> g(names().mu);
  for (const auto& [id, name] : names().by_id) rec::chan_name(id, name);
}

}  // namespace ft::rt

// The entry points <ft/chan.hpp> declares.
namespace ft::detail {
using namespace ft::rt;

ChanCore* chan_new(const ElemOps* ops, long cap) {
  if (cap < 0) throw std::invalid_argument("ft::Chan: negative buffer size");
  static_assert(sizeof(ChanCore) <= rt::kChanCoreBytes && alignof(ChanCore) <= 16);
  std::unique_ptr<Ring> ring(cap > 0 ? new Ring(ops, static_cast<size_t>(cap)) : nullptr);
  auto* c = new (rt::chan_core_alloc()) ChanCore;  // both may throw std::bad_alloc
  c->ops = ops;
  c->cap = static_cast<size_t>(cap);
  c->ring = ring.release();
  c->id = next_chan_id.fetch_add(1, std::memory_order_relaxed);
  return c;
}

void chan_ref(ChanCore* c) {
  c->refs.fetch_add(1, std::memory_order_relaxed);
}

void chan_unref(ChanCore* c) {
  if (c->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (c->named) {
    std::lock_guard<std::mutex> g(names().mu);
    names().by_id.erase(c->id);
  }
  delete c->ring;
  c->~ChanCore();
  rt::chan_core_free(c);
}

namespace {
// A buffered channel's operation without the lock. After a push (pop), a parked receiver
// (sender) may be waiting for exactly this value (room): the count is read after the ring's
// seq_cst CAS, and is zero on the hot path (one load of a line nobody writes).
Ring::Result ring_op(ChanCore* c, void* elem, bool send) {
  const Ring::Result r = send ? c->ring->push(elem) : c->ring->pop(elem);
  if (r == Ring::Ok && (send ? c->recvq : c->sendq).n.load(std::memory_order_seq_cst) != 0) {
    Attempt a;
    c->lock.lock();
    claim_partner(c, send, a);
    c->lock.unlock();
    wake(a, c);
  }
  return r;
}

// Parks the running fiber in sendq (send) or recvq until a partner or close() wakes it.
// Entered with the lock held, returns with it released: false without parking when a
// buffered channel's ring changed meanwhile (retry), else true and the Waiter's verdict.
[[gnu::always_inline]] inline bool wait(ChanCore* c, void* elem, bool send, bool* success) {
  rt::M* m = rt::this_m();
  if (!m || !m->cur) {
    c->lock.unlock();
    rt::misuse("blocking Chan::%s called outside a fiber (call it from inside ft::run)",
               send ? "send" : "recv");
  }
  WaitList& q = send ? c->sendq : c->recvq;
  Waiter w;
  w.g = m->cur;
  w.elem = elem;
  q.push(&w);
  if (may_proceed(c, send)) {
    q.remove(&w);
    c->lock.unlock();
    return false;
  }
  rt::park(unlock_chan, c, send ? Block::ChanSend : Block::ChanRecv, c->id);
  *success = w.success;
  return true;
}

// A buffered channel's blocking operation: Ring::Ok or Ring::Closed.
Ring::Result ring_wait(ChanCore* c, void* elem, bool send) {
  for (bool woken;;) {
    const Ring::Result r = ring_op(c, elem, send);
    if (r != Ring::Blocked) return r;
    c->lock.lock();
    wait(c, elem, send, &woken);  // woken or not: the ring has changed, look again
  }
}
}  // namespace

void chan_send(ChanCore* c, void* elem) {
  if (c->ring) {
    if (ring_wait(c, elem, true) == Ring::Closed) throw ChanClosed();
    return;
  }
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
  bool sent = false;
  wait(c, elem, true, &sent);
  if (!sent) throw ChanClosed();
}

bool chan_recv(ChanCore* c, void* out) {
  if (c->ring) return ring_wait(c, out, false) == Ring::Ok;
  c->lock.lock();
  Attempt a = recv_try(c, out);
  if (a.done) {
    c->lock.unlock();
    wake(a, c);
    return a.ok;
  }
  bool got = false;
  wait(c, out, false, &got);
  return got;
}

int chan_try_send(ChanCore* c, void* elem) {
  if (c->ring) {
    const Ring::Result r = ring_op(c, elem, true);
    if (r == Ring::Closed) throw ChanClosed();
    return r == Ring::Ok;
  }
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
  if (c->ring) {
    const Ring::Result r = ring_op(c, out, false);
    return r == Ring::Ok ? 1 : r == Ring::Closed ? -1 : 0;
  }
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
  if (c->ring) c->ring->close();
  // Collect every waiter under the lock, wake them after: receivers get "closed" (of a
  // buffered channel: they retry and drain what is left), senders throw ChanClosed.
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
  return c->ring ? c->ring->size() : 0;
}
size_t chan_cap(const ChanCore* c) {
  return c->cap;
}
uint64_t chan_id(const ChanCore* c) {
  return c->id;
}

void chan_set_name(ChanCore* c, std::string_view name) {
  {
    std::lock_guard<std::mutex> g(names().mu);
    names().by_id[c->id] = std::string(name);
    c->named = true;
  }
  if (rt::rec::active()) rt::rec::chan_name(c->id, name);
}

}  // namespace ft::detail
