// Ms and Ps: the threads that run fibers and the permits (one per worker) they need to run
// them. Starting an M (an idle one, else a new thread), parking it until someone hands it a P,
// the idle lists, and handing a P on when its M blocks in a syscall. The scheduling loop that
// an M runs with its P is proc.cpp; the protocols (parking without lost wake-ups, spinning)
// are in sched.hpp.
#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "fatal.hpp"
#include "mp.hpp"
#include "switch.hpp"

namespace ft::rt {

namespace {

void trace_threads() {
  if (rec::active())
    rec::threads(static_cast<uint32_t>(sched.ms.size()),
                 static_cast<uint32_t>(sched.nsyscall.load(std::memory_order_relaxed)));
}

// The idle lists (sched.mu held): intrusive stacks through next_idle, with their counts.
template <class T>
void idle_push(T*& head, std::atomic<int>& n, T* x) {
  x->next_idle = head;
  head = x;
  n.fetch_add(1);
}
template <class T>
T* idle_pop(T*& head, std::atomic<int>& n) {
  T* x = head;
  if (x) {
    head = x->next_idle;
    n.fetch_sub(1);
  }
  return x;
}

void mstart(M* m) {
  bind_thread(m);
  install_altstack();
  char name[16];
  std::snprintf(name, sizeof name, "ft-worker-%u", m->id);
  pthread_setname_np(pthread_self(), name);
  schedule(m);
}
}  // namespace

void bind_thread(M* m) {
  set_this_m(m);
  if (m) san_thread_started(m);
}

void pidle_put(P* p) {
  FT_SCHED_MU_HELD();
  idle_push(sched.pidle, sched.npidle, p);
}

// Starts an M (an idle one, else a new thread) to run p. sched.mu must not be held.
void startm(P* p, bool spinning) {
  FT_SCHED_MU_FREE();
  std::unique_lock<SchedMutex> g(sched.mu);
  M* m = idle_pop(sched.midle, sched.nmidle);
  if (!m) {
    m = new M;
    m->id = static_cast<uint32_t>(sched.ms.size());
    m->rand = 0x9E3779B97F4A7C15ull * (m->id + 1);
    m->nextp = p;
    m->spinning = spinning;
    sched.ms.push_back(m);
    trace_threads();
    g.unlock();
    m->thread = start_thread("worker", [m] { mstart(m); });
    return;
  }
  g.unlock();
  m->nextp = p;
  m->spinning = spinning;
  m->note.post();
}

// Parks m until someone hands it a P (or the runtime stops).
void stopm(M* m) {
  FT_SCHED_MU_FREE();
  {
    std::lock_guard<SchedMutex> g(sched.mu);
    idle_push(sched.midle, sched.nmidle, m);
  }
  m->note.wait();
}

P* pidle_get() {
  FT_SCHED_MU_HELD();
  return idle_pop(sched.pidle, sched.npidle);
}

void acquirep(M* m, P* p) {
  m->p = p;
  p->m = m;
  p->status.store(PStatus::Running, std::memory_order_release);
  rec::proc_start(p->id);  // unconditional: keeps the recorder's thread state current
}

void releasep(M* m) {
  P* p = m->p;
  rec::proc_stop(p->id);
  p->m = nullptr;
  p->status.store(PStatus::Idle, std::memory_order_release);
  m->p = nullptr;
}

void wakep() {
  if (sched.npidle.load() == 0 || sched.nspinning.load() != 0) return;
  int zero = 0;
  if (!sched.nspinning.compare_exchange_strong(zero, 1)) return;
  P* p;
  {
    std::lock_guard<SchedMutex> g(sched.mu);
    p = pidle_get();
  }
  if (!p) {
    sched.nspinning.fetch_sub(1);
    return;
  }
  startm(p, true);
}

void handoff_p(P* p) {
  if (!p->runq.empty() || p->runnext.load() || sched.gq.size() > 0) {
    startm(p, false);
    return;
  }
  int zero = 0;
  if (sched.npidle.load() + sched.nspinning.load() == 0 &&
      sched.nspinning.compare_exchange_strong(zero, 1)) {
    startm(p, true);
    return;
  }
  {
    std::lock_guard<SchedMutex> g(sched.mu);
    pidle_put(p);
  }
  // Something may have been queued meanwhile: the usual Dekker pairing with wakep().
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (any_work()) wakep();
}

}  // namespace ft::rt
