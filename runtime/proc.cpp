// The scheduler: Ms running Ps running fibers. See sched.hpp for the parking protocols, and
// mp.cpp for how Ms are started, parked and handed Ps, fiber.cpp for how fibers begin and end.
//
// An M's life: schedule() finds a runnable fiber (runnext, local queue, every 61st tick the
// global queue first for fairness, then the global queue, then stealing from other Ps while
// spinning), executes it until it switches back, then performs what the fiber asked for
// (park: release its lock; yield: requeue; exit: recycle its stack). With nothing to do the M
// spins for a while (a wake-up costs ~30 µs here, a spin a few), then gives up its P and parks.
#include <utility>

#include "fatal.hpp"
#include "mp.hpp"
#include "netpoll.hpp"
#include "switch.hpp"
#include "timer.hpp"

namespace ft::rt {

Sched sched;

namespace {
thread_local M* tls_m = nullptr;
}  // namespace

__attribute__((noipa)) M* this_m() {
  return tls_m;
}

void set_this_m(M* m) {
  tls_m = m;
}

namespace {
constexpr int64_t kSpinNs = 50'000;  // how long an idle M looks for work before parking

inline uint64_t xorshift(uint64_t& s) {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

Fiber* gq_get(P* p, uint32_t max) {
  return sched.gq.get(p->runq, max, sched.procs);
}

}  // namespace

void runqput(P* p, Fiber* f, bool next) {
  if (next) {
    f = p->runnext.exchange(f, std::memory_order_acq_rel);
    if (!f) return;  // a handoff: it runs next right here, no one else needs waking
  }
  if (!p->runq.push(f)) {
    // Full: move half of the local queue plus f to the global queue in one lock.
    Fiber* batch[RunQ::kSize / 2 + 1];
    uint32_t n = p->runq.grab(batch, RunQ::kSize / 2);
    batch[n++] = f;
    sched.gq.put(batch, n);
  }
  std::atomic_thread_fence(std::memory_order_seq_cst);
  wakep();
}

namespace {

// Steals half of some other P's queue (random start); takes a runnext only when `next`.
Fiber* steal(M* m, bool next) {
  P* p = m->p;
  const int n = sched.procs;
  const int start = static_cast<int>(xorshift(m->rand) % static_cast<uint64_t>(n));
  for (int i = 0; i < n; ++i) {
    P* v = sched.ps[(start + i) % n];
    if (v == p) continue;
    Fiber* batch[RunQ::kSize / 2];
    uint32_t k = v->runq.grab(batch, RunQ::kSize / 2);
    if (k > 0) {
      for (uint32_t j = 1; j < k; ++j) p->runq.push(batch[j]);
      return batch[0];
    }
    if (next && v->runnext.load(std::memory_order_relaxed)) {
      if (Fiber* f = v->runnext.exchange(nullptr, std::memory_order_acq_rel)) return f;
    }
  }
  return nullptr;
}

}  // namespace

bool any_work() {
  if (sched.gq.size() > 0) return true;
  for (P* v : sched.ps)
    if (!v->runq.empty() || v->runnext.load()) return true;
  return false;
}

namespace {

void stop_spinning(M* m) {
  if (!m->spinning) return;
  m->spinning = false;
  // The last spinner found work: there may be more, let another M look (Go's resetspinning).
  if (sched.nspinning.fetch_sub(1) == 1) wakep();
}

// Finds a fiber to run; returns nullptr with m->p released when the M should park.
Fiber* find_runnable(M* m) {
  P* p = m->p;
  for (;;) {
    if (sched.stopping.load(std::memory_order_relaxed)) return nullptr;
    m->quick = true;
    if (p->schedtick.load(std::memory_order_relaxed) % 61 == 0)
      if (Fiber* f = gq_get(p, 1)) return f;
    if (Fiber* f = p->runnext.exchange(nullptr, std::memory_order_acq_rel)) return f;
    if (Fiber* f = p->runq.pop()) return f;
    if (Fiber* f = gq_get(p, RunQ::kSize / 2)) return f;
    m->quick = false;
    // Fibers whose sockets became ready (netpoll.hpp): they go to this P's queue.
    if (netpoll_poll_now()) continue;

    // Spin: at most half of the busy Ps' worth of Ms spin at once (Go's rule).
    if (!m->spinning && 2 * sched.nspinning.load() < sched.procs - sched.npidle.load()) {
      m->spinning = true;
      sched.nspinning.fetch_add(1);
    }
    if (m->spinning) {
      const int64_t until = now_ns() + kSpinNs;
      for (int round = 0;; ++round) {
        bool late = (round & 63) == 63 && now_ns() > until;
        if (Fiber* f = steal(m, late)) return f;
        if (Fiber* f = gq_get(p, RunQ::kSize / 2)) return f;
        if (late || sched.stopping.load(std::memory_order_relaxed)) break;
        cpu_relax();
      }
    }

    // Give up the P, then look once more: a producer that pushed before seeing npidle++
    // relies on this look (sched.hpp, parking an M).
    {
      std::lock_guard<SchedMutex> g(sched.mu);
      if (sched.gq.size() > 0) continue;
      releasep(m);
      pidle_put(p);
    }
    bool was_spinning = m->spinning;
    if (was_spinning) {
      m->spinning = false;
      sched.nspinning.fetch_sub(1);
    }
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (any_work()) {
      std::lock_guard<SchedMutex> g(sched.mu);
      if (P* q = pidle_get()) {
        acquirep(m, q);
        p = q;
        if (was_spinning) {
          m->spinning = true;
          sched.nspinning.fetch_add(1);
        }
        continue;
      }
    }
    // Fibers wait on sockets and nobody polls: this M blocks in epoll_wait, not its futex.
    if (P* q = netpoll_block(m)) {
      p = q;
      continue;
    }
    check_dead();
    return nullptr;
  }
}

void execute(M* m, Fiber* f) {
  P* p = m->p;
  if (!f->ctx) bind_stack(p, f);
  m->cur = f;
  set_state(f, State::Runnable, State::Running);
  p->schedtick.store(p->schedtick.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  rec::go_start(f->id, f->stack.lo, f->stack.top(), m->quick ? rec::When::Last : rec::When::Now);
  ctx::transfer_t t = switch_to_fiber(m, f);
  f->ctx = t.fctx;
  m->cur = nullptr;
  const Stack st = f->stack;  // f may run elsewhere, or be recycled, once the action is done
  switch (m->after) {
    case After::Park:
      m->unlock(m->unlock_arg);
      break;
    case After::Yield:
      set_state(f, State::Running, State::Runnable);
      runqput(m->p, f, false);
      break;
    case After::Backlog:
      set_state(f, State::Running, State::Runnable);
      sched.gq.put(f);
      break;
    case After::Exit:
      if (f->is_main) {
        set_state(f, State::Running, State::Free, std::memory_order_release);
        main_exited();
      } else {
        free_fiber(m->p, f);
      }
      break;
    case After::Requeue:  // a syscall returned and found no P: m has none now either
      set_state(f, State::Syscall, State::Runnable);
      sched.gq.put(f);
      sched.nsyscall.fetch_sub(1);
      wakep();
      break;
    case After::None:
      break;
  }
  m->after = After::None;
  // Checked after the action so that a parked fiber's lock (often a channel's) is not held
  // across a cache miss on the canary; the overflow is still reported at this switch.
  if (!StackPool::canary_ok(st) || static_cast<char*>(t.fctx) < st.lo + kRedZone)
    fatal("stack overflow in a fiber (stack size %zu bytes; raise FT_STACK_SIZE)", st.size);
}

}  // namespace

void schedule(M* m) {
  for (;;) {
    if (sched.stopping.load()) return;
    if (!m->p) {
      if (P* np = std::exchange(m->nextp, nullptr)) {
        acquirep(m, np);
      } else {
        stopm(m);
        continue;
      }
    }
    Fiber* f = find_runnable(m);
    if (!f) continue;  // m->p was released (or we are stopping)
    stop_spinning(m);  // found work: whoever spins now must be someone else
    execute(m, f);
  }
}

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

M* need_fiber(const char* what) {
  M* m = this_m();
  if (!m || !m->cur) misuse("%s called outside a fiber (call it from inside ft::run)", what);
  return m;
}

void park(void (*unlock)(void*), void* arg, Block reason, uint64_t obj) {
  M* m = this_m();
  Fiber* f = m->cur;
  f->reason = reason;
  f->obj = obj;
  set_state(f, State::Running, State::Waiting);
  rec::go_block(reason, obj);
  m->after = After::Park;
  m->unlock = unlock;
  m->unlock_arg = arg;
  switch_to_sched(m, f);
}

void ready(Fiber* f, Block reason, uint64_t obj) {
  if (rec::active()) rec::go_unblock(f->id, reason, obj);
  f->reason = Block::None;
  set_state(f, State::Waiting, State::Runnable);
  M* m = this_m();
  if (m && m->p) {
    runqput(m->p, f, true);
  } else {
    sched.gq.put(f);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    wakep();
  }
}

void check_dead() {
  FT_SCHED_MU_FREE();
  if (sched.stopping.load()) return;
  std::lock_guard<SchedMutex> g(sched.mu);
  if (sched.npidle.load() != sched.procs || sched.nsyscall.load() != 0 || sched.gq.size() != 0 ||
      timers_pending() || netpoll_waiters() > 0)
    return;
  for (P* p : sched.ps)
    if (!p->runq.empty() || p->runnext.load()) return;
  report_deadlock();
}

}  // namespace ft::rt

namespace ft {

void yield() {
  rt::M* m = rt::need_fiber("ft::yield");
  rt::rec::go_yield();
  m->after = rt::After::Yield;
  rt::switch_to_sched(m, m->cur);
}

FiberId this_fiber::id() {
  rt::Fiber* f = rt::this_fiber();
  return f ? f->id : 0;
}

int procs() {
  return rt::sched.procs;
}

}  // namespace ft
