#include "stack.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include "fatal.hpp"

namespace ft::rt {
namespace {
constexpr size_t kRegionBytes = size_t{256} << 20;
constexpr size_t kWords = kCanaryBytes / sizeof(uint64_t);
}  // namespace

void StackPool::configure(size_t slot_size) {
  guard_ = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  if (slot_size < 16 * 1024) slot_size = 16 * 1024;
  slot_ = (slot_size + guard_ - 1) / guard_ * guard_;
  regions_.reserve(4096);  // never reallocates under the SIGSEGV handler (1 TiB of stacks)
}

void StackPool::alloc_batch(Stack* out, size_t n) {
  std::lock_guard<std::mutex> g(mu_);
  for (size_t i = 0; i < n; ++i) {
    if (free_.empty()) {
      out[i] = carve();
    } else {
      out[i] = free_.back();
      free_.pop_back();
    }
  }
}

Stack StackPool::carve() {
  if (regions_.empty() || regions_.back().bump + slot_ > regions_.back().end) {
    size_t bytes = guard_ + (kRegionBytes < slot_ ? slot_ : kRegionBytes / slot_ * slot_);
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) fatal("out of memory reserving fiber stacks (%zu bytes)", bytes);
    char* b = static_cast<char*>(p);
    if (::mprotect(b, guard_, PROT_NONE) != 0) fatal("cannot protect a stack guard page");
    regions_.push_back({b, b + guard_, b + bytes});
  }
  Region& r = regions_.back();
  Stack s{r.bump, slot_, r.bump == r.base + guard_};
  r.bump += slot_;
  if (!s.guarded && carved_ < kGuardedSlots && ::mprotect(s.lo, guard_, PROT_NONE) == 0) {
    s.lo += guard_;  // the usable stack starts above its guard page
    s.size -= guard_;
    s.guarded = true;
  }
  ++carved_;
  // Arm the canary of the slot above, in this slot's top page (touched by its first frames).
  for (size_t i = 0; i < kWords; ++i) reinterpret_cast<uint64_t*>(s.top())[i] = kCanary;
  return s;
}

void StackPool::free_batch(Stack* s, size_t n) {
  std::lock_guard<std::mutex> g(mu_);
  free_.insert(free_.end(), s, s + n);
}

bool StackPool::canary_ok(const Stack& s) {
  if (s.guarded) return true;
  const auto* c = reinterpret_cast<const uint64_t*>(s.lo - kCanaryBytes);
  return c[0] == kCanary && c[kWords - 1] == kCanary;
}

bool StackPool::in_guard(const void* addr) {
  // Called from the SIGSEGV handler: no lock (the vector only grows while fibers run).
  const char* a = static_cast<const char*>(addr);
  for (const Region& r : regions_) {
    if (a < r.base || a >= r.bump) continue;
    if (a < r.base + guard_) return true;
    // Guarded slots have their guard page at their low end.
    return static_cast<size_t>(a - r.base - guard_) % slot_ < guard_;
  }
  return false;
}

void StackPool::recycle_all() {
  std::lock_guard<std::mutex> g(mu_);
  free_.clear();
  // Highest slots first in the vector so that the lowest (warmest) are handed out first.
  size_t index = carved_;
  for (auto r = regions_.rbegin(); r != regions_.rend(); ++r)
    for (char* p = r->bump - slot_; p >= r->base + guard_; p -= slot_) {
      --index;
      bool own_guard = index < kGuardedSlots && p != r->base + guard_;
      if (own_guard)
        free_.push_back({p + guard_, slot_ - guard_, true});
      else
        free_.push_back({p, slot_, p == r->base + guard_});
    }
}

}  // namespace ft::rt
