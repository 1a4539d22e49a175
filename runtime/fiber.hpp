// Fibers (Go's g) and where they live.
//
// A Fiber is a fixed-size record from a slab pool; its stack is bound only when it first runs
// and returned when it ends. So a fiber that waits in a run queue costs ~256 bytes, not a
// stack page: a loop that creates a million fibers faster than they run does not touch a
// million fresh pages (12 µs each on first touch here), and stacks stay warm because the few
// in use are reused LIFO.
//
// Closures up to kInlineClosure bytes live inside the record; larger ones are malloc'ed.
// Records are never returned to the OS: the dead-lock dump and the tracer's start-of-trace
// snapshot enumerate every slab, and a record whose state is Free is not a fiber.
#pragma once

#include <boost/context/detail/fcontext.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "ft/fiber.hpp"
#include "stack.hpp"
#include "vocab/fibers.hpp"

// Runtime self-checks (fiber state transitions, lock rules): on in debug and sanitizer
// builds, compiled out of release builds' hot paths.
#if !defined(NDEBUG) || defined(FT_ASAN) || defined(FT_TSAN)
#define FT_RUNTIME_CHECKS 1
#else
#define FT_RUNTIME_CHECKS 0
#endif

namespace ft::rt {
// A fiber's state (Go's g.atomicstatus). The legal changes, each made in one place:
//   Free     -> Runnable  fiber_start (fiber.cpp)
//   Runnable -> Running   execute (proc.cpp)
//   Running  -> Runnable  yield, creation back-pressure (proc.cpp, fiber.cpp)
//   Running  -> Waiting   park;  Waiting -> Runnable  ready (proc.cpp)
//   Running  -> Syscall   syscall_enter; Syscall -> Running  syscall_exit (syscall.cpp)
//   Syscall  -> Runnable  a syscall's exit found no P and queued the fiber (proc.cpp)
//   Running  -> Free      the fiber returned (proc.cpp, fiber.cpp)
// Only the thread that owns the fiber at that moment changes it (the M running it, or the
// waker that dequeued it under the lock it waited on); the dead-lock dump and the tracer's
// snapshot read it. FiberPool::recycle_all resets every record to Free at the end of ft::run.
enum class State : uint8_t { Free = 0, Runnable, Running, Waiting, Syscall };
inline constexpr size_t kInlineClosure = 80;
}  // namespace ft::rt

namespace ft::detail {
struct alignas(64) Fiber {
  boost::context::detail::fcontext_t ctx = nullptr;  // null until it first runs
  Fiber* next = nullptr;                             // wait queue (sync.cpp) link
  uint64_t id = 0;
  std::atomic<rt::State> state{rt::State::Free};
  trace::Block reason = trace::Block::None;  // why Waiting
  bool is_main = false;
  bool heap_closure = false;
  uint64_t obj = 0;  // what it waits on (channel id, ...), for traces and dumps
  const trace::StartFn* fn = nullptr;
  Invoke invoke = nullptr;
  Invoke destroy = nullptr;
  void* closure = nullptr;
  rt::Stack stack;            // bound while it runs or waits; empty before its first run
  void* san_fiber = nullptr;  // TSan fiber handle
  void* asan_fake = nullptr;  // ASan fake stack of this fiber while switched out
  alignas(16) unsigned char inline_closure[rt::kInlineClosure];
};
}  // namespace ft::detail

namespace ft::rt {
using detail::Fiber;

// The one way to change a fiber's state: with FT_RUNTIME_CHECKS, a fatal error unless the
// fiber is in `from` and from -> to is in the table above; otherwise a single store.
[[noreturn]] void bad_transition(const Fiber* f, State from, State to);  // fiber.cpp
inline constexpr bool legal_transition(State from, State to) {
  switch (from) {
    case State::Free:
      return to == State::Runnable;
    case State::Runnable:
      return to == State::Running;
    case State::Running:
      return to == State::Runnable || to == State::Waiting || to == State::Syscall ||
             to == State::Free;
    case State::Waiting:
      return to == State::Runnable;
    case State::Syscall:
      return to == State::Running || to == State::Runnable;
  }
  return false;
}
inline void set_state(Fiber* f, State from, State to,
                      std::memory_order mo = std::memory_order_relaxed) {
#if FT_RUNTIME_CHECKS
  if (!legal_transition(from, to) || f->state.load(std::memory_order_relaxed) != from)
    bad_transition(f, from, to);
#else
  (void)from;
#endif
  f->state.store(to, mo);
}

struct P;
// Fiber lifecycle (fiber.cpp). bind_stack: its first run, a warm stack from p's cache and the
// entry context on it. free_fiber: it returned; its stack and record go back to p's caches.
void bind_stack(P* p, Fiber* f);
void free_fiber(P* p, Fiber* f);
// The main fiber returned: stop every M.
void main_exited();

class FiberPool {
 public:
  static constexpr int kSlab = 1024;
  FiberPool() = default;
  FiberPool(const FiberPool&) = delete;
  FiberPool& operator=(const FiberPool&) = delete;
  ~FiberPool();  // at exit: no fiber runs any more
  // Fills out[0..n) with free records (fresh slabs as needed).
  void alloc_batch(Fiber** out, int n);
  void free_batch(Fiber** in, int n);
  // Every record ever handed out, for the dead-lock dump and the tracer's snapshot.
  template <class Fn>
  void for_each(Fn fn) {
    std::lock_guard<std::mutex> g(mu_);
    for (Fiber* s : slabs_)
      for (int i = 0; i < kSlab; ++i) fn(&s[i]);
  }
  // End of ft::run: every record is free again.
  void recycle_all();

 private:
  std::mutex mu_;
  std::vector<Fiber*> slabs_;
  std::vector<Fiber*> free_;
};

}  // namespace ft::rt
