// What the runtime calls to record events. Every function is cheap when tracing is off: the
// runtime checks ft::trace::rec::active() (one relaxed load) before calling any of them.
// When on, each call appends one event to the calling thread's buffer: no lock, no allocation,
// no system call (see recorder.hpp for the cost of each path).
//
// Threads: the recorder keeps per-thread state (the buffer, the current proc and fiber), so
// calls describe the calling thread's situation; e.g. go_block() is about the fiber that was
// last go_start()ed on this thread.
//
// Implicit arguments (taken from that state, not passed): the fiber of GoBlock/GoEnd/GoYield/
// GoSys*/user events, the waker of go_unblock (0 when no fiber runs on this thread: timer,
// scheduler), the creator of go_create, the proc of every event. go_start, go_end, go_block,
// go_yield, proc_start and proc_stop update that state even while tracing is off: a runtime that
// calls them without checking active() (cost: a few stores) gets correct fibers and procs in a
// trace started late; one that checks gets g = 0 on a thread until its next go_start.
// syscall_block(proc) may be called from a monitor thread: then its event has g = 0 and its proc
// argument names the proc; it clears the calling thread's proc only when it is that proc. Stacks
// are walked from the caller of the rec:: function, within the bounds given to go_start (or the
// thread's own stack when the frame is not on the fiber's stack).
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "events.hpp"

namespace ft::trace::rec {

extern std::atomic<bool> g_active;
inline bool active() {
  return g_active.load(std::memory_order_relaxed);
}

// The runtime registers how to describe the world at trace start: the function must call
// go_status() once for every existing fiber. Called by ft::trace::start() on its thread.
using WorldFn = void (*)();
void set_world_provider(WorldFn fn);
void go_status(uint64_t g, const StartFn* fn, FiberStatus status, Block reason);

void proc_start(uint32_t proc);
void proc_stop(uint32_t proc);
void threads(uint32_t total, uint32_t in_syscall);
void procs(uint32_t count);  // from the world provider: how many procs exist

// When an event happened. Reading the clock (rdtsc, ~7 ns here) is the largest single cost of
// an event, so the runtime may say that an event follows this thread's previous event at once,
// with nothing of unbounded length in between (no user code, no spinning, no parking, no
// syscall): When::Last stamps it with that event's timestamp (delta 0, so the stamp can be off
// by the few tens of ns between the two calls) and reads no clock. Typical uses: the GoStart of a
// fiber the scheduler took from runnext / the local run queue right after the previous fiber
// blocked, yielded or ended on this thread; a GoBlock right after the GoUnblock recorded by the
// same runtime call (e.g. a condition wait releasing a mutex). When unsure, pass When::Now.
enum class When : uint8_t { Now = 0, Last = 1 };

// stack_lo/hi bound the frame-pointer walks while g runs (its fiber stack).
void go_create(uint64_t g, const StartFn* fn);
void go_start(uint64_t g, const void* stack_lo, const void* stack_hi, When when = When::Now);
void go_end();
void go_block(Block reason, uint64_t obj, When when = When::Now);
void go_unblock(uint64_t g, Block reason, uint64_t obj, When when = When::Now);
void go_yield();
void syscall_enter();
void syscall_exit();
void syscall_block(uint32_t proc);
void chan_name(uint64_t chan, std::string_view name);

}  // namespace ft::trace::rec
