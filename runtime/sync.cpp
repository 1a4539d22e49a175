// ft::Mutex, ft::WaitGroup, ft::CondVar: a spin lock guards each one's state and FIFO of
// parked fibers; parking releases it only once the fiber is off its stack (sched.hpp).
#include "ft/sync.hpp"

#include <utility>

#include "fatal.hpp"
#include "sched.hpp"

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
  static_cast<detail::SpinLock*>(l)->unlock();
}

uint64_t obj(const void* p) {
  return reinterpret_cast<uintptr_t>(p);
}
}  // namespace

void Mutex::lock() {
  rt::M* m = rt::need_fiber("ft::Mutex::lock");
  l_.lock();
  if (!locked_) {
    locked_ = true;
    l_.unlock();
    return;
  }
  enqueue(q_, m->cur);
  // unlock() hands the mutex over: when this fiber runs again it owns it.
  rt::park(unlock_spin, &l_, trace::Block::Mutex, obj(this));
}

bool Mutex::try_lock() {
  l_.lock();
  bool got = !locked_;
  locked_ = true;
  l_.unlock();
  return got;
}

void Mutex::unlock() {
  l_.lock();
  if (!locked_) {
    l_.unlock();
    rt::misuse("unlock of unlocked ft::Mutex");
  }
  rt::Fiber* next = dequeue(q_);
  if (!next) locked_ = false;
  l_.unlock();
  if (next) rt::ready(next, trace::Block::Mutex, obj(this));
}

void WaitGroup::add(int64_t n) {
  l_.lock();
  n_ += n;
  if (n_ < 0) {
    l_.unlock();
    rt::misuse("negative ft::WaitGroup counter");
  }
  rt::Fiber* woken = n_ == 0 ? std::exchange(q_, {}).head : nullptr;
  l_.unlock();
  ready_all(woken, trace::Block::WaitGroup, obj(this));
}

void WaitGroup::wait() {
  rt::M* m = rt::need_fiber("ft::WaitGroup::wait");
  l_.lock();
  if (n_ == 0) {
    l_.unlock();
    return;
  }
  enqueue(q_, m->cur);
  rt::park(unlock_spin, &l_, trace::Block::WaitGroup, obj(this));
}

void CondVar::wait(Mutex& mu) {
  rt::M* m = rt::need_fiber("ft::CondVar::wait");
  l_.lock();
  enqueue(q_, m->cur);
  struct Both {
    detail::SpinLock* l;
    Mutex* mu;
  } both{&l_, &mu};
  // Release the mutex only once parked: a notify between the two cannot be missed, because
  // the notifier needs l_ and finds this fiber already queued.
  rt::park(
      [](void* p) {
        auto* b = static_cast<Both*>(p);
        b->l->unlock();
        b->mu->unlock();
      },
      &both, trace::Block::Cond, obj(this));
  mu.lock();
}

void CondVar::notify_one() {
  l_.lock();
  rt::Fiber* f = dequeue(q_);
  l_.unlock();
  if (f) rt::ready(f, trace::Block::Cond, obj(this));
}

void CondVar::notify_all() {
  l_.lock();
  rt::Fiber* woken = std::exchange(q_, {}).head;
  l_.unlock();
  ready_all(woken, trace::Block::Cond, obj(this));
}

}  // namespace ft
