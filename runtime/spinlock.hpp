// The runtime's spin lock: guards a channel, a mutex's wait queue, the global run queue, a
// fixed-size allocator. Every holder keeps it for a few dozen instructions and never parks
// with it except through park()'s unlock callback (sched.hpp), so spinning beats a futex.
//
// The lock word itself (detail::LockWord) is declared in the public <ft/sync.hpp>, because
// ft::Mutex & co. hold one by value; only this header knows how to take it.
#pragma once

#include <atomic>

#include "ft/sync.hpp"

namespace ft::rt {

void spin_lock(detail::LockWord& w);  // spinlock.cpp: test-and-test-and-set with back-off
inline void spin_unlock(detail::LockWord& w) {
  w.held.store(false, std::memory_order_release);
}
// Whether someone holds it (debug checks of "lock held" rules; a racy read otherwise).
inline bool spin_held(const detail::LockWord& w) {
  return w.held.load(std::memory_order_relaxed);
}

// BasicLockable over a word of its own, for std::lock_guard.
class SpinLock {
 public:
  void lock() { spin_lock(w_); }
  void unlock() { spin_unlock(w_); }
  bool held() const { return spin_held(w_); }

 private:
  detail::LockWord w_;
};

}  // namespace ft::rt
