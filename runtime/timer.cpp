// The timer heap, and the fiber-facing calls built on it: ft::sleep and ft::after.
#include "timer.hpp"

#include <atomic>
#include <climits>
#include <mutex>
#include <vector>

#include "ft/time.hpp"
#include "sched.hpp"
#include "sysmon.hpp"

namespace ft::rt {
namespace {
std::mutex tmu;
std::vector<Timer*> heap;
std::atomic<int> npending{0};

void swap_at(size_t a, size_t b) {
  std::swap(heap[a], heap[b]);
  heap[a]->idx = static_cast<int32_t>(a);
  heap[b]->idx = static_cast<int32_t>(b);
}
void up(size_t i) {
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (heap[parent]->when <= heap[i]->when) break;
    swap_at(i, parent);
    i = parent;
  }
}
void down(size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < heap.size() && heap[l]->when < heap[m]->when) m = l;
    if (r < heap.size() && heap[r]->when < heap[m]->when) m = r;
    if (m == i) return;
    swap_at(i, m);
    i = m;
  }
}
void remove_at(size_t i) {
  size_t last = heap.size() - 1;
  if (i != last) swap_at(i, last);
  heap.back()->idx = -1;
  heap.pop_back();
  if (i < heap.size()) {
    down(i);
    up(i);
  }
}
}  // namespace

void timer_add(Timer* t) {
  bool earliest;
  {
    std::lock_guard<std::mutex> g(tmu);
    t->idx = static_cast<int32_t>(heap.size());
    heap.push_back(t);
    up(heap.size() - 1);
    earliest = t->idx == 0;
    npending.fetch_add(1);
  }
  if (earliest) sysmon_kick();
}

bool timer_del(Timer* t) {
  std::lock_guard<std::mutex> g(tmu);
  if (t->idx < 0) return false;
  remove_at(static_cast<size_t>(t->idx));
  npending.fetch_sub(1);
  return true;
}

bool timers_pending() {
  return npending.load() > 0;
}

void timers_run(int64_t now) {
  std::lock_guard<std::mutex> g(tmu);
  while (!heap.empty() && heap[0]->when <= now) {
    Timer* t = heap[0];
    remove_at(0);
    t->fn(t->arg);  // under tmu: see timer.hpp; npending drops only once it is done
    npending.fetch_sub(1);
  }
}

int64_t timers_next() {
  std::lock_guard<std::mutex> g(tmu);
  return heap.empty() ? INT64_MAX : heap[0]->when;
}

void timers_reset() {
  std::lock_guard<std::mutex> g(tmu);
  for (Timer* t : heap) t->idx = -1;
  heap.clear();
  npending = 0;
}

}  // namespace ft::rt

namespace ft::detail {
using namespace ft::rt;

void sleep_ns(int64_t ns) {
  M* m = need_fiber("ft::sleep");
  if (ns <= 0) {
    ft::yield();
    return;
  }
  Timer t;
  t.when = now_ns() + ns;
  t.fn = [](void* f) { ready(static_cast<rt::Fiber*>(f), Block::Sleep, 0); };
  t.arg = m->cur;
  // Queue the timer only once the fiber is parked, so it can never be readied while running.
  park([](void* p) { timer_add(static_cast<Timer*>(p)); }, &t, Block::Sleep, 0);
}

void timer_once(int64_t ns, void (*fn)(void*), void* arg) {
  struct Once {
    Timer t;
    void (*fn)(void*);
    void* arg;
  };
  auto* o = new Once{{}, fn, arg};
  o->t.when = now_ns() + (ns > 0 ? ns : 0);
  o->t.arg = o;
  o->t.fn = [](void* p) {
    auto* once = static_cast<Once*>(p);
    once->fn(once->arg);
    delete once;
  };
  timer_add(&o->t);
}

}  // namespace ft::detail
