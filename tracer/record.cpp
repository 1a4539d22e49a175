// The rec:: entry points (record.hpp) and the internal emitters for user annotations and heap
// samples. Each function: update the thread's "what runs here" state (also while tracing is off,
// so a trace started late knows the current fiber), capture a stack if the event carries one
// (before the write window: a stack-table miss may take a mutex), then encode inside the window.
//
// Implicit arguments, which the reader reconstructs from the same per-thread registers:
//   the current fiber (GoBlock/GoEnd/GoYield/GoSys*/user events' g, GoUnblock's waker, GoCreate's
//   creator) and the current proc. Fiber ids and block objects are zigzag deltas from the last
//   one the thread named. noinline everywhere: the stack walk starts at the caller's frame.
#include <string_view>

#include "recorder.hpp"

namespace ft::trace {
namespace rec {
std::atomic<bool> g_active{false};
}

namespace detail {
namespace {

inline uint8_t stack_flag(uint32_t stack) {
  return stack ? 1 : 0;
}
inline uint8_t* put_stack(uint8_t* p, uint32_t stack) {
  return stack ? fmt::put_uv(p, stack) : p;
}
// no_sanitize_address here and on its callers: capture_stack reads other functions' frames, and
// GCC inlines only between functions with the same sanitizer attributes.
__attribute__((no_sanitize_address)) inline uint32_t stack_here(ThreadState& t, void* fp) {
  return g_rec.stacks.load(std::memory_order_relaxed) ? capture_stack(t, uintptr_t(fp)) : 0;
}

// Encodes obj against the thread's register; returns the objsame flag (bit 1 of the code).
inline uint8_t obj_flag(const ThreadState& t, uint64_t obj) {
  return obj == t.last_obj ? 2 : 0;
}
inline uint8_t* put_obj(ThreadState& t, uint8_t* p, uint64_t obj) {
  if (obj != t.last_obj) p = fmt::put_uv(p, fmt::zigzag(int64_t(obj - t.last_obj)));
  t.last_obj = obj;
  return p;
}

}  // namespace

// User annotations (annotations.cpp calls these; the fp is that of the public API function so
// the stack starts in user code).
void emit_task(ThreadState& t, uint8_t code, uint64_t task, uint64_t parent, uint32_t name,
               uint32_t stack) {
  uint8_t* p = begin(t, uint8_t(code | stack_flag(stack)));
  if (!p) return;
  p = fmt::put_uv(p, task);
  if (code == fmt::kTaskCreate) {
    p = fmt::put_uv(p, parent);
    p = fmt::put_uv(p, name);
  }
  commit(t, put_stack(p, stack));
}

void emit_region(ThreadState& t, uint8_t code, uint64_t task, uint32_t name, uint32_t stack) {
  uint8_t* p = begin(t, uint8_t(code | stack_flag(stack)));
  if (!p) return;
  p = fmt::put_uv(p, task);
  p = fmt::put_uv(p, name);
  commit(t, put_stack(p, stack));
}

void emit_log(ThreadState& t, uint64_t task, uint32_t category, std::string_view msg,
              uint32_t stack) {
  if (msg.size() > fmt::kMaxLogBytes) msg = msg.substr(0, fmt::kMaxLogBytes);
  uint8_t* p = begin(t, uint8_t(fmt::kLog | stack_flag(stack)), fmt::kMaxEventBytes + msg.size());
  if (!p) return;
  p = fmt::put_uv(p, task);
  p = fmt::put_uv(p, category);
  p = fmt::put_uv(p, msg.size());
  memcpy(p, msg.data(), msg.size());
  p += msg.size();
  commit(t, put_stack(p, stack));
}

void emit_heap(uint64_t bytes) {
  ThreadState& t = t_state;
  uint8_t* p = begin(t, fmt::kHeapAlloc);
  if (!p) return;
  commit(t, fmt::put_uv(p, bytes));
}

}  // namespace detail

namespace rec {
using namespace detail;

__attribute__((noinline)) void go_status(uint64_t g, const StartFn* fn, FiberStatus status,
                                         Block reason) {
  ThreadState& t = t_state;
  if (!active()) return;
  uint32_t fid = intern_func(t, fn);
  uint8_t* p = begin(t, fmt::kGoStatus);
  if (!p) return;
  p = put_g(t, p, g);
  p = fmt::put_uv(p, fid);
  p = fmt::put_uv(p, uint64_t(uint8_t(status) & fmt::kStatusMask) | uint64_t(uint8_t(reason))
                                                                        << fmt::kStatusBits);
  commit(t, p);
}

__attribute__((noinline)) void proc_start(uint32_t proc) {
  ThreadState& t = t_state;
  t.proc = int32_t(proc);
  uint8_t* p = begin(t, fmt::kProcStart);
  if (!p) return;
  commit(t, fmt::put_uv(p, proc));
}

__attribute__((noinline)) void proc_stop(uint32_t proc) {
  ThreadState& t = t_state;
  if (uint8_t* p = begin(t, fmt::kProcStop)) commit(t, fmt::put_uv(p, proc));
  t.proc = -1;
}

__attribute__((noinline)) void threads(uint32_t total, uint32_t in_syscall) {
  ThreadState& t = t_state;
  uint8_t* p = begin(t, fmt::kThreads);
  if (!p) return;
  p = fmt::put_uv(p, total);
  commit(t, fmt::put_uv(p, in_syscall));
}

__attribute__((noinline)) void procs(uint32_t count) {
  ThreadState& t = t_state;
  if (uint8_t* p = begin(t, fmt::kProcs)) commit(t, fmt::put_uv(p, count));
}

__attribute__((noinline, no_sanitize_address)) void go_create(uint64_t g, const StartFn* fn) {
  ThreadState& t = t_state;
  if (!active()) return;
  uint32_t fid = intern_func(t, fn);
  uint32_t stack = stack_here(t, __builtin_frame_address(0));
  uint8_t* p = begin(t, uint8_t(fmt::kGoCreate | stack_flag(stack)));
  if (!p) return;
  p = put_g(t, p, g);
  p = fmt::put_uv(p, fid);
  commit(t, put_stack(p, stack));
}

__attribute__((noinline)) void go_start(uint64_t g, const void* stack_lo, const void* stack_hi,
                                        When when) {
  ThreadState& t = t_state;
  t.cur_g = g;
  t.fiber_lo = uintptr_t(stack_lo);
  t.fiber_hi = uintptr_t(stack_hi);
  // gsame is decided against last_g before begin(): registers survive a batch change.
  bool same = g == t.last_g;
  uint8_t* p =
      begin(t, uint8_t(fmt::kGoStart | (same ? 1 : 0)), fmt::kMaxEventBytes, when == When::Last);
  if (!p) return;
  if (!same) p = put_g(t, p, g);
  commit(t, p);
}

namespace {
inline void not_running(ThreadState& t) {
  t.cur_g = 0;
  t.fiber_lo = t.fiber_hi = 0;
}
}  // namespace

__attribute__((noinline)) void go_end() {
  ThreadState& t = t_state;
  if (uint8_t* p = begin(t, fmt::kGoEnd)) commit(t, p);
  not_running(t);
}

__attribute__((noinline, no_sanitize_address)) void go_block(Block reason, uint64_t obj,
                                                             When when) {
  ThreadState& t = t_state;
  if (active()) {
    uint32_t stack = stack_here(t, __builtin_frame_address(0));
    uint8_t code =
        uint8_t(fmt::kGoBlock | fmt::reason_bits(reason) | obj_flag(t, obj) | stack_flag(stack));
    if (uint8_t* p = begin(t, code, fmt::kMaxEventBytes, when == When::Last))
      commit(t, put_stack(put_obj(t, p, obj), stack));
  }
  not_running(t);
}

__attribute__((noinline, no_sanitize_address)) void go_unblock(uint64_t g, Block reason,
                                                               uint64_t obj, When when) {
  ThreadState& t = t_state;
  if (!active()) return;
  uint32_t stack = stack_here(t, __builtin_frame_address(0));
  uint8_t code =
      uint8_t(fmt::kGoUnblock | fmt::reason_bits(reason) | obj_flag(t, obj) | stack_flag(stack));
  uint8_t* p = begin(t, code, fmt::kMaxEventBytes, when == When::Last);
  if (!p) return;
  p = put_g(t, p, g);
  commit(t, put_stack(put_obj(t, p, obj), stack));
}

__attribute__((noinline, no_sanitize_address)) void go_yield() {
  ThreadState& t = t_state;
  if (active()) {
    uint32_t stack = stack_here(t, __builtin_frame_address(0));
    if (uint8_t* p = begin(t, uint8_t(fmt::kGoYield | stack_flag(stack))))
      commit(t, put_stack(p, stack));
  }
  not_running(t);
}

__attribute__((noinline, no_sanitize_address)) void syscall_enter() {
  ThreadState& t = t_state;
  if (!active()) return;
  uint32_t stack = stack_here(t, __builtin_frame_address(0));
  if (uint8_t* p = begin(t, uint8_t(fmt::kGoSysCall | stack_flag(stack))))
    commit(t, put_stack(p, stack));
}

__attribute__((noinline)) void syscall_exit() {
  ThreadState& t = t_state;
  if (uint8_t* p = begin(t, fmt::kGoSysExit)) commit(t, p);
}

__attribute__((noinline)) void syscall_block(uint32_t proc) {
  ThreadState& t = t_state;
  if (uint8_t* p = begin(t, fmt::kGoSysBlock)) commit(t, fmt::put_uv(p, proc));
  if (t.proc == int32_t(proc)) t.proc = -1;  // the proc went to another thread
}

__attribute__((noinline)) void chan_name(uint64_t chan, std::string_view name) {
  ThreadState& t = t_state;
  if (!active()) return;
  uint32_t sid = intern_string(t, name);
  uint8_t* p = begin(t, fmt::kChanName);
  if (!p) return;
  p = fmt::put_uv(p, chan);
  commit(t, fmt::put_uv(p, sid));
}

}  // namespace rec
}  // namespace ft::trace
