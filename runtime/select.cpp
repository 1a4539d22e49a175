// select (Go's selectgo): poll the cases in random order under all their locks; if none is
// ready, wait on all of them at once and let the first waker claim the whole select.
#include <algorithm>

#include "chan.hpp"
#include "fatal.hpp"
#include "ft/select.hpp"
#include "timer.hpp"

namespace ft::rt {
using detail::SelCase;

namespace {
constexpr int kMaxCases = 64;

struct LockSet {
  ChanCore* chans[kMaxCases];
  int n = 0;
  void lock() {
    for (int i = 0; i < n; ++i) chans[i]->lock.lock();
  }
  void unlock() {
    for (int i = n - 1; i >= 0; --i) chans[i]->lock.unlock();
  }
};

thread_local uint64_t rng = 0x853C49E6748FEA9Bull;
uint32_t fastrand() {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return static_cast<uint32_t>(rng >> 32);
}

struct Parked {
  LockSet* locks;
  rt::Timer* timer;
};
// Waits on every case at once: one Waiter per case, all sharing one SelectState. Entered
// with all the locks held, returns with them released: the index of the case whose waker
// claimed the select (n: the deadline, if > 0, passed), or -1 without parking when a buffered
// channel's ring changed while the waiters were being registered.
int wait_all(SelCase* cases, int n, LockSet& ls, int64_t deadline, bool* success) {
  rt::M* m = rt::this_m();
  if (!m || !m->cur) {
    ls.unlock();
    rt::misuse("blocking ft::select called outside a fiber (call it from inside ft::run)");
  }
  SelectState st;
  Waiter ws[kMaxCases];
  for (int i = 0; i < n; ++i) {
    ws[i].g = m->cur;
    ws[i].elem = cases[i].elem;
    ws[i].sel = &st;
    ws[i].index = i;
    (cases[i].send ? cases[i].chan->sendq : cases[i].chan->recvq).push(&ws[i]);
  }
  auto unlink = [&] {
    for (int i = 0; i < n; ++i)
      (cases[i].send ? cases[i].chan->sendq : cases[i].chan->recvq).remove(&ws[i]);
  };
  for (int i = 0; i < n; ++i)
    if (may_proceed(cases[i].chan, cases[i].send)) {
      unlink();
      ls.unlock();
      return -1;
    }
  rt::Timer timer;
  struct Wake {
    SelectState* st;
    rt::Fiber* g;
    int n;
  } tw{&st, m->cur, n};
  if (deadline > 0) {
    timer.when = deadline;
    timer.arg = &tw;
    timer.fn = [](void* p) {
      auto* w = static_cast<Wake*>(p);
      int expect = -1;
      if (w->st->done.compare_exchange_strong(expect, w->n)) rt::ready(w->g, Block::Select, 0);
    };
  }
  Parked pk{&ls, deadline > 0 ? &timer : nullptr};
  rt::park(
      [](void* p) {
        auto* pk = static_cast<Parked*>(p);
        if (pk->timer) rt::timer_add(pk->timer);  // before unlocking: see timer.hpp
        pk->locks->unlock();
      },
      &pk, Block::Select, 0);

  if (deadline > 0) rt::timer_del(&timer);
  const int won = st.done.load(std::memory_order_acquire);
  ls.lock();
  unlink();
  ls.unlock();
  *success = won < n && ws[won].success;
  return won;
}
}  // namespace

}  // namespace ft::rt

namespace ft::detail {
using namespace ft::rt;

int chan_select(SelCase* cases, int n, bool has_default, int64_t timeout_ns) {
  if (n > kMaxCases) rt::misuse("ft::select with more than %d channel cases", kMaxCases);
  if (n == 0 && !has_default && timeout_ns < 0) {
    // select {}: blocks forever, as in Go.
    rt::need_fiber("ft::select");
    rt::park([](void*) {}, nullptr, Block::Forever, 0);
    rt::fatal("a fiber blocked forever was woken");
  }

  // Poll order: a random permutation, so that no ready case starves. Lock order: by address,
  // each channel once, so that two selects never deadlock on each other's locks.
  int order[kMaxCases];
  for (int i = 0; i < n; ++i) {
    int j = static_cast<int>(fastrand() % static_cast<uint32_t>(i + 1));
    order[i] = order[j];
    order[j] = i;
  }
  LockSet ls;
  for (int i = 0; i < n; ++i) ls.chans[ls.n++] = cases[i].chan;
  std::sort(ls.chans, ls.chans + ls.n);
  ls.n = static_cast<int>(std::unique(ls.chans, ls.chans + ls.n) - ls.chans);

  // Retries (below) keep the first deadline.
  const int64_t deadline = timeout_ns > 0 ? rt::now_ns() + timeout_ns : 0;
  for (;;) {
    ls.lock();
    for (int k = 0; k < n; ++k) {
      SelCase& sc = cases[order[k]];
      Attempt a;
      if (sc.send) {
        if (sc.chan->closed) {
          ls.unlock();
          throw ChanClosed();
        }
        a = send_try(sc.chan, sc.elem);
      } else {
        a = recv_try(sc.chan, sc.elem);
      }
      if (a.done) {
        sc.ok = a.ok;
        ls.unlock();
        wake(a, sc.chan);
        return order[k];
      }
    }
    if (has_default || timeout_ns == 0) {
      ls.unlock();
      return has_default ? -1 : n;
    }
    bool success = false;
    const int won = wait_all(cases, n, ls, deadline, &success);
    // A buffered channel's waker only says "look again" (chan.hpp); so does a ring that
    // changed while the waiters were being registered (won == -1).
    if (won < 0 || (won < n && cases[won].chan->ring)) continue;
    if (won < n) {
      cases[won].ok = success;
      if (cases[won].send && !success) throw ChanClosed();
    }
    return won;
  }
}

}  // namespace ft::detail
