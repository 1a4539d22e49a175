// ft::Mutex, ft::WaitGroup, ft::CondVar: a spin lock guards each one's state and FIFO of
// parked fibers; parking releases it only once the fiber is off its stack (sched.hpp).
#include "ft/sync.hpp"

#include <utility>

#include "fatal.hpp"
#include "sched.hpp"
#include "spinlock.hpp"

namespace ft {
namespace {
using detail::WaitQ;

void enqueue(WaitQ& q, rt::Fiber* f) {
  f->next = nullptr;
  if (q.tail)
    q.tail->next = f;
  else
    q.head = f;
  q.tail = f;
}

rt::Fiber* dequeue(WaitQ& q) {
  rt::Fiber* f = q.head;
  if (!f) return nullptr;
  q.head = f->next;
  if (!q.head) q.tail = nullptr;
  f->next = nullptr;
  return f;
}

// Readies a detached list of waiters, reading each link before the fiber can run again.
void ready_all(rt::Fiber* f, trace::Block reason, uint64_t o) {
  while (f) {
    rt::Fiber* next = std::exchange(f->next, nullptr);
    rt::ready(f, reason, o);
    f = next;
  }
}

void unlock_spin(void* l) {
  rt::spin_unlock(*static_cast<detail::LockWord*>(l));
}

uint64_t obj(const void* p) {
  return reinterpret_cast<uintptr_t>(p);
}
}  // namespace

void Mutex::lock() {
  rt::M* m = rt::need_fiber("ft::Mutex::lock");
  rt::spin_lock(l_);
  if (!locked_) {
    locked_ = true;
    rt::spin_unlock(l_);
    return;
  }
  enqueue(q_, m->cur);
  // unlock() hands the mutex over: when this fiber runs again it owns it.
  rt::park(unlock_spin, &l_, trace::Block::Mutex, obj(this));
}

bool Mutex::try_lock() {
  rt::spin_lock(l_);
  bool got = !locked_;
  locked_ = true;
  rt::spin_unlock(l_);
  return got;
}

void Mutex::unlock() {
  rt::spin_lock(l_);
  if (!locked_) {
    rt::spin_unlock(l_);
    rt::misuse("unlock of unlocked ft::Mutex");
  }
  rt::Fiber* next = dequeue(q_);
  if (!next) locked_ = false;
  rt::spin_unlock(l_);
  if (next) rt::ready(next, trace::Block::Mutex, obj(this));
}

void WaitGroup::add(int64_t n) {
  rt::spin_lock(l_);
  n_ += n;
  if (n_ < 0) {
    rt::spin_unlock(l_);
    rt::misuse("negative ft::WaitGroup counter");
  }
  rt::Fiber* woken = n_ == 0 ? std::exchange(q_, {}).head : nullptr;
  rt::spin_unlock(l_);
  ready_all(woken, trace::Block::WaitGroup, obj(this));
}

void WaitGroup::wait() {
  rt::M* m = rt::need_fiber("ft::WaitGroup::wait");
  rt::spin_lock(l_);
  if (n_ == 0) {
    rt::spin_unlock(l_);
    return;
  }
  enqueue(q_, m->cur);
  rt::park(unlock_spin, &l_, trace::Block::WaitGroup, obj(this));
}

void CondVar::wait(Mutex& mu) {
  rt::M* m = rt::need_fiber("ft::CondVar::wait");
  rt::spin_lock(l_);
  enqueue(q_, m->cur);
  struct Both {
    detail::LockWord* l;
    Mutex* mu;
  } both{&l_, &mu};
  // Release the mutex only once parked: a notify between the two cannot be missed, because
  // the notifier needs l_ and finds this fiber already queued.
  rt::park(
      [](void* p) {
        auto* b = static_cast<Both*>(p);
        rt::spin_unlock(*b->l);
        b->mu->unlock();
      },
      &both, trace::Block::Cond, obj(this));
  mu.lock();
}

void CondVar::notify_one() {
  rt::spin_lock(l_);
  rt::Fiber* f = dequeue(q_);
  rt::spin_unlock(l_);
  if (f) rt::ready(f, trace::Block::Cond, obj(this));
}

void CondVar::notify_all() {
  rt::spin_lock(l_);
  rt::Fiber* woken = std::exchange(q_, {}).head;
  rt::spin_unlock(l_);
  ready_all(woken, trace::Block::Cond, obj(this));
}

}  // namespace ft
