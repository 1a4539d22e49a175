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
// Before all that, a per-thread memo keyed by the starting frame's address holds the last walk
// from there (frame addresses and return addresses); when every frame still holds what the memo
// says, the walk would find the same pcs, so its stack id is reused without walking or hashing.
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

uint32_t capture_stack_unregistered(ThreadState& t, uintptr_t fp) {
  return ensure_registered(t) ? capture_stack(t, fp) : 0;
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

// The memo missed (capture_stack in recorder.hpp): walk, hash, look the stack up, and refill m.
__attribute__((no_sanitize_address, noinline)) uint32_t walk_stack(ThreadState& t, uintptr_t fp,
                                                                   uintptr_t lo, uintptr_t hi,
                                                                   StackMemo& m) {
  Caches& c = *t.caches;
  // The walk refills the memo as it goes (its old content is stale anyway): a copy afterwards
  // (rep movs) cost more than the walk itself.
  uintptr_t pcs[fmt::kMaxFrames];
  uint32_t n = 0;
  uintptr_t next = 0;
  uint64_t h = 0x6a09e667f3bcc908ull;
  m.n = 0;
  while (n < fmt::kMaxFrames) {
    if (fp < lo || fp + 16 > hi || (fp & 7)) break;
    const auto* frame = reinterpret_cast<const uintptr_t*>(fp);
    uintptr_t pc = frame[1];
    if (pc == 0) break;
    if (n < StackMemo::kFrames) {
      m.fp[n] = fp;
      m.pc[n] = pc;
    }
    pcs[n++] = pc;
    h = mix(h, pc);
    next = frame[0];
    if (next <= fp) break;
    fp = next;
  }
  if (n == 0) return 0;
  h = mix(h, n);
  size_t i = (h ^ (h >> 32)) & (Caches::kStacks - 1);
  uint32_t id;
  if (c.stack_hash[i] == h && c.stack_id[i]) {
    id = c.stack_id[i];
  } else {
    id = intern_stack(pcs, n, h);
    c.stack_hash[i] = h;
    c.stack_id[i] = id;
  }
  // Memoize only walks that ended on their own: one cut at kMaxFrames would not be recognised
  // by memo_matches (and is too deep for the memo anyway).
  if (n <= StackMemo::kFrames) {
    m.next = next;
    m.n = n;
    m.id = id;
  }
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
