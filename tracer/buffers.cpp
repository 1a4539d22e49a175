// Thread registry, buffer pool and the buffer hand-off: the cold paths behind recorder.hpp.
//
// Memory: buffers come from a pool guarded by a spin lock (held for a pointer pop) and are never
// returned to malloc, so snapshot readers (recorder.hpp) never touch unmapped memory. The pool
// grows on demand up to kBudget bytes in flight; beyond that a thread waits briefly for the
// writer and then drops the event (counted in g_rec.lost, reported in the trace's end chunk).
#include <pthread.h>
#include <sched.h>

#include <cstdlib>
#include <mutex>
#include <new>

#include "recorder.hpp"
#include "session.hpp"

namespace ft::trace::detail {

constinit thread_local ThreadState t_state __attribute__((tls_model("initial-exec")));
Recorder g_rec;

namespace {

constexpr size_t kBudget = size_t(256) << 20;

std::mutex& reg_mu() {
  static auto* mu = new std::mutex;  // never destroyed: threads exit after static destructors
  return *mu;
}
uint32_t g_next_index = 0;  // under reg_mu

std::atomic_flag g_pool_lock = ATOMIC_FLAG_INIT;
Buffer* g_pool = nullptr;  // free buffers, under g_pool_lock
size_t g_allocated = 0;    // bytes of buffers ever allocated, under g_pool_lock
size_t g_free = 0;         // bytes in g_pool

void pool_lock() {
  while (g_pool_lock.test_and_set(std::memory_order_acquire)) _mm_pause();
}
void pool_unlock() {
  g_pool_lock.clear(std::memory_order_release);
}

// Flushes the thread's partial batch when the thread ends, and frees its registry slot.
struct ExitHook {
  ~ExitHook() {
    ThreadState& t = t_state;
    std::lock_guard<std::mutex> lk(reg_mu());
    // stop() holds reg_mu while it takes partial buffers, so this cannot race with it; a
    // buffer still here belongs to a running session.
    if (t.buf) {
      t.buf->len = uint32_t(t.pos - t.buf->data);
      push_full(t.buf);
      t.buf = nullptr;
      t.snap_buf.store(nullptr, std::memory_order_release);
      t.pos = t.end = nullptr;
    }
    g_rec.threads[t.slot].store(nullptr, std::memory_order_release);
    t.registered = false;
    t.exited = true;  // a later event (another thread_local's destructor) is dropped
    free(t.caches);
    t.caches = nullptr;
  }
};
thread_local ExitHook t_exit_hook;

void stack_bounds(ThreadState& t) {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* addr = nullptr;
  size_t size = 0;
  if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
    t.thread_lo = uintptr_t(addr);
    t.thread_hi = uintptr_t(addr) + size;
  }
  pthread_attr_destroy(&attr);
}

}  // namespace

void register_thread(ThreadState& t) {
  if (t.registered || t.exited) return;
  auto* caches = static_cast<Caches*>(calloc(1, sizeof(Caches)));
  if (!caches) return;
  stack_bounds(t);
  std::lock_guard<std::mutex> lk(reg_mu());
  for (uint32_t i = 0; i < kMaxThreads; i++) {
    if (g_rec.threads[i].load(std::memory_order_relaxed)) continue;
    t.slot = i;
    t.index = g_next_index++;
    t.caches = caches;
    t.registered = true;
    (void)&t_exit_hook;  // constructs the hook: its destructor runs at thread exit
    g_rec.threads[i].store(&t, std::memory_order_release);
    return;
  }
  free(caches);  // registry full: this thread records nothing
}

void push_full(Buffer* b) {
  Buffer* head = g_rec.full.load(std::memory_order_relaxed);
  do {
    b->next = head;
  } while (!g_rec.full.compare_exchange_weak(head, b, std::memory_order_release,
                                             std::memory_order_relaxed));
}

Buffer* take_buffer() {
  for (int attempt = 0; attempt < 2000; attempt++) {
    pool_lock();
    if (Buffer* b = g_pool) {
      g_pool = b->next;
      g_free -= sizeof(Buffer);
      pool_unlock();
      return b;
    }
    bool may_grow = g_allocated + sizeof(Buffer) <= kBudget;
    if (may_grow) g_allocated += sizeof(Buffer);
    pool_unlock();
    if (may_grow) {
      void* mem = aligned_alloc(64, sizeof(Buffer));
      if (mem) return new (mem) Buffer;
      pool_lock();
      g_allocated -= sizeof(Buffer);
      pool_unlock();
      return nullptr;
    }
    sched_yield();  // over budget: give the writer a moment to drain
  }
  return nullptr;
}

void release_buffer(Buffer* b) {
  pool_lock();
  b->next = g_pool;
  g_pool = b;
  g_free += sizeof(Buffer);
  pool_unlock();
}

bool refill(ThreadState& t, uint64_t q) {
  Buffer* old = t.buf;
  Buffer* nb = take_buffer();
  t.buf_gen.fetch_add(1, std::memory_order_acq_rel);  // odd: snapshots of this thread retry
  if (old) {
    old->len = uint32_t(t.pos - old->data);
    push_full(old);
  }
  if (!nb) {
    t.buf = nullptr;
    t.pos = t.end = nullptr;
    t.snap_buf.store(nullptr, std::memory_order_relaxed);
    t.buf_gen.fetch_add(1, std::memory_order_release);
    g_rec.lost.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  nb->next = nullptr;
  nb->len = 0;
  nb->info.thread = t.index;
  nb->info.seq = t.seq++;
  nb->info.base_q = q;
  nb->info.cur_g = t.cur_g;
  nb->info.proc = t.proc;
  // The encoding registers carry over from the previous batch: written into the batch header.
  nb->info.last_g = t.last_g;
  nb->info.last_obj = t.last_obj;
  nb->recv_mono_ns = 0;
  t.buf = nb;
  t.pos = nb->data;
  t.end = nb->data + Buffer::kData;
  t.last_q = q;
  t.committed.store(0, std::memory_order_relaxed);
  t.snap_buf.store(nb, std::memory_order_relaxed);
  t.buf_gen.fetch_add(1, std::memory_order_release);
  return true;
}

bool begin_slow(ThreadState& t, size_t need) {
  if (__builtin_expect(!t.registered, 0)) {
    // The registry must hold this thread before it writes anything (recorder.hpp): leave the
    // window, register, and re-enter it with a fresh look at g_active.
    t.writing.store(0, std::memory_order_release);
    register_thread(t);
    if (!t.registered) return false;
    t.writing.store(1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (!rec::g_active.load(std::memory_order_acquire)) {
      t.writing.store(0, std::memory_order_release);
      return false;
    }
    if (size_t(t.end - t.pos) >= need) return true;
  }
  if (!refill(t, now_tick() >> kTickShift)) {
    t.writing.store(0, std::memory_order_release);
    return false;
  }
  return true;
}

// Used by stop(): the caller holds no locks; this takes reg_mu while it visits each thread.
void steal_partial_buffers() {
  std::lock_guard<std::mutex> lk(reg_mu());
  for (uint32_t i = 0; i < kMaxThreads; i++) {
    ThreadState* t = g_rec.threads[i].load(std::memory_order_acquire);
    if (!t) continue;
    for (int spins = 0; t->writing.load(std::memory_order_acquire); spins++) {
      if (spins > 100)
        sched_yield();  // the owner was preempted inside its window
      else
        _mm_pause();
    }
    if (t->buf) {
      t->buf->len = t->committed.load(std::memory_order_acquire);
      push_full(t->buf);
      t->buf = nullptr;
      t->pos = t->end = nullptr;
      t->snap_buf.store(nullptr, std::memory_order_release);
    }
  }
}

int64_t snapshot_thread(ThreadState& t, BatchInfo& info, uint8_t* data) {
  for (int attempt = 0; attempt < 4; attempt++) {
    uint64_t gen = t.buf_gen.load(std::memory_order_acquire);
    if (gen & 1) continue;
    Buffer* b = t.snap_buf.load(std::memory_order_acquire);
    if (!b) return -1;
    uint32_t n = t.committed.load(std::memory_order_acquire);
    if (n > Buffer::kData) return -1;
    info = b->info;
    memcpy(data, b->data, n);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (t.buf_gen.load(std::memory_order_relaxed) == gen) return n;
  }
  return -1;
}

bool snapshot_all_threads(
    const std::function<bool(const BatchInfo& info, const uint8_t* data, uint32_t len)>& fn) {
  std::lock_guard<std::mutex> lk(reg_mu());
  auto* data = static_cast<uint8_t*>(malloc(Buffer::kData));
  if (!data) return false;
  bool ok = true;
  BatchInfo info;
  for (uint32_t i = 0; i < kMaxThreads && ok; i++) {
    ThreadState* t = g_rec.threads[i].load(std::memory_order_acquire);
    if (!t) continue;
    int64_t n = snapshot_thread(*t, info, data);
    if (n > 0) ok = fn(info, data, uint32_t(n));
  }
  free(data);
  return ok;
}

}  // namespace ft::trace::detail
