// Recorder internals: the per-thread state, the buffers, and the inline hot path that appends one
// event to the calling thread's buffer.
//
// Protocol between a recording thread and the session (start/stop) — the invariants:
//  * Only the owning thread writes its ThreadState's encoder fields and buffer, and only between
//    begin() and commit(), with `writing` = 1 ("the write window"). Outside the window the stopper
//    may take the buffer away (stop, thread exit).
//  * Dekker pair: the thread stores writing=1 then loads g_active; stop() stores g_active=false,
//    runs membarrier(PRIVATE_EXPEDITED) (which orders every other thread's plain stores before
//    its loads, so the hot path needs only a compiler fence), then waits for writing==0 on each
//    registered thread. After that no thread can enter a window until the next start().
//  * A thread registers (slot in the registry, under reg_mu) BEFORE its first window, so the
//    stopper cannot miss a thread that saw g_active=true.
//  * `committed` is the length of buf->data holding complete events, published with release after
//    each event; `buf_gen` is odd while the thread swaps buffers. Together they let a snapshot
//    (flight-recorder dump, fatal-signal flush) copy another thread's partial buffer without
//    stopping it: read gen, buf, committed, copy, re-read gen; retry or skip when gen moved.
//  * Buffers are never freed while the process runs (the pool keeps them), so a snapshot racing
//    a buffer swap reads stale but mapped memory, and then discards it.
#pragma once

#include <x86intrin.h>

#include <atomic>
#include <cstdint>
#include <cstring>

#include "events.hpp"
#include "format.hpp"
#include "record.hpp"

namespace ft::trace::detail {

inline constexpr size_t kBufferBytes = 64 * 1024;  // one batch; fills in ~1 ms at full rate
inline constexpr uint32_t kMaxThreads = 4096;
// Timestamps are stored in units of 2^kTickShift TSC ticks (16 ticks = ~6 ns here).
inline constexpr uint8_t kTickShift = 4;

// What a reader needs to decode a batch on its own: the recording thread and its registers
// when the batch's first event was written. Serialized at the front of each 'E' chunk.
struct BatchInfo {
  uint32_t thread = 0;  // recording thread's index
  int32_t proc = -1;    // thread's proc
  uint64_t seq = 0;     // per-thread batch number
  uint64_t base_q = 0;  // quantized tick of the first event (its delta is from here)
  uint64_t cur_g = 0;   // thread's current fiber
  uint64_t last_g = 0;  // encoding registers
  uint64_t last_obj = 0;
};

struct Buffer {
  Buffer* next = nullptr;
  uint32_t len = 0;           // bytes of data[] in use (set at hand-off)
  uint64_t recv_mono_ns = 0;  // when the writer received it (flight recorder age)
  BatchInfo info;
  static constexpr size_t kData = kBufferBytes - 128;
  alignas(64) uint8_t data[kData];
};

// A recent stack walk, kept to check the next walk from the same frame against it instead of
// redoing it (stacks.cpp): the frame addresses and return addresses it found.
struct StackMemo {
  static constexpr uint32_t kFrames = 16;  // deeper stacks are always walked
  uintptr_t fp[kFrames];                   // fp[0] (the starting frame) is the key
  uintptr_t pc[kFrames];
  uintptr_t next;  // saved frame pointer in the last frame: where the walk stopped
  uint32_t n;      // 0: empty
  uint32_t id;
};

// Per-thread lookup caches in front of the shared tables (tables.cpp). Direct-mapped; a miss
// takes the shared tables' mutex once per distinct key per thread.
struct Caches {
  static constexpr size_t kStacks = 1024, kFuncs = 256, kStrings = 256, kMemoSets = 32;
  StackMemo memo[kMemoSets][2];    // two ways per set: two hot keys that collide do not thrash
  uint8_t memo_victim[kMemoSets];  // the way a miss refills: the one not used last
  uint64_t stack_hash[kStacks];
  uint32_t stack_id[kStacks];
  const StartFn* fn_key[kFuncs];
  uint32_t fn_id[kFuncs];
  uint64_t str_hash[kStrings];
  uint32_t str_id[kStrings];
};

struct ThreadState {
  // Encoder (owner only, inside the write window).
  uint8_t* pos = nullptr;
  uint8_t* end = nullptr;
  Buffer* buf = nullptr;
  uint64_t last_q = 0;    // timestamp register
  uint64_t last_g = 0;    // last fiber id named by an event in this batch
  uint64_t last_obj = 0;  // last block object named by an event in this batch
  uint64_t seq = 0;
  // What the thread runs: kept up to date even while tracing is off (see record.hpp).
  uint64_t cur_g = 0;
  int32_t proc = -1;
  uintptr_t fiber_lo = 0, fiber_hi = 0;    // running fiber's stack
  uintptr_t thread_lo = 0, thread_hi = 0;  // the thread's own stack
  // Shared with the session.
  std::atomic<uint32_t> writing{0};
  std::atomic<uint32_t> committed{0};
  std::atomic<uint64_t> buf_gen{0};
  std::atomic<Buffer*> snap_buf{nullptr};  // = buf, for snapshot readers
  uint32_t index = 0;
  uint32_t slot = 0;
  bool registered = false;
  bool exited = false;
  Caches* caches = nullptr;
};

extern constinit thread_local ThreadState t_state __attribute__((tls_model("initial-exec")));

struct Recorder {
  std::atomic<Buffer*> full{nullptr};  // handed-off batches, LIFO; the writer takes them all
  std::atomic<ThreadState*> threads[kMaxThreads] = {};
  std::atomic<uint64_t> lost{0};    // events dropped (no buffer memory)
  uint8_t tick_shift = kTickShift;  // written into the header
  std::atomic<bool> stacks{true};   // set by start() before g_active
};
extern Recorder g_rec;

// rdtsc without a fence: 7-30 ns depending on the machine (bench/README.md measures it beside the
// tracer's cost), the largest single cost of an event, which is
// why events the runtime marks rec::When::Last reuse the thread's previous timestamp instead.
inline uint64_t now_tick() {
  return __rdtsc();
}

void register_thread(ThreadState& t);     // cold: first event of a thread
bool refill(ThreadState& t, uint64_t q);  // cold: hands off the full buffer, takes a new
void push_full(Buffer* b);                // hand a batch to the writer
Buffer* take_buffer();                    // from the pool (nullptr when over budget)
void release_buffer(Buffer* b);           // back to the pool
void steal_partial_buffers();             // stop(): every thread's batch to the writer
uint32_t walk_stack(ThreadState& t, uintptr_t fp, uintptr_t lo, uintptr_t hi, StackMemo& m);
uint32_t capture_stack_unregistered(ThreadState& t, uintptr_t fp);
uint32_t intern_func(ThreadState& t, const StartFn* fn);
uint32_t intern_string(ThreadState& t, std::string_view s);
// Whether walking from m.fp[0] now would find exactly the frames of m: every frame's saved frame
// pointer and return address are compared with the memo's, and the condition that ended the
// walk is evaluated again against the current bounds and memory. The loads are independent (the
// addresses come from the memo, not from each other), unlike a walk's chain of loads, and the
// hash and table lookup are skipped.
__attribute__((no_sanitize_address)) inline bool memo_matches(const StackMemo& m, uintptr_t lo,
                                                              uintptr_t hi) {
  const uint32_t n = m.n;
  if (m.fp[0] < lo || m.fp[n - 1] + 16 > hi) return false;  // fp[] ascend: all in [lo, hi)
  uintptr_t diff = 0;
  for (uint32_t i = 0; i + 1 < n; i++) {
    const auto* f = reinterpret_cast<const uintptr_t*>(m.fp[i]);
    diff |= (f[0] ^ m.fp[i + 1]) | (f[1] ^ m.pc[i]);
  }
  const auto* last = reinterpret_cast<const uintptr_t*>(m.fp[n - 1]);
  diff |= (last[0] ^ m.next) | (last[1] ^ m.pc[n - 1]);
  if (diff) return false;
  // The walk stopped after the last frame: on a link that does not ascend, on leaving the
  // stack, or on a zero return address. Only the last depends on memory not compared above.
  const uintptr_t nx = m.next;
  if (nx <= m.fp[n - 1] || nx < lo || nx + 16 > hi || (nx & 7)) return true;
  return reinterpret_cast<const uintptr_t*>(nx)[1] == 0;
}

// The stack id of the frames from fp (the frame of a rec:: function) outwards; 0 when fp is on
// no known stack. See stacks.cpp for the walk and its bounds. The memo set is chosen by frame
// and return address (the calls of two rec:: functions from one function share the frame
// address), and has two ways: with one, two keys of a loop that hash alike evicted each other on
// every event (seen in pingpong: every stack walked).
// Cost, measured in the runtime ping-pong (5-6 frames; bench/tracer): ~4 ns per event when the
// memo matches, which it does for a loop that blocks at the same place (same fiber stack, or a
// recycled one at the same address; ~100% in pingpong, 80% in skynet, 33% in daisy, whose
// 100 000 fibers each block once), against ~6.5 ns for walk_stack.
__attribute__((no_sanitize_address)) inline uint32_t capture_stack(ThreadState& t, uintptr_t fp) {
  if (__builtin_expect(!t.caches, 0)) return capture_stack_unregistered(t, fp);
  uintptr_t lo, hi;
  if (fp >= t.fiber_lo && fp < t.fiber_hi) {
    lo = t.fiber_lo;
    hi = t.fiber_hi;
  } else if (fp >= t.thread_lo && fp < t.thread_hi) {
    lo = t.thread_lo;
    hi = t.thread_hi;
  } else {
    return 0;
  }
  if (fp + 16 > hi || (fp & 7)) return 0;
  const uintptr_t pc = reinterpret_cast<const uintptr_t*>(fp)[1];
  const size_t set = size_t(((fp ^ (pc << 7)) * 0x9E3779B97F4A7C15ull) >> 59) % Caches::kMemoSets;
  StackMemo* ways = t.caches->memo[set];
  uint8_t& victim = t.caches->memo_victim[set];
  for (uint8_t w = 0; w < 2; w++) {
    StackMemo& m = ways[w];
    if (m.fp[0] == fp && m.pc[0] == pc) {
      victim = uint8_t(w ^ 1);
      if (__builtin_expect(m.n && memo_matches(m, lo, hi), 1)) return m.id;
      // Same key, other (or too deep) stack: refill this way, keep the other.
      return walk_stack(t, fp, lo, hi, m);
    }
  }
  StackMemo& m = ways[victim];
  victim ^= 1;
  return walk_stack(t, fp, lo, hi, m);
}

// Cold half of begin(): registers the thread and/or takes a new buffer, inside the window.
// false: nothing may be written and the window is closed.
bool begin_slow(ThreadState& t, size_t need);

// Opens the write window and writes the code byte and timestamp delta. nullptr: not tracing
// (or out of buffer memory); then nothing was written and the window is closed.
// reuse: stamp the event with the thread's previous timestamp (delta 0) instead of reading the
// clock. An unregistered thread has pos == end == nullptr, so registration costs the hot path
// no test of its own: it happens in begin_slow, before anything is written.
inline uint8_t* begin(ThreadState& t, uint8_t code, size_t need = fmt::kMaxEventBytes,
                      bool reuse = false) {
  t.writing.store(1, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (__builtin_expect(!rec::g_active.load(std::memory_order_acquire), 0)) {
    t.writing.store(0, std::memory_order_relaxed);
    return nullptr;
  }
  uint64_t q = reuse ? t.last_q : now_tick() >> kTickShift;
  if (__builtin_expect(size_t(t.end - t.pos) < need, 0)) {
    if (!begin_slow(t, need)) return nullptr;
    q = t.last_q;  // a new batch starts at a fresh timestamp (its base_q)
  }
  uint8_t* p = t.pos;
  *p++ = code;
  uint64_t last = t.last_q;
  uint64_t d = q > last ? q - last : 0;  // never backwards (ticks of another core, reuse)
  t.last_q = q > last ? q : last;
  if (__builtin_expect(d < 0x80, 1)) {
    *p++ = uint8_t(d);
    return p;
  }
  return fmt::put_uv(p, d);
}

inline void commit(ThreadState& t, uint8_t* p) {
  t.pos = p;
  t.committed.store(uint32_t(p - t.buf->data), std::memory_order_release);
  t.writing.store(0, std::memory_order_release);
}

inline uint8_t* put_g(ThreadState& t, uint8_t* p, uint64_t g) {
  p = fmt::put_uv(p, fmt::zigzag(int64_t(g - t.last_g)));
  t.last_g = g;
  return p;
}

}  // namespace ft::trace::detail
