// The scheduler's data: fibers (G), procs (P) and worker threads (M), as in Go's runtime.
//
//   Fiber  a stackful coroutine. Lives in the top of its own stack slot (stack.hpp).
//   P      a right to run fibers: a local run queue with a runnext slot, a stack cache, a
//          fiber-id cache. There are exactly `procs` of them (FT_MAXPROCS).
//   M      an OS thread. Runs the scheduler loop on its own stack while it holds a P; without
//          one it parks. Ms grow beyond procs only when syscalls hold threads (syscall.cpp).
//
// Namespaces: ft::detail holds only what the public headers (include/ft) declare: opaque
// handles (ChanCore, Fiber, WaitQ, LockWord) and the entry points their templates call, each
// defined in a `namespace ft::detail` block after its file's internals. Everything else in
// runtime/ is ft::rt, declared in the header of the file that defines it.
//
// Parking a fiber (the protocol that avoids lost wake-ups, as Go's gopark):
//   1. The fiber takes the lock of what it waits on (a channel, a mutex), enqueues itself,
//      and calls park(unlock, arg, reason) WITHOUT releasing the lock.
//   2. park() switches to the M's scheduler stack, and only there, once the fiber's stack is
//      no longer in use, calls unlock(arg).
//   3. A waker takes the same lock, dequeues the fiber and calls ready(f): it can only find
//      the fiber after step 2, so it never resumes a fiber that is still running.
//
// Parking an M (no lost wake-ups, as Go's proc.go "worker thread parking/unparking"):
//   A spinning M (nspinning > 0) looks for work in every queue. Before it parks it puts its P
//   on the idle list (npidle++), then looks at every queue once more. Whoever makes work
//   available pushes it first and then checks npidle/nspinning (wakep): one of the two always
//   sees the other. Threads are only woken when npidle says a P is idle and no M is spinning,
//   because a futex wake costs ~1.4 µs and a wake-up of a sleeping thread ~30 µs here.
#pragma once

#include <boost/context/detail/fcontext.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "fatal.hpp"
#include "fiber.hpp"
#include "ft/fiber.hpp"
#include "futex.hpp"
#include "globq.hpp"
#include "runq.hpp"
#include "stack.hpp"
#include "tracer/record.hpp"

namespace ft::rt {
using detail::Fiber;

namespace ctx = boost::context::detail;
namespace rec = ft::trace::rec;
using trace::Block;

// What a fiber asked its M to do after it switched away (runs on the scheduler stack).
// What the scheduler does with the fiber that just switched out. Yield: back of this
// worker's queue; Backlog: back of the global queue (a creator behind its own backlog).
enum class After : uint8_t { None, Park, Yield, Backlog, Exit, Requeue };

struct P;

// sched.mu: a std::mutex that, with FT_RUNTIME_CHECKS, knows which thread holds it, so that
// functions documented "sched.mu held" (or not held) assert it.
class SchedMutex {
 public:
  void lock() {
    mu_.lock();
#if FT_RUNTIME_CHECKS
    owner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
#endif
  }
  void unlock() {
#if FT_RUNTIME_CHECKS
    owner_.store(std::thread::id(), std::memory_order_relaxed);
#endif
    mu_.unlock();
  }
#if FT_RUNTIME_CHECKS
  bool held_here() const {
    return owner_.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }
#endif

 private:
  std::mutex mu_;
#if FT_RUNTIME_CHECKS
  std::atomic<std::thread::id> owner_{};
#endif
};

struct M {
  ctx::fcontext_t sched = nullptr;  // the scheduler loop's context while a fiber runs
  Fiber* cur = nullptr;
  P* p = nullptr;
  After after = After::None;
  void (*unlock)(void*) = nullptr;
  void* unlock_arg = nullptr;
  bool spinning = false;
  bool quick = false;  // find_runnable found the fiber at once: its GoStart reuses the last
                       // event's timestamp (the block just before it), saving a clock read
  Note note;           // parks this M
  P* nextp = nullptr;  // P handed over by whoever woke us
  M* next_idle = nullptr;
  uint32_t id = 0;
  std::thread thread;
  void* san_fiber = nullptr;  // TSan: the thread's own fiber
  void* asan_fake = nullptr;  // ASan: the scheduler stack's fake stack while a fiber runs
  const void* asan_bottom = nullptr;
  size_t asan_size = 0;
  uint64_t rand = 0;
  // Syscall bookkeeping: the P this M left in syscall state, to take back on exit.
  P* oldp = nullptr;
};

enum class PStatus : uint32_t { Idle, Running, Syscall };

struct P {
  uint32_t id = 0;
  RunQ runq;
  std::atomic<Fiber*> runnext{nullptr};
  std::atomic<PStatus> status{PStatus::Idle};
  std::atomic<uint32_t> schedtick{0};
  uint32_t spawn_tick = 0;  // schedtick when `spawned` was last reset
  uint32_t spawned = 0;     // fibers the running fiber created in this run (if spawn_tick is now)
  std::atomic<uint32_t> syscalltick{0};
  std::atomic<int64_t> syscall_when{0};
  M* m = nullptr;
  P* next_idle = nullptr;
  // Caches that keep the hot paths free of global locks (refilled and drained by halves).
  static constexpr int kCache = 64;
  Stack stacks[kCache];
  int nstacks = 0;
  Fiber* fibers[kCache];
  int nfibers = 0;
  void* chans[kCache];  // free channel cores (chan_core_alloc)
  int nchans = 0;
  uint64_t id_next = 0, id_end = 0;
};

struct Sched {
  Config cfg;
  int procs = 0;
  std::vector<P*> ps;
  StackPool stacks;
  FiberPool fibers;

  SchedMutex mu;  // guards the idle lists and the M list
  P* pidle = nullptr;
  M* midle = nullptr;
  // The global run queue (globq.hpp). A spin lock inside: under std::mutex a creator
  // overflowing its run queue and a worker refilling from it put each other to sleep in the
  // kernel (~20% of `spawn`'s time went to futex wake-ups).
  GlobalQueue gq;
  std::vector<M*> ms;
  std::atomic<int> npidle{0};
  std::atomic<int> nspinning{0};
  std::atomic<int> nmidle{0};
  std::atomic<int> nsyscall{0};  // fibers inside ft::syscall
  std::atomic<uint64_t> next_id{1};

  std::atomic<bool> running{false};
  std::atomic<bool> stopping{false};
  Fiber* main = nullptr;
};

extern Sched sched;

// A lock rule checked where FT_RUNTIME_CHECKS is on (fatal with the rule), else nothing.
#if FT_RUNTIME_CHECKS
#define FT_RULE(cond, rule) ((cond) ? (void)0 : ::ft::rt::rule_broken(rule))
#else
#define FT_RULE(cond, rule) ((void)0)
#endif
#define FT_SCHED_MU_HELD() FT_RULE(sched.mu.held_here(), "sched.mu held")
#define FT_SCHED_MU_FREE() FT_RULE(!sched.mu.held_here(), "sched.mu not held")

// The current M; noinline so that a fiber resumed on another thread never reuses a thread
// pointer the compiler cached before the switch.
M* this_m();
void set_this_m(M* m);  // bind_thread (mp.cpp)
inline Fiber* this_fiber() {
  M* m = this_m();
  return m ? m->cur : nullptr;
}

// Parks the running fiber (see the protocol above); unlock(arg) runs once it is off its stack.
void park(void (*unlock)(void*), void* arg, Block reason, uint64_t obj);
// Makes a parked fiber runnable; from a fiber it goes to runnext (runs next on this worker).
void ready(Fiber* f, Block reason, uint64_t obj);
// The running fiber's M, or a fatal misuse naming `what` outside ft::run.
M* need_fiber(const char* what);
int64_t now_ns();

// The scheduling loop (proc.cpp): what an M runs while it has a P; and whether any P or the
// global queue holds a runnable fiber (the look an M takes after giving up its P).
void schedule(M* m);
bool any_work();
// Queues f on p (m->p of the calling M): in runnext when `next` (it runs next here), the one
// it displaces at the back; a full queue spills half to the global queue. Wakes an M if needed.
void runqput(P* p, Fiber* f, bool next);
// No fiber can ever run again: report the dead lock (unless stopping). sched.mu not held.
void check_dead();

// A P's private caches of stacks, fiber records and channel cores: refilled and drained by
// halves, so the global pools' locks are taken once per kCache/2 objects. Owner M only.
template <class T, class Pool>
T cache_get(T* cache, int& n, Pool& pool) {
  if (n == 0) {
    pool.alloc_batch(cache, P::kCache / 2);
    n = P::kCache / 2;
  }
  return cache[--n];
}
template <class T, class Pool>
void cache_put(T* cache, int& n, Pool& pool, T v) {
  if (n == P::kCache) {
    pool.free_batch(cache + P::kCache / 2, P::kCache / 2);
    n = P::kCache / 2;
  }
  cache[n++] = v;
}

}  // namespace ft::rt
