// FixAlloc: fixed-size runtime objects (channel cores) carved from large chunks and reused
// through a free list, as Go's fixalloc; the running P keeps a cache of them (proc.cpp), so a
// fiber that makes or drops a channel takes no lock in the common case.
//
// Why not malloc: glibc grows a worker thread's arena one page at a time, each with an
// mprotect that takes the process's mmap lock for writing, while the other worker's stack page
// faults and guard installs want it too. The chapter's daisy chain made 1 654 such calls for
// its 100 000 channels; from chunks it runs 205 → 160 ms (bench/README.md).
//
// Chunks are never returned to the system; freed objects are reused (Go does the same).
// Under ASan a free object is poisoned: a use after the last unref is reported.
#pragma once

#include <cstddef>

#include "spinlock.hpp"

namespace ft::rt {

class FixAlloc {
 public:
  explicit constexpr FixAlloc(size_t size) : size_((size + 15) & ~size_t{15}) {}
  FixAlloc(const FixAlloc&) = delete;
  FixAlloc& operator=(const FixAlloc&) = delete;

  // Fill out[0..n) / take back in[0..n), under one lock: throws std::bad_alloc when no chunk
  // can be mapped.
  void alloc_batch(void** out, int n);
  void free_batch(void** in, int n);

 private:
  struct Free {
    Free* next;
  };
  void push(void* p);  // lock_ held
  SpinLock lock_;
  Free* free_ = nullptr;
  char* bump_ = nullptr;
  char* end_ = nullptr;
  const size_t size_;
};

}  // namespace ft::rt
