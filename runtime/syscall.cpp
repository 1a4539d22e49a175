// ft::syscall's entry and exit (Go's entersyscall / exitsyscall).
//
// Entry leaves the P in state Syscall, still owned by this M but detached from it (m->p =
// nullptr, m->oldp = p). If the call is short, exit takes it back with one CAS. If sysmon
// (sysmon.cpp) saw it outlast 20 µs, it CASed the P to Idle and handed it to another M: exit
// then looks for an idle P, and failing that queues the fiber globally and parks the M.
#include "ft/syscall.hpp"
#include "fatal.hpp"
#include "mp.hpp"
#include "switch.hpp"
#include "sysmon.hpp"
#include "timer.hpp"

namespace ft::detail {
using namespace ft::rt;

void syscall_enter() {
  M* m = need_fiber("ft::syscall");
  P* p = m->p;
  if (!p) misuse("ft::syscall nested inside ft::syscall");
  if (rec::active()) rec::syscall_enter();
  set_state(m->cur, State::Running, State::Syscall);
  // Counted before the P is marked: once it is, sysmon may hand it off and the M that gets it
  // may give it up and look for a dead lock, which must see this fiber's syscall. (Counted
  // after, a thread preempted between the two let check_dead report "all fibers are asleep"
  // with this fiber in [syscall]: seen once in CI.) seq_cst: also pairs with sysmon's
  // sleeping_long (sysmon.cpp).
  sched.nsyscall.fetch_add(1);
  m->oldp = p;
  m->p = nullptr;
  p->syscall_when.store(now_ns(), std::memory_order_relaxed);
  p->status.store(PStatus::Syscall);
  sysmon_kick();
}

void syscall_exit() {
  M* m = this_m();
  Fiber* f = m->cur;
  P* p = std::exchange(m->oldp, nullptr);
  if (rec::active()) rec::syscall_exit();
  PStatus s = PStatus::Syscall;
  if (p->status.compare_exchange_strong(s, PStatus::Running)) {
    m->p = p;  // fast path: nobody took it
  } else {
    P* np;
    {
      std::lock_guard<SchedMutex> g(sched.mu);
      np = pidle_get();
    }
    if (!np) {
      // No P anywhere: queue the fiber and park this thread (execute() does both).
      m->after = After::Requeue;
      switch_to_sched(m, f);
      return;  // resumed later by some M that holds a P; nsyscall was dropped there
    }
    acquirep(m, np);
  }
  set_state(f, State::Syscall, State::Running);
  sched.nsyscall.fetch_sub(1);
}

}  // namespace ft::detail
