#include "spinlock.hpp"

#include "futex.hpp"

namespace ft::rt {

void spin_lock(detail::LockWord& w) {
  // Test-and-test-and-set with back-off: under contention every failed exchange moves the
  // line between cores, so waiters space their attempts out, then yield to a preempted holder.
  for (Backoff b; w.held.exchange(true, std::memory_order_acquire);)
    while (w.held.load(std::memory_order_relaxed)) b.snooze();
}

}  // namespace ft::rt
