#include "globq.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

namespace ft::rt {

GlobalQueue::~GlobalQueue() {
  clear();
  while (spare_) delete std::exchange(spare_, spare_->next);
}

GlobalQueue::Batch* GlobalQueue::fresh() {
  // malloc under the spin lock, but rarely: only when the queue reaches a new peak, once per
  // 254 fibers. Dropping the lock instead would leave the fiber being queued in neither the
  // queue nor its size for a moment, when an M looking for work (or a dead lock) must see it.
  Batch* b = spare_;
  if (b)
    spare_ = b->next;
  else
    b = new Batch;
  b->next = nullptr;
  b->head = b->tail = 0;
  return b;
}

void GlobalQueue::put(Fiber* const* fs, uint32_t n) {
  std::lock_guard<SpinLock> g(lock_);
  while (n > 0) {
    if (!last_ || last_->tail == kBatch) {
      Batch* b = fresh();
      if (last_)
        last_->next = b;
      else
        first_ = b;
      last_ = b;
    }
    const uint32_t k = std::min(n, kBatch - last_->tail);
    std::copy(fs, fs + k, last_->f + last_->tail);
    last_->tail += k;
    size_.fetch_add(k);  // seq_cst, as the wake-up checks pair with it (proc.cpp)
    fs += k;
    n -= k;
  }
}

Fiber* GlobalQueue::get(RunQ& q, uint32_t max, int procs) {
  if (size() == 0) return nullptr;
  std::lock_guard<SpinLock> g(lock_);
  const uint32_t size = size_.load();
  if (size == 0) return nullptr;
  const uint32_t n = std::min(max, size / static_cast<uint32_t>(procs) + 1);
  Fiber* first = pop_front();
  uint32_t taken = 1;
  for (; taken < n && first_ && q.push(first_->f[first_->head]); ++taken) pop_front();
  size_.fetch_sub(taken);
  return first;
}

Fiber* GlobalQueue::pop_front() {
  Batch* b = first_;
  Fiber* f = b->f[b->head++];
  if (b->head == b->tail) {  // emptied: keep it for reuse
    first_ = b->next;
    if (!first_) last_ = nullptr;
    b->next = spare_;
    spare_ = b;
  }
  return f;
}

void GlobalQueue::clear() {
  std::lock_guard<SpinLock> g(lock_);
  while (first_) {
    Batch* b = first_;
    first_ = b->next;
    b->next = spare_;
    spare_ = b;
  }
  last_ = nullptr;
  size_.store(0);
}

}  // namespace ft::rt
