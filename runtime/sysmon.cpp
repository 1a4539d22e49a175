// The monitor thread (Go's sysmon): fires timers, and takes a P away from a thread stuck in
// ft::syscall so that the fibers queued on it keep running.
//
// It also polls the network when no worker has for 10 ms (netpoll.hpp).
//
// It sleeps until the next timer. While any fiber is in a syscall it polls every 20 µs
// instead; a syscall that begins while it sleeps longer than that kicks it awake (one futex
// wake, ~1.4 µs, only when it sleeps long: back-to-back syscalls find it polling).
#include <algorithm>
#include <atomic>
#include <climits>
#include <thread>

#include "fatal.hpp"
#include "mp.hpp"
#include "netpoll.hpp"
#include "sysmon.hpp"
#include "timer.hpp"

namespace ft::rt {
namespace {
constexpr int64_t kPollNs = 20'000;            // hand-off threshold and polling period
constexpr int64_t kIdleRetakeNs = 10'000'000;  // hand off even an empty P after this long
std::thread mon;
Note note;
std::atomic<bool> stop{false};
std::atomic<bool> sleeping_long{false};
std::atomic<bool> sleeping_past_poll{false};  // its sleep is longer than kSysmonPollNs

void retake(int64_t now) {
  for (P* p : sched.ps) {
    if (p->status.load() != PStatus::Syscall) continue;
    int64_t when = p->syscall_when.load(std::memory_order_relaxed);
    if (now - when < kPollNs) continue;
    // Nothing queued and someone idle could take new work: leave the P to its syscall for
    // a while, as Go does, so short syscalls keep their P.
    bool work = !p->runq.empty() || p->runnext.load() || sched.gq.size() > 0;
    if (!work && sched.npidle.load() + sched.nspinning.load() > 0 && now - when < kIdleRetakeNs)
      continue;
    PStatus s = PStatus::Syscall;
    if (!p->status.compare_exchange_strong(s, PStatus::Idle)) continue;
    if (rec::active()) rec::syscall_block(p->id);
    p->m = nullptr;
    handoff_p(p);
  }
}

void loop() {
  pthread_setname_np(pthread_self(), "ft-sysmon");
  while (!stop.load()) {
    int64_t now = now_ns();
    timers_run(now);
    retake(now);
    netpoll_sysmon(now);
    // Announce the sleep before deciding its length: a timer_add() or syscall_enter() that
    // comes after this store sees it and kicks; one that came before is seen by the reads
    // below (Dekker pairing, all seq_cst). Deciding first would lose a kick in between.
    // The same pairing for the poller: the first fiber to park on it reads sleeping_past_poll
    // after counting itself; this reads the count after announcing.
    sleeping_long.store(true);
    sleeping_past_poll.store(true);
    int64_t next = timers_next();
    int64_t wait = next == INT64_MAX ? -1 : std::max<int64_t>(0, next - now_ns());
    if (sched.nsyscall.load() > 0 && (wait < 0 || wait > kPollNs)) wait = kPollNs;
    if (netpoll_waiters() > 0 && (wait < 0 || wait > kSysmonPollNs)) wait = kSysmonPollNs;
    if (wait >= 0 && wait <= kPollNs) sleeping_long.store(false);  // back soon: no kick needed
    if (wait >= 0 && wait <= kSysmonPollNs) sleeping_past_poll.store(false);
    if (wait != 0) note.wait(wait);
    sleeping_long.store(false, std::memory_order_relaxed);
    sleeping_past_poll.store(false, std::memory_order_relaxed);
  }
}
}  // namespace

void sysmon_kick() {
  if (sleeping_long.load()) note.post();
}

void sysmon_kick_poller() {
  if (sleeping_past_poll.load()) note.post();
}

void timers_start() {
  stop = false;
  mon = start_thread("monitor", loop);
}

void timers_stop() {
  stop = true;
  note.post();
  mon.join();
  timers_reset();
}

}  // namespace ft::rt
