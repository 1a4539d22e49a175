#include "fixalloc.hpp"

#include <sys/mman.h>

#include <sanitizer/asan_interface.h>  // its POISON macros do nothing outside ASan builds

#include <mutex>
#include <new>

namespace ft::rt {
namespace {
// 1 MiB: ~9 000 channel cores per mapping; untouched parts cost no memory.
constexpr size_t kChunkBytes = size_t{1} << 20;
}  // namespace

void FixAlloc::alloc_batch(void** out, int n) {
  std::lock_guard<SpinLock> g(lock_);
  for (int i = 0; i < n; ++i) {
    if (free_) {
      ASAN_UNPOISON_MEMORY_REGION(free_, size_);
      out[i] = free_;
      free_ = free_->next;
      continue;
    }
    if (bump_ + size_ > end_) {
      void* p = ::mmap(nullptr, kChunkBytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (p == MAP_FAILED) {
        for (int k = 0; k < i; ++k) push(out[k]);  // what was taken goes back
        throw std::bad_alloc();
      }
      bump_ = static_cast<char*>(p);
      end_ = bump_ + kChunkBytes;
    }
    out[i] = bump_;
    bump_ += size_;
  }
}

void FixAlloc::push(void* p) {
  auto* f = static_cast<Free*>(p);
  f->next = free_;
  free_ = f;
  ASAN_POISON_MEMORY_REGION(f, size_);
}

void FixAlloc::free_batch(void** in, int n) {
  std::lock_guard<SpinLock> g(lock_);
  for (int i = 0; i < n; ++i) push(in[i]);
}

}  // namespace ft::rt
