// Fibers: creating one (ft::go), its first run and its end, the main fiber and ft::run's
// start and stop, and the pool of records. The loop that runs fibers is proc.cpp.
#include "fiber.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "chan.hpp"
#include "fatal.hpp"
#include "mp.hpp"
#include "netpoll.hpp"
#include "sched.hpp"
#include "switch.hpp"
#include "sysmon.hpp"
#include "timer.hpp"
#include "tracing.hpp"

namespace ft::rt {

namespace {
constexpr uint32_t kIdBatch = 1024;  // fiber ids a P takes from the global counter at once
constexpr uint32_t kBacklog = 2048;  // queued fibers per worker before a creator yields

const char* state_name(State s) {
  switch (s) {
    case State::Free:
      return "free";
    case State::Runnable:
      return "runnable";
    case State::Running:
      return "running";
    case State::Waiting:
      return "waiting";
    case State::Syscall:
      return "syscall";
  }
  return "?";
}

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

// The table in fiber.hpp, spot-checked: what it must refuse.
static_assert(!legal_transition(State::Waiting, State::Running));  // only ready() wakes
static_assert(!legal_transition(State::Free, State::Running));     // started before it runs
static_assert(!legal_transition(State::Waiting, State::Free));     // a parked fiber never ends
static_assert(legal_transition(State::Syscall, State::Runnable));  // a syscall exit without a P

void bad_transition(const Fiber* f, State from, State to) {
  fatal("fiber %llu: state change %s -> %s %s (it is %s): a fibertrace bug",
        static_cast<unsigned long long>(f->id), state_name(from), state_name(to),
        legal_transition(from, to) ? "from the wrong state" : "is not a legal transition",
        state_name(f->state.load(std::memory_order_relaxed)));
}

void bind_stack(P* p, Fiber* f) {
  f->stack = cache_get(p->stacks, p->nstacks, sched.stacks);
  san_fiber_created(f);
  char* top = f->stack.top();
  f->ctx = ctx::make_fcontext(top, static_cast<size_t>(top - f->stack.lo), fiber_entry);
}

void free_fiber(P* p, Fiber* f) {
  san_fiber_destroyed(f);
  cache_put(p->stacks, p->nstacks, sched.stacks, f->stack);
  set_state(f, State::Running, State::Free, std::memory_order_release);
  cache_put(p->fibers, p->nfibers, sched.fibers, f);
}

void main_exited() {
  sched.stopping.store(true);
  netpoll_break();  // an M blocked in epoll_wait is on no idle list
  std::lock_guard<SchedMutex> g(sched.mu);
  for (M* x = sched.midle; x; x = x->next_idle) x->note.post();
  sched.midle = nullptr;
}

FiberPool::~FiberPool() {
  for (Fiber* s : slabs_) delete[] s;
}

void FiberPool::alloc_batch(Fiber** out, int n) {
  std::lock_guard<std::mutex> g(mu_);
  for (int i = 0; i < n; ++i) {
    if (free_.empty()) {
      Fiber* slab = new Fiber[kSlab];
      slabs_.push_back(slab);
      for (int k = kSlab - 1; k >= 0; --k) free_.push_back(&slab[k]);
    }
    out[i] = free_.back();
    free_.pop_back();
  }
}

void FiberPool::free_batch(Fiber** in, int n) {
  std::lock_guard<std::mutex> g(mu_);
  free_.insert(free_.end(), in, in + n);
}

void FiberPool::recycle_all() {
  std::lock_guard<std::mutex> g(mu_);
  free_.clear();
  for (auto s = slabs_.rbegin(); s != slabs_.rend(); ++s)
    for (int k = kSlab - 1; k >= 0; --k) {
      // A reset, not a transition: every fiber still parked is abandoned with its runtime.
      (*s)[k].state.store(State::Free, std::memory_order_relaxed);
      free_.push_back(&(*s)[k]);
    }
}

}  // namespace ft::rt

// The entry points <ft/fiber.hpp> declares.
namespace ft::detail {
using namespace ft::rt;

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
  set_state(f, State::Free, State::Runnable);
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
  {
    std::lock_guard<SchedMutex> g(sched.mu);  // no other thread yet: for pidle_put's rule
    for (int i = procs - 1; i >= 1; --i) pidle_put(sched.ps[i]);
  }
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
  netpoll_reset();
  sched.fibers.recycle_all();
  sched.stacks.recycle_all();
  for (P* p : sched.ps) {
    chan_cores_drain(p);
    delete p;
  }
  sched.ps.clear();
  sched.gq.clear();
  sched.main = nullptr;
  sched.running = false;
  return 0;
}

}  // namespace ft::detail
