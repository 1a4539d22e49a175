// Handlers of the runtime-wide events: procs starting and stopping on threads, the proc count
// at trace start, and heap samples. The Threads row is derived from these (Tracker::sample_all).
#include <algorithm>
#include <cstdint>

#include "tracker.hpp"

namespace ft::exporter::model {

void on_proc_start(Tracker& t, const Event& ev, uint32_t th) {
  uint32_t p = t.proc(int64_t(ev.proc_id()));
  if (!t.proc_running[p]) t.proc_running[p] = true, t.procs_running++;
  t.m.instants.push_back({t.now, InstantKind::ProcStart, p, th, kNone, 0});
  // A thread back from a handed-off syscall that gets a proc again runs its fiber (ev.g, the
  // thread's fiber) on at once; the runtime records no GoStart for that.
  if (ev.g == 0) return;
  auto it = t.fiber_of.find(ev.g);
  if (it == t.fiber_of.end()) return;
  const FiberNow& n = t.fs[it->second];
  if (n.live && n.open == kNone && n.state == FiberState::Runnable &&
      n.reason == ft::trace::Block::Syscall) {
    Event start = ev;
    start.proc = int32_t(t.m.procs[p]);
    on_go_start(t, start, th);
  }
}

void on_proc_stop(Tracker& t, const Event& ev, uint32_t th) {
  uint32_t p = t.proc(int64_t(ev.proc_id()));
  t.evict(t.proc_open[p], SliceEnd::Stopped);
  if (t.proc_running[p]) t.proc_running[p] = false, t.procs_running--;
  t.m.instants.push_back({t.now, InstantKind::ProcStop, p, th, kNone, 0});
}

void on_heap_alloc(Tracker& t, const Event& ev, uint32_t) {
  t.heap = int64_t(std::min<uint64_t>(ev.heap_bytes(), INT64_MAX));
  t.sample(kHeap, {t.heap});
}

// Every proc gets its row, even one that never runs a fiber.
void on_procs(Tracker& t, const Event& ev, uint32_t) {
  // Only procs not announced before: a trace repeating Procs costs one step per event.
  for (; t.procs_announced < std::min<uint64_t>(ev.procs_count(), 4096); ++t.procs_announced)
    t.proc(int64_t(t.procs_announced));
}

}  // namespace ft::exporter::model
