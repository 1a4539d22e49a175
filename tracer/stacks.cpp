// Stack capture on the hot path and interning of strings, start functions and stacks.
//
// The walk follows saved frame pointers (the build uses -fno-omit-frame-pointer): frame[0] is
// the caller's frame pointer, frame[1] the return address. It only dereferences addresses inside
// the stack that holds the starting frame — the running fiber's [lo, hi) from go_start, else the
// thread's own stack — and requires frame pointers to increase strictly, so a broken chain ends
// the walk instead of faulting. Every byte between the current frame and `hi` is in use by the
// walked stack, hence mapped. At most fmt::kMaxFrames frames.
//
// Dedup: a 64-bit hash of the pcs keys a per-thread direct-mapped cache, then the shared table.
// Two different stacks with the same 64-bit hash would share an id (odds ~n^2/2^64; accepted).
#include <cstring>

#include "recorder.hpp"
#include "tables.hpp"

namespace ft::trace::detail {

namespace {

inline uint64_t mix(uint64_t h, uint64_t v) {
  h = (h ^ v) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 31);
}

uint64_t hash_bytes(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return mix(h, s.size());
}

bool ensure_registered(ThreadState& t) {
  if (!t.registered) register_thread(t);
  return t.registered;
}

}  // namespace

TableStore& tables() {
  static auto* t = new TableStore;  // never destroyed: used by atexit/thread-exit flushes
  return *t;
}

uint32_t TableStore::string_locked(std::string_view s) {
  if (s.empty()) return 0;
  auto it = string_ids.find(std::string(s));
  if (it != string_ids.end()) return it->second;
  uint32_t id = uint32_t(strings.size());
  strings.emplace_back(s);
  string_ids.emplace(strings.back(), id);
  return id;
}

uint32_t intern_stack(const uintptr_t* pcs, uint32_t n, uint64_t hash) {
  TableStore& ts = tables();
  std::lock_guard<std::mutex> lk(ts.mu);
  auto it = ts.stack_ids.find(hash);
  if (it != ts.stack_ids.end()) return it->second;
  uint32_t id = uint32_t(ts.stacks.size());
  ts.stacks.emplace_back(pcs, pcs + n);
  ts.stack_ids.emplace(hash, id);
  return id;
}

__attribute__((no_sanitize_address, noinline)) uint32_t capture_stack(ThreadState& t,
                                                                      uintptr_t fp) {
  if (__builtin_expect(!t.caches, 0) && !ensure_registered(t)) return 0;
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
  uintptr_t pcs[fmt::kMaxFrames];
  uint32_t n = 0;
  uint64_t h = 0x6a09e667f3bcc908ull;
  while (n < fmt::kMaxFrames) {
    if (fp < lo || fp + 16 > hi || (fp & 7)) break;
    const auto* frame = reinterpret_cast<const uintptr_t*>(fp);
    uintptr_t pc = frame[1];
    if (pc == 0) break;
    pcs[n++] = pc;
    h = mix(h, pc);
    uintptr_t next = frame[0];
    if (next <= fp) break;
    fp = next;
  }
  if (n == 0) return 0;
  h = mix(h, n);
  Caches& c = *t.caches;
  size_t i = (h ^ (h >> 32)) & (Caches::kStacks - 1);
  if (c.stack_hash[i] == h && c.stack_id[i]) return c.stack_id[i];
  uint32_t id = intern_stack(pcs, n, h);
  c.stack_hash[i] = h;
  c.stack_id[i] = id;
  return id;
}

uint32_t intern_func(ThreadState& t, const StartFn* fn) {
  if (!fn || !ensure_registered(t)) return 0;
  Caches& c = *t.caches;
  size_t i = (uintptr_t(fn) >> 3) & (Caches::kFuncs - 1);
  if (c.fn_key[i] == fn) return c.fn_id[i];
  TableStore& ts = tables();
  uint32_t id;
  {
    std::lock_guard<std::mutex> lk(ts.mu);
    auto [it, added] = ts.func_ids.emplace(fn, uint32_t(ts.funcs.size()));
    if (added) ts.funcs.push_back(fn);
    id = it->second;
  }
  c.fn_key[i] = fn;
  c.fn_id[i] = id;
  return id;
}

uint32_t intern_string(ThreadState& t, std::string_view s) {
  if (s.empty() || !ensure_registered(t)) return 0;
  uint64_t h = hash_bytes(s);
  Caches& c = *t.caches;
  size_t i = (h ^ (h >> 29)) & (Caches::kStrings - 1);
  if (c.str_hash[i] == h && c.str_id[i]) return c.str_id[i];
  TableStore& ts = tables();
  uint32_t id;
  {
    std::lock_guard<std::mutex> lk(ts.mu);
    id = ts.string_locked(s);
  }
  c.str_hash[i] = h;
  c.str_id[i] = id;
  return id;
}

}  // namespace ft::trace::detail
