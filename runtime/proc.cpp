// The scheduler: Ms running Ps running fibers. See sched.hpp for the parking protocols, and
// mp.cpp for how Ms are started, parked and handed Ps.
//
// An M's life: schedule() finds a runnable fiber (runnext, local queue, every 61st tick the
// global queue first for fairness, then the global queue, then stealing from other Ps while
// spinning), executes it until it switches back, then performs what the fiber asked for
// (park: release its lock; yield: requeue; exit: recycle its stack). With nothing to do the M
// spins for a while (a wake-up costs ~30 µs here, a spin a few), then gives up its P and parks.
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "fatal.hpp"
#include "fixalloc.hpp"
#include "sched.hpp"
#include "switch.hpp"
#include "timer.hpp"

namespace ft::rt {

Sched sched;

void check_dead();

namespace {
constexpr int64_t kSpinNs = 50'000;  // how long an idle M looks for work before parking
constexpr uint32_t kIdBatch = 1024;

inline uint64_t xorshift(uint64_t& s) {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

Fiber* gq_get(P* p, uint32_t max) {
  return sched.gq.get(p->runq, max, sched.procs);
}

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
      std::lock_guard<std::mutex> g(sched.mu);
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
      std::lock_guard<std::mutex> g(sched.mu);
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
    check_dead();
    return nullptr;
  }
}

// A P's private caches of stacks and fiber records: refilled and drained by halves, so the
// global pools' locks are taken once per kCache/2 fibers.
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

void free_fiber(P* p, Fiber* f) {
  san_fiber_destroyed(f);
  cache_put(p->stacks, p->nstacks, sched.stacks, f->stack);
  f->state.store(State::Free, std::memory_order_release);
  cache_put(p->fibers, p->nfibers, sched.fibers, f);
}

void fiber_entry(ctx::transfer_t t);

constinit FixAlloc chan_cores{kChanCoreBytes};

// First run: bind a warm stack from the cache and build the entry context on it.
void bind_stack(P* p, Fiber* f) {
  f->stack = cache_get(p->stacks, p->nstacks, sched.stacks);
  san_fiber_created(f);
  char* top = f->stack.top();
  f->ctx = ctx::make_fcontext(top, static_cast<size_t>(top - f->stack.lo), fiber_entry);
}

void main_exited() {
  sched.stopping.store(true);
  std::lock_guard<std::mutex> g(sched.mu);
  for (M* x = sched.midle; x; x = x->next_idle) x->note.post();
  sched.midle = nullptr;
}

void execute(M* m, Fiber* f) {
  P* p = m->p;
  if (!f->ctx) bind_stack(p, f);
  m->cur = f;
  f->state.store(State::Running, std::memory_order_relaxed);
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
      f->state.store(State::Runnable, std::memory_order_relaxed);
      runqput(m->p, f, false);
      break;
    case After::Backlog:
      f->state.store(State::Runnable, std::memory_order_relaxed);
      sched.gq.put(f);
      break;
    case After::Exit:
      if (f->is_main) {
        f->state.store(State::Free, std::memory_order_release);
        main_exited();
      } else {
        free_fiber(m->p, f);
      }
      break;
    case After::Requeue:  // a syscall returned and found no P: m has none now either
      f->state.store(State::Runnable, std::memory_order_relaxed);
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

namespace {

void fiber_entry(ctx::transfer_t t) {
  Fiber* f = static_cast<M*>(t.data)->cur;
  fiber_arrived(t, f);
  try {
    f->invoke(f->closure);
    if (f->destroy) f->destroy(f->closure);
    if (f->heap_closure) ::operator delete(f->closure);
  } catch (const std::exception& e) {
    fatal("exception escaped fiber %llu (%s): %s", static_cast<unsigned long long>(f->id),
          describe_start(f->fn).c_str(), e.what());
  } catch (...) {
    fatal("exception escaped fiber %llu (%s): unknown exception",
          static_cast<unsigned long long>(f->id), describe_start(f->fn).c_str());
  }
  M* m = this_m();
  rec::go_end();
  m->after = After::Exit;
  switch_to_sched(m, f, true);
  __builtin_unreachable();
}

// The main fiber is named after the program's main(), as Go's first goroutine is
// runtime.main (found through -rdynamic); else after the lambda given to ft::run.
const trace::StartFn* main_start_fn(const trace::StartFn* fallback) {
  static const trace::StartFn fn{dlsym(RTLD_DEFAULT, "main"), "main", "", 0};
  return fn.pc ? &fn : fallback;
}

bool env_flag(const char* name, bool dflt) {
  const char* v = std::getenv(name);
  if (!v || !*v) return dflt;
  if (!std::strcmp(v, "0") || !std::strcmp(v, "1")) return *v == '1';
  std::fprintf(stderr, "fibertrace: ignoring %s=%s (want 0 or 1)\n", name, v);
  return dflt;
}

int env_int(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return 0;
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  if (*end != '\0' || x <= 0 || x > 1 << 20) {
    std::fprintf(stderr, "fibertrace: ignoring %s=%s (want a positive integer)\n", name, v);
    return 0;
  }
  return static_cast<int>(x);
}

}  // namespace

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
  f->state.store(State::Waiting, std::memory_order_relaxed);
  rec::go_block(reason, obj);
  m->after = After::Park;
  m->unlock = unlock;
  m->unlock_arg = arg;
  switch_to_sched(m, f);
}

void ready(Fiber* f, Block reason, uint64_t obj) {
  if (rec::active()) rec::go_unblock(f->id, reason, obj);
  f->reason = Block::None;
  f->state.store(State::Runnable, std::memory_order_relaxed);
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
  if (sched.stopping.load()) return;
  std::lock_guard<std::mutex> g(sched.mu);
  if (sched.npidle.load() != sched.procs || sched.nsyscall.load() != 0 || sched.gq.size() != 0 ||
      timers_pending())
    return;
  for (P* p : sched.ps)
    if (!p->runq.empty() || p->runnext.load()) return;
  report_deadlock();
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

}  // namespace ft::rt

namespace ft::detail {
using namespace ft::rt;

constexpr uint32_t kBacklog = 2048;  // queued fibers per worker before a creator yields

Fiber* fiber_new(size_t closure_size, void** closure, Invoke invoke, Invoke destroy,
                 const trace::StartFn* fn) {
  M* m = this_m();
  if (!m || !m->p) misuse("ft::go called outside ft::run");
  P* p = m->p;
  Fiber* f = cache_get(p->fibers, p->nfibers, sched.fibers);
  if (p->id_next == p->id_end) {
    p->id_next = sched.next_id.fetch_add(kIdBatch);
    p->id_end = p->id_next + kIdBatch;
  }
  f->id = p->id_next++;
  f->ctx = nullptr;  // a recycled record may be an abandoned fiber's: nothing of it carries over
  f->stack = Stack{};
  f->next = nullptr;
  f->reason = Block::None;
  f->obj = 0;
  f->is_main = false;
  f->fn = fn;
  f->invoke = invoke;
  f->destroy = destroy;
  f->heap_closure = closure_size > kInlineClosure;
  f->closure = f->heap_closure ? ::operator new(closure_size) : f->inline_closure;
  *closure = f->closure;
  return f;
}

void fiber_start(Fiber* f) {
  f->state.store(State::Runnable, std::memory_order_relaxed);
  if (rec::active()) rec::go_create(f->id, f->fn);
  // As Go's newproc: the new fiber runs next on this worker; the one it displaces is queued.
  M* m = this_m();
  P* p = m->p;
  runqput(p, f, true);
  // Back-pressure: a loop that creates fibers faster than every worker runs them would grow
  // the global queue without bound (a queued fiber holds a 256 B record: a million of them,
  // 256 MB). Once one fiber has created kBacklog fibers in one run and the global queue holds
  // more than kBacklog per worker, it yields to the back of the global queue: every worker
  // runs the backlog before the creator makes more. Only such a loop: making a fiber that creates a
  // few children yield would run more fibers at once, each holding a stack (skynet's tree: 10x the
  // memory). Go needs no rule here only because its `go` statement is slower than its workers.
  const uint32_t tick = p->schedtick.load(std::memory_order_relaxed);
  if (p->spawn_tick != tick) {  // a new run since the last creation on this P: count afresh
    p->spawn_tick = tick;
    p->spawned = 0;
  }
  if (++p->spawned >= kBacklog && m->cur && sched.gq.size() > kBacklog * sched.procs) {
    rec::go_yield();
    m->after = After::Backlog;
    switch_to_sched(m, m->cur);
  }
}

int run_main(Invoke invoke, void* closure, const trace::StartFn* fn, const Config& cfg) {
  if (sched.running.exchange(true)) misuse("ft::run called while a runtime is already running");
  sched.cfg = cfg;
  int procs = cfg.procs > 0 ? cfg.procs : env_int("FT_MAXPROCS");
  if (procs == 0) procs = env_int("GOMAXPROCS");
  if (procs == 0) procs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  size_t stack = cfg.stack_size ? cfg.stack_size : static_cast<size_t>(env_int("FT_STACK_SIZE"));
  if (sched.stacks.slot_size() == 0)
    sched.stacks.configure(stack ? stack : 64 * 1024, env_flag("FT_STACK_MARKERS", true));
  sched.procs = procs;
  sched.stopping = false;
  sched.npidle = 0;
  sched.nspinning = 0;
  sched.nsyscall = 0;
  sched.pidle = nullptr;
  sched.ps.clear();
  for (int i = 0; i < procs; ++i) {
    P* p = new P;
    p->id = static_cast<uint32_t>(i);
    sched.ps.push_back(p);
  }
  for (int i = procs - 1; i >= 1; --i) pidle_put(sched.ps[i]);
  install_fatal_handlers();
  timers_start();
  trace_start_from_env();

  M* m0 = new M;
  m0->rand = 0x2545F4914F6CDD1Dull;
  sched.ms.push_back(m0);
  bind_thread(m0);
  acquirep(m0, sched.ps[0]);

  // The main fiber: an ordinary fiber whose closure lives in run()'s frame.
  void* unused = nullptr;
  Fiber* f = fiber_new(0, &unused, invoke, nullptr, main_start_fn(fn));
  f->closure = closure;
  f->is_main = true;
  sched.main = f;
  fiber_start(f);

  schedule(m0);

  // Main returned: stop every M (each finishes the fiber it is running first).
  trace_stop_from_env();
  timers_stop();
  for (M* m : sched.ms)
    if (m != m0) {
      m->note.post();
      m->thread.join();
    }
  for (M* m : sched.ms) delete m;
  sched.ms.clear();
  sched.midle = nullptr;
  sched.nmidle = 0;
  bind_thread(nullptr);
  // Fibers still blocked are abandoned, as in Go; their stacks return to the pool.
  sched.fibers.recycle_all();
  sched.stacks.recycle_all();
  for (P* p : sched.ps) {
    chan_cores.free_batch(p->chans, p->nchans);
    delete p;
  }
  sched.ps.clear();
  sched.gq.clear();
  sched.main = nullptr;
  sched.running = false;
  return 0;
}

}  // namespace ft::detail

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
