// Fibers (Go's g) and where they live.
//
// A Fiber is a fixed-size record from a slab pool; its stack is bound only when it first runs
// and returned when it ends. So a fiber that waits in a run queue costs ~256 bytes, not a
// stack page: a loop that creates a million fibers faster than they run does not touch a
// million fresh pages (12 µs each on first touch here), and stacks stay warm because the few
// in use are reused LIFO.
//
// Closures up to kInlineClosure bytes live inside the record; larger ones are malloc'ed.
// Records are never returned to the OS: the dead-lock dump and the tracer's start-of-trace
// snapshot enumerate every slab, and a record whose state is Free is not a fiber.
#pragma once

#include <boost/context/detail/fcontext.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "ft/fiber.hpp"
#include "stack.hpp"
#include "tracer/events.hpp"

namespace ft::rt {
enum class State : uint8_t { Free = 0, Runnable, Running, Waiting, Syscall };
inline constexpr size_t kInlineClosure = 80;
}  // namespace ft::rt

namespace ft::detail {
struct alignas(64) Fiber {
  boost::context::detail::fcontext_t ctx = nullptr;  // null until it first runs
  Fiber* next = nullptr;  // wait queue (sync.cpp) link
  uint64_t id = 0;
  std::atomic<rt::State> state{rt::State::Free};
  trace::Block reason = trace::Block::None;  // why Waiting
  bool is_main = false;
  bool heap_closure = false;
  uint64_t obj = 0;  // what it waits on (channel id, ...), for traces and dumps
  const trace::StartFn* fn = nullptr;
  Invoke invoke = nullptr;
  Invoke destroy = nullptr;
  void* closure = nullptr;
  rt::Stack stack;            // bound while it runs or waits; empty before its first run
  void* san_fiber = nullptr;  // TSan fiber handle
  void* asan_fake = nullptr;  // ASan fake stack of this fiber while switched out
  alignas(16) unsigned char inline_closure[rt::kInlineClosure];
};
}  // namespace ft::detail

namespace ft::rt {
using detail::Fiber;

class FiberPool {
 public:
  static constexpr int kSlab = 1024;
  FiberPool() = default;
  FiberPool(const FiberPool&) = delete;
  FiberPool& operator=(const FiberPool&) = delete;
  ~FiberPool();  // at exit: no fiber runs any more
  // Fills out[0..n) with free records (fresh slabs as needed).
  void alloc_batch(Fiber** out, int n);
  void free_batch(Fiber** in, int n);
  // Every record ever handed out, for the dead-lock dump and the tracer's snapshot.
  template <class Fn>
  void for_each(Fn fn) {
    std::lock_guard<std::mutex> g(mu_);
    for (Fiber* s : slabs_)
      for (int i = 0; i < kSlab; ++i) fn(&s[i]);
  }
  // End of ft::run: every record is free again.
  void recycle_all();

 private:
  std::mutex mu_;
  std::vector<Fiber*> slabs_;
  std::vector<Fiber*> free_;
};

}  // namespace ft::rt
