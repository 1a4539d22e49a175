// The two context switches of the runtime, with the sanitizer annotations that let ASan and
// TSan follow a thread from its scheduler stack onto a fiber stack and back.
// Cost without sanitizers: one jump_fcontext (~5 ns here), nothing else.
#pragma once

#include "sched.hpp"

#if defined(FT_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(FT_TSAN)
extern "C" {
void* __tsan_get_current_fiber(void);
void* __tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void* fiber);
void __tsan_switch_to_fiber(void* fiber, unsigned flags);
}
#endif

namespace ft::rt {

// Scheduler stack -> fiber. Returns the fiber's context once it switches back.
inline ctx::transfer_t switch_to_fiber(M* m, Fiber* f) {
#if defined(FT_ASAN)
  __sanitizer_start_switch_fiber(&m->asan_fake, f->stack.lo, f->stack.size);
#endif
#if defined(FT_TSAN)
  __tsan_switch_to_fiber(f->san_fiber, 0);
#endif
  ctx::transfer_t t = ctx::jump_fcontext(f->ctx, m);
#if defined(FT_ASAN)
  __sanitizer_finish_switch_fiber(m->asan_fake, nullptr, nullptr);
#endif
  return t;
}

// First instructions of a fresh fiber: note where the scheduler stack is.
inline M* fiber_arrived(ctx::transfer_t t, Fiber* f) {
  M* m = static_cast<M*>(t.data);
  m->sched = t.fctx;
#if defined(FT_ASAN)
  __sanitizer_finish_switch_fiber(f->asan_fake, &m->asan_bottom, &m->asan_size);
#else
  (void)f;
#endif
  return m;
}

// Fiber -> its M's scheduler stack. Returns the M that resumed the fiber (maybe another one).
// `exiting` fibers never come back.
inline M* switch_to_sched(M* m, Fiber* f, bool exiting = false) {
#if defined(FT_ASAN)
  __sanitizer_start_switch_fiber(exiting ? nullptr : &f->asan_fake, m->asan_bottom, m->asan_size);
#endif
#if defined(FT_TSAN)
  __tsan_switch_to_fiber(m->san_fiber, 0);
#endif
  (void)exiting;
  ctx::transfer_t t = ctx::jump_fcontext(m->sched, nullptr);
  return fiber_arrived(t, f);
}

inline void san_fiber_created(Fiber* f) {
#if defined(FT_ASAN)
  // A reused slot still carries the shadow of the frames its last fiber never returned from.
  __asan_unpoison_memory_region(f->stack.lo, f->stack.size);
#endif
#if defined(FT_TSAN)
  f->san_fiber = __tsan_create_fiber(0);
#else
  (void)f;
#endif
}
inline void san_fiber_destroyed(Fiber* f) {
#if defined(FT_TSAN)
  __tsan_destroy_fiber(f->san_fiber);
  f->san_fiber = nullptr;
#else
  (void)f;
#endif
}
inline void san_thread_started(M* m) {
#if defined(FT_TSAN)
  m->san_fiber = __tsan_get_current_fiber();
#else
  (void)m;
#endif
}

}  // namespace ft::rt
