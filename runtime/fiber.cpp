#include "fiber.hpp"

namespace ft::rt {

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
      (*s)[k].state.store(State::Free, std::memory_order_relaxed);
      free_.push_back(&(*s)[k]);
    }
}

}  // namespace ft::rt
