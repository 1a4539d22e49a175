// Fiber stacks, carved from large reservations and reused warm.
//
// Why not one mmap per stack: each guarded stack costs two mappings and vm.max_map_count
// (65 530) stops a process near 32 700 fibers; a fresh mapping also costs ~22 µs and every
// first touch of a page 1.3–1.8 µs here (more on a cold VM). So stacks are fixed-size slots in 256
// MiB regions reserved with MAP_NORESERVE (one mapping each; only touched pages cost memory),
// handed out LIFO from a per-proc cache and a global free list, so a new fiber usually lands on a
// stack whose top pages are already resident. A fresh slot is guarded and armed outside the pool's
// lock: those are system calls and first touches, and two workers making fibers at once would
// otherwise take turns at them.
//
// Overflow: a slot gets a guard page at its low end; running into it is a SIGSEGV that the
// runtime reports as a stack overflow. Where the kernel has MADV_GUARD_INSTALL (Linux 6.13+)
// the guard is a page-table marker: no mapping of its own and ~0.25 µs to install, so every
// slot has one, however many fibers live. Elsewhere the guard is an mprotect'ed page (two
// mappings per slot, ~1.5 µs), so only the first kGuardedSlots slots get one, to stay well below
// vm.max_map_count = 65 530; slots beyond are guarded by a canary instead: the top 64 bytes of
// the slot below, a page that slot's own first frames keep resident anyway, so it costs no
// memory. The canary is checked each time a fiber switches out, with the stack pointer; a
// runaway frame that jumps over it is not detected there. The lowest slot of a region always
// has the region's guard page below.
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
inline constexpr size_t kRedZone = 1024;        // a switch with sp closer than this to lo is fatal
inline constexpr size_t kGuardedSlots = 16384;  // mprotect'ed guards, without markers
inline constexpr uint64_t kCanary = 0xF1BE57AC4C0FFEE5ull;

class StackPool {
 public:
  // Slot size for every stack (rounded to pages); fixed once the first stack is handed out.
  // markers = false: mprotect'ed guards and canaries even where the kernel has guard markers
  // (FT_STACK_MARKERS=0; how the fallback is tested on a kernel that has them).
  void configure(size_t slot_size, bool markers = true);
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
  Stack carve();                           // mu_ held: address arithmetic only
  void arm(Stack& s, size_t index) const;  // guard page or canary of a fresh slot; no lock
  bool guard(char* page) const;
  bool own_guard(size_t index) const { return markers_ || index < kGuardedSlots; }
  size_t slot_ = 0;
  size_t guard_ = 0;  // page size
  size_t carved_ = 0;
  bool markers_ = false;  // guards are MADV_GUARD_INSTALL markers: every slot has one
};

}  // namespace ft::rt
