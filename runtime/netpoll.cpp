// The network poller: see netpoll.hpp for the protocol (semaphores, who polls, lifetimes).
#include "netpoll.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

#include "fatal.hpp"
#include "mp.hpp"
#include "sysmon.hpp"

namespace ft::detail {
struct PollDesc {
  int fd = -1;
  uint32_t index = 0;                   // slot in the table (events carry it)
  std::atomic<uint32_t> seq{0};         // bumped at each reuse; events carry it too
  std::atomic<uintptr_t> rg{0}, wg{0};  // the semaphores (netpoll.hpp)
  rt::SpinLock lock;  // guards the fields below; never held across a timer or park call
  bool closing = false;
  bool owned = true;            // the fd is closed when the descriptor is freed
  int refs = 0;                 // the owner's + one per operation inside
  int64_t rd = 0, wd = 0;       // deadlines: 0 none, -1 passed, else CLOCK_MONOTONIC ns
  uint32_t rseq = 0, wseq = 0;  // bumped by every deadline change and by close
  // Deadline timers. `armed` is the seq a queued timer was set for (written only while it is
  // not queued). dl serialises deadline changes: the order is dl -> timer heap -> lock.
  rt::Timer rt, wt;
  uint32_t rarmed = 0, warmed = 0;
  rt::SpinLock dl;
  PollDesc* next_free = nullptr;
};
}  // namespace ft::detail

namespace ft::rt {
namespace {
constexpr uintptr_t kReady = 1, kWait = 2;
constexpr uint64_t kBreakTag = ~0ull;
constexpr uint32_t kChunk = 1024, kMaxChunks = 4096;  // up to 4M descriptors

int epfd = -1;
int breakfd = -1;
std::once_flag init_once;
std::atomic<int> waiters{0};
std::atomic<int64_t> lastpoll{1};  // 0 while an M blocks in epoll_wait; else when one last did
std::atomic<bool> break_pending{false};

// The table: chunks are never freed, so an event for a descriptor closed meanwhile still
// points at valid memory (its seq tells it is stale).
std::mutex table_mu;
std::atomic<PollDesc*> chunks[kMaxChunks];
uint32_t nslots = 0;
PollDesc* free_list = nullptr;

void init() {
  epfd = ::epoll_create1(EPOLL_CLOEXEC);
  breakfd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epfd < 0 || breakfd < 0) fatal("cannot create the network poller: %s", std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = kBreakTag;
  if (::epoll_ctl(epfd, EPOLL_CTL_ADD, breakfd, &ev) != 0)
    fatal("cannot register the poller's wake-up descriptor: %s", std::strerror(errno));
}

PollDesc* slot(uint32_t i) {
  PollDesc* c = chunks[i / kChunk].load(std::memory_order_acquire);
  return c ? &c[i % kChunk] : nullptr;
}

PollDesc* pd_alloc() {
  std::lock_guard<std::mutex> g(table_mu);
  if (PollDesc* pd = free_list) {
    free_list = pd->next_free;
    return pd;
  }
  if (nslots == kChunk * kMaxChunks) return nullptr;
  if (nslots % kChunk == 0) {
    auto* c = new PollDesc[kChunk];
    for (uint32_t k = 0; k < kChunk; ++k) c[k].index = nslots + k;
    chunks[nslots / kChunk].store(c, std::memory_order_release);
  }
  return slot(nslots++);
}

void pd_free(PollDesc* pd) {
  {
    std::lock_guard<SpinLock> g(pd->dl);
    timer_del(&pd->rt);
    timer_del(&pd->wt);
  }
  ::epoll_ctl(epfd, EPOLL_CTL_DEL, pd->fd, nullptr);
  if (pd->owned) ::close(pd->fd);
  {
    // Events still queued for it are stale from now on, and so is every handle (poll_enter).
    std::lock_guard<SpinLock> g(pd->lock);
    pd->seq.fetch_add(1);
  }
  std::lock_guard<std::mutex> g(table_mu);
  pd->fd = -1;
  pd->next_free = free_list;
  free_list = pd;
}

// Signals a semaphore: an edge (ioready: kReady is left if nobody waits) or a close/deadline
// (nothing is left). Returns the fiber to ready, if one was parked.
Fiber* unblock(std::atomic<uintptr_t>& gp, bool ioready) {
  for (;;) {
    uintptr_t old = gp.load();
    if (old == kReady) return nullptr;
    if (old == 0 && !ioready) return nullptr;
    if (gp.compare_exchange_weak(old, ioready ? kReady : 0))
      return old == 0 || old == kWait ? nullptr : reinterpret_cast<Fiber*>(old);
  }
}

void wake(Fiber* f) {
  if (!f) return;
  waiters.fetch_sub(1);
  ready(f, Block::IO, f->obj);
}

void wake_list(Fiber* f) {
  while (f) {
    Fiber* next = std::exchange(f->next, nullptr);
    wake(f);
    f = next;
  }
}

// One epoll_wait (timeout_ms: 0 or -1); the fibers it unblocks, linked through Fiber::next
// (a fiber parked on the poller is in no other queue).
Fiber* poll(int timeout_ms) {
  epoll_event evs[128];
  int n = ::epoll_wait(epfd, evs, 128, timeout_ms);
  if (n < 0) {
    if (errno != EINTR) fatal("epoll_wait failed: %s", std::strerror(errno));
    return nullptr;
  }
  Fiber* list = nullptr;
  auto push = [&list](Fiber* f) {
    if (!f) return;
    f->next = list;
    list = f;
  };
  for (int i = 0; i < n; ++i) {
    const uint64_t tag = evs[i].data.u64;
    if (tag == kBreakTag) {
      uint64_t v;
      while (::read(breakfd, &v, sizeof v) > 0) {
      }
      break_pending.store(false);
      continue;
    }
    PollDesc* pd = slot(static_cast<uint32_t>(tag));
    if (!pd || pd->seq.load() != static_cast<uint32_t>(tag >> 32)) continue;  // stale
    const uint32_t e = evs[i].events;
    if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) push(unblock(pd->rg, true));
    if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) push(unblock(pd->wg, true));
  }
  return list;
}

// park()'s unlock step, on the scheduler stack: kWait -> the fiber, or, if an edge, a close or
// a deadline came in between, resume it at once. Everything is read before the CAS: once it
// succeeds the fiber may run elsewhere and its frame (where Commit lives) may be gone.
struct Commit {
  std::atomic<uintptr_t>* gp;
  Fiber* f;
};
void commit(void* arg) {
  auto* c = static_cast<Commit*>(arg);
  std::atomic<uintptr_t>* gp = c->gp;
  Fiber* f = c->f;
  if (waiters.fetch_add(1) == 0) sysmon_kick_poller();
  uintptr_t expect = kWait;
  if (!gp->compare_exchange_strong(expect, reinterpret_cast<uintptr_t>(f))) wake(f);
}

template <char Mode>
void deadline_fired(void* arg) {
  auto* pd = static_cast<PollDesc*>(arg);
  Fiber* f = nullptr;
  {
    std::lock_guard<SpinLock> g(pd->lock);
    if (Mode == 'r' ? pd->rseq == pd->rarmed : pd->wseq == pd->warmed) {
      (Mode == 'r' ? pd->rd : pd->wd) = -1;
      f = unblock(Mode == 'r' ? pd->rg : pd->wg, false);
    }
  }
  wake(f);
}
}  // namespace

PollDesc* poll_open(int fd) {
  std::call_once(init_once, init);
  PollDesc* pd = pd_alloc();
  if (!pd) {
    errno = EMFILE;
    return nullptr;
  }
  {
    // Under the lock, although the descriptor is fresh: a stale handle to its previous use may
    // be in poll_close / poll_enter right now, reading these fields under the lock before it
    // sees that the sequence number moved on (TSan caught the unlocked version).
    std::lock_guard<SpinLock> g(pd->lock);
    pd->fd = fd;
    pd->closing = false;
    pd->owned = true;
    pd->refs = 1;
    pd->rd = pd->wd = 0;
    pd->rg.store(0);
    pd->wg.store(0);
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = pd->index | static_cast<uint64_t>(pd->seq.load()) << 32;
  if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    int err = errno;
    {
      std::lock_guard<SpinLock> g(pd->lock);
      pd->owned = false;  // the caller still owns fd on failure
      pd->seq.fetch_add(1);
    }
    std::lock_guard<std::mutex> g(table_mu);
    pd->next_free = free_list;
    free_list = pd;
    errno = err;
    return nullptr;
  }
  return pd;
}

void poll_close(PollDesc* pd, uint32_t seq) {
  Fiber *r, *w;
  {
    std::lock_guard<SpinLock> g(pd->lock);
    if (pd->closing || pd->seq.load() != seq) return;  // closed already
    pd->closing = true;
    ++pd->rseq;  // a deadline timer that fires now changes nothing
    ++pd->wseq;
    r = unblock(pd->rg, false);
    w = unblock(pd->wg, false);
  }
  wake(r);
  wake(w);
  poll_leave(pd);
}

void poll_forget(PollDesc* pd) {
  pd->owned = false;
  poll_close(pd, pd->seq.load());
}

bool poll_enter(PollDesc* pd, uint32_t seq) {
  std::lock_guard<SpinLock> g(pd->lock);
  if (pd->closing || pd->seq.load() != seq) return false;
  ++pd->refs;
  return true;
}

void poll_leave(PollDesc* pd) {
  bool last;
  {
    std::lock_guard<SpinLock> g(pd->lock);
    last = --pd->refs == 0;
  }
  if (last) pd_free(pd);
}

int poll_fd(const PollDesc* pd) {
  return pd->fd;
}

uint32_t poll_seq(const PollDesc* pd) {
  return pd->seq.load();
}

PollErr poll_check(PollDesc* pd, char mode) {
  std::lock_guard<SpinLock> g(pd->lock);
  if (pd->closing) return PollErr::Closing;
  const int64_t d = mode == 'r' ? pd->rd : pd->wd;
  if (d < 0 || (d > 0 && d <= now_ns())) return PollErr::Timeout;
  return PollErr::None;
}

PollErr poll_wait(PollDesc* pd, char mode) {
  std::atomic<uintptr_t>& gp = mode == 'r' ? pd->rg : pd->wg;
  for (;;) {
    uintptr_t old = gp.load();
    if (old == kReady) {
      gp.store(0);
      return PollErr::None;
    }
    if (old != 0)
      misuse("two fibers wait to %s fd %d at once (one reader and one writer per connection)",
             mode == 'r' ? "read" : "write", pd->fd);
    if (gp.compare_exchange_weak(old, kWait)) break;
  }
  if (poll_check(pd, mode) == PollErr::None) {
    M* m = need_fiber("ft::net");
    Commit c{&gp, m->cur};
    park(commit, &c, Block::IO, static_cast<uint64_t>(pd->fd));
  }
  const uintptr_t old = gp.exchange(0);
  if (old > kWait)
    fatal("network poller: fd %d's semaphore holds a fiber after its wake-up", pd->fd);
  return old == kReady ? PollErr::None : poll_check(pd, mode);
}

void poll_set_deadline(PollDesc* pd, int64_t when, char mode) {
  std::lock_guard<SpinLock> dl(pd->dl);
  const int64_t now = now_ns();
  for (char dir : {'r', 'w'}) {
    if (mode != 'b' && mode != dir) continue;
    const bool r = dir == 'r';
    Fiber* f = nullptr;
    int64_t d;
    uint32_t seq;
    {
      std::lock_guard<SpinLock> g(pd->lock);
      d = when == 0 ? 0 : when <= now ? -1 : when;
      (r ? pd->rd : pd->wd) = d;
      seq = ++(r ? pd->rseq : pd->wseq);
      if (d < 0) f = unblock(r ? pd->rg : pd->wg, false);
    }
    Timer& t = r ? pd->rt : pd->wt;
    timer_del(&t);  // from here on the old timer's callback has run or never will
    if (d > 0) {
      (r ? pd->rarmed : pd->warmed) = seq;
      t.when = d;
      t.fn = r ? deadline_fired<'r'> : deadline_fired<'w'>;
      t.arg = pd;
      timer_add(&t);
    }
    wake(f);
  }
}

int netpoll_waiters() {
  return waiters.load();
}

bool netpoll_poll_now() {
  if (waiters.load(std::memory_order_relaxed) == 0 || lastpoll.load() == 0) return false;
  Fiber* l = poll(0);
  if (!l) return false;
  wake_list(l);
  return true;
}

P* netpoll_block(M* m) {
  if (waiters.load() == 0 || lastpoll.exchange(0) == 0) return nullptr;
  Fiber* l = nullptr;
  // A break posted before this point is still pending in the eventfd: epoll_wait returns.
  if (!sched.stopping.load()) l = poll(-1);
  lastpoll.store(now_ns());
  if (!l) return nullptr;
  P* p;
  {
    std::lock_guard<SchedMutex> g(sched.mu);
    p = pidle_get();
  }
  if (p) acquirep(m, p);
  wake_list(l);  // onto p if we got one, else the global queue (and wakep)
  return p;
}

void netpoll_sysmon(int64_t now) {
  if (waiters.load() == 0) return;
  int64_t lp = lastpoll.load();
  if (lp == 0 || now - lp < kSysmonPollNs) return;
  if (!lastpoll.compare_exchange_strong(lp, now)) return;
  wake_list(poll(0));  // no M here: ready() queues globally and wakes a worker
}

void netpoll_break() {
  if (epfd < 0 || break_pending.exchange(true)) return;
  uint64_t one = 1;
  ssize_t r = ::write(breakfd, &one, sizeof one);
  (void)r;
}

void netpoll_reset() {
  waiters.store(0);
  lastpoll.store(1);
  std::lock_guard<std::mutex> g(table_mu);
  for (uint32_t i = 0; i < nslots; ++i) {
    PollDesc* pd = slot(i);
    // Fibers parked here were abandoned with their runtime: forget them, keep readiness.
    for (auto* gp : {&pd->rg, &pd->wg})
      if (gp->load() > kWait) gp->store(0);
  }
}

}  // namespace ft::rt
