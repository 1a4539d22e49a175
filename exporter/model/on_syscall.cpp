// Handlers of ft::syscall: entering (the fiber keeps its proc), the hand-off when the call
// outlasts the threshold (the proc goes to another thread; this thread now counts as in a
// syscall) and the return.
#include "tracker.hpp"

namespace ft::exporter::model {

using ft::trace::Block;

void on_go_syscall(Tracker& t, const Event& ev, uint32_t th) {
  uint32_t f = t.fiber(ev.g);
  t.running_here(f, th);
  uint32_t p = t.fs[f].open != kNone ? t.m.slices[t.fs[f].open].proc : t.proc(ev.proc);
  t.m.instants.push_back({t.now, InstantKind::Syscall, p, th, f, ev.stack});
  t.set_state(f, FiberState::Syscall, Block::Syscall, ev.stack);
}

// From the fiber's own thread (g set) or from the monitor thread (g = 0): then the fiber in
// the syscall is the one whose slice is open on the handed-off proc a[0].
void on_go_sysblock(Tracker& t, const Event& ev, uint32_t th) {
  uint32_t p = t.proc(int64_t(ev.proc_id()));
  uint32_t f;
  if (ev.g != 0) {
    f = t.fiber(ev.g);
  } else if (p != kNone && t.proc_open[p] != kNone) {
    f = t.m.slices[t.proc_open[p]].fiber;
  } else {
    t.m.instants.push_back({t.now, InstantKind::SyscallBlock, p, th, kNone, 0});
    return;
  }
  FiberNow& n = t.fs[f];
  t.close_slice(f, SliceEnd::Syscall, Block::Syscall, n.stack);
  if (!n.handed_off && n.live) n.handed_off = true, t.threads_in_syscall++;
  t.m.instants.push_back({t.now, InstantKind::SyscallBlock, p, th, f, n.stack});
}

void on_go_sysexit(Tracker& t, const Event& ev, uint32_t) {
  uint32_t f = t.fiber(ev.g);
  FiberNow& n = t.fs[f];
  if (n.handed_off || n.open == kNone) {
    if (n.handed_off) n.handed_off = false, t.threads_in_syscall--;
    t.set_state(f, FiberState::Runnable, Block::Syscall, n.stack);
  } else {
    t.set_state(f, FiberState::Running, Block::None, t.m.slices[n.open].start_stack);
  }
}

}  // namespace ft::exporter::model
