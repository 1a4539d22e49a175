// Fiber stacks, carved from large reservations and reused warm.
//
// Why not one mmap per stack: each guarded stack costs two mappings and vm.max_map_count
// (65 530) stops a process near 32 700 fibers; a fresh mapping also costs ~22 µs and every
// first touch of a page ~12 µs here. So stacks are fixed-size slots in 256 MiB regions
// reserved with MAP_NORESERVE (one mapping each; only touched pages cost memory), handed out
// LIFO from a per-proc cache and a global free list, so a new fiber usually lands on a stack
// whose top pages are already resident.
//
// Overflow: each slot carved while fewer than kGuardedSlots exist gets a guard page at its
// low end (mprotect: two mappings per slot, so this stops well below vm.max_map_count = 65 530);
// running into it is a SIGSEGV that the runtime reports as a stack overflow. Slots carved
// beyond that (programs with tens of thousands of live stacks) are guarded by a canary
// instead: the top 64 bytes of the slot below, a page that slot's own first frames keep
// resident anyway, so it costs no memory. The canary is checked each time a fiber switches
// out, with the stack pointer; a runaway frame that jumps over it is not detected there, which
// is why guard pages come first. The lowest slot of a region always has a guard page below.
//
// Slot layout, high to low: [canary of slot above][stack ... grows down][guard page?].
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace ft::rt {

struct Stack {
  char* lo = nullptr;    // lowest address of the slot
  size_t size = 0;       // slot size
  bool guarded = false;  // a guard page lies below: no canary to check
  char* hi() const { return lo + size; }
  char* top() const { return hi() - 64; }  // highest byte the fiber may use, exclusive
};

inline constexpr size_t kCanaryBytes = 64;
inline constexpr size_t kRedZone = 1024;
inline constexpr size_t kGuardedSlots = 16384;  // a switch with sp closer than this to lo is fatal
inline constexpr uint64_t kCanary = 0xF1BE57AC4C0FFEE5ull;

class StackPool {
 public:
  // Slot size for every stack (rounded to pages); fixed once the first stack is handed out.
  void configure(size_t slot_size);
  size_t slot_size() const { return slot_; }

  // Fills out[0..n) (fresh slots carved as needed) under one lock.
  void alloc_batch(Stack* out, size_t n);
  void free_batch(Stack* s, size_t n);
  static bool canary_ok(const Stack& s);
  // True when addr lies in the guard page of one of the regions (a lowest slot overflowed).
  bool in_guard(const void* addr);

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
  Stack carve();  // mu_ held
  size_t slot_ = 0;
  size_t guard_ = 0;  // page size
  size_t carved_ = 0;
};

}  // namespace ft::rt
