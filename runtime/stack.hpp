// Fiber stacks, carved from large reservations and reused warm.
//
// Why not one mmap per stack: each guarded stack costs two mappings and vm.max_map_count
// (65 530) stops a process near 32 700 fibers; a fresh mapping also costs ~22 µs and every
// first touch of a page ~12 µs here. So stacks are fixed-size slots in 256 MiB regions
// reserved with MAP_NORESERVE (one mapping each; only touched pages cost memory), handed out
// LIFO from a per-proc cache and a global free list, so a new fiber usually lands on a stack
// whose top pages are already resident.
//
// Overflow: no guard page per slot (that would split the mapping). A region starts with one
// guard page (the lowest slot overflows into it: SIGSEGV, reported). Every other slot is
// guarded by a canary in the top 64 bytes of the slot below it, a page that slot's own header
// keeps resident anyway, so the canary costs no memory. The canary is checked each time a
// fiber switches out and the stack pointer at every switch; either failure is a fatal error
// naming the fiber. An overflow is therefore always reported, but only at the next switch:
// a runaway frame may have damaged the slot below by then (the process stops right there).
//
// Slot layout, high to low: [canary of slot above][Fiber][closure][stack ... grows down].
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace ft::rt {

struct Stack {
  char* lo = nullptr;    // lowest address of the slot
  size_t size = 0;       // slot size
  bool guarded = false;  // lowest slot of its region: a guard page lies below, no canary
  char* hi() const { return lo + size; }
  char* top() const { return hi() - 64; }  // highest byte the fiber may use, exclusive
};

inline constexpr size_t kCanaryBytes = 64;
inline constexpr size_t kRedZone = 1024;  // a switch with sp closer than this to lo is fatal
inline constexpr uint64_t kCanary = 0xF1BE57AC4C0FFEE5ull;

class StackPool {
 public:
  // Slot size for every stack (rounded to pages); fixed once the first stack is handed out.
  void configure(size_t slot_size);
  size_t slot_size() const { return slot_; }

  Stack alloc();
  void free_batch(Stack* s, size_t n);
  static bool canary_ok(const Stack& s);
  // True when addr lies in the guard page of one of the regions (a lowest slot overflowed).
  bool in_guard(const void* addr);

  // Calls fn(slot_hi) for every slot ever handed out (live or free), for the dead-lock dump
  // and the tracer's start-of-trace snapshot.
  template <class Fn>
  void for_each_slot(Fn fn) {
    std::lock_guard<std::mutex> g(mu_);
    for (auto& r : regions_)
      for (char* p = r.base + guard_; p < r.bump; p += slot_) fn(p + slot_);
  }

  // Puts every slot back on the free list: only when no fiber runs any more (end of ft::run).
  void recycle_all();

 private:
  struct Region {
    char* base;
    char* bump;
    char* end;
  };
  std::mutex mu_;
  std::vector<Region> regions_;
  std::vector<Stack> free_;
  size_t slot_ = 0;
  size_t guard_ = 0;  // page size
};

}  // namespace ft::rt
