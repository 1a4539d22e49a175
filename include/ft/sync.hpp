// Fiber synchronization: they block the fiber, never the worker thread.
//   ft::Mutex (BasicLockable + try_lock: works with std::lock_guard / std::unique_lock),
//   ft::WaitGroup (Go's sync.WaitGroup), ft::CondVar (Go's sync.Cond, over an ft::Mutex).
// Waiters are served first come, first served; an unlock hands the mutex to the oldest waiter.
#pragma once

#include <atomic>
#include <cstdint>

namespace ft {
namespace detail {
struct Fiber;
// FIFO of parked fibers, linked through the fibers themselves; guarded by its owner's lock.
struct WaitQ {
  Fiber* head = nullptr;
  Fiber* tail = nullptr;
};
// A spin lock's word, held by value so that these classes need no allocation; only the
// runtime takes and releases it (runtime/spinlock.hpp).
struct LockWord {
  std::atomic<bool> held{false};
};
}  // namespace detail

class Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  void lock();
  bool try_lock();
  void unlock();  // unlocking an unlocked Mutex is a fatal misuse

 private:
  detail::LockWord l_;
  bool locked_ = false;
  detail::WaitQ q_;
};

class WaitGroup {
 public:
  void add(int64_t n);  // a negative counter is a fatal misuse
  void done() { add(-1); }
  void wait();

 private:
  detail::LockWord l_;
  int64_t n_ = 0;
  detail::WaitQ q_;
};

class CondVar {
 public:
  void wait(Mutex& m);  // m must be locked; it is unlocked while waiting and locked again
  template <class Pred>
  void wait(Mutex& m, Pred p) {
    while (!p()) wait(m);
  }
  void notify_one();
  void notify_all();

 private:
  detail::LockWord l_;
  detail::WaitQ q_;
};

}  // namespace ft
