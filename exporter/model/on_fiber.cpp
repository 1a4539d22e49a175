// Handlers of a fiber's life: creation, the status snapshot at trace start, running, blocking,
// waking and yielding. Creations and wake-ups by a running fiber become flows (arrows) that
// enter the woken fiber's next slice.
#include "tracker.hpp"

namespace ft::exporter::model {

using ft::trace::Block;
using ft::trace::FiberStatus;

void on_go_create(Tracker& t, const Event& ev, uint32_t) {
  uint32_t f = t.fiber(ev.g);
  if (!t.fs[f].live) {  // an id reused after its fiber ended: a new fiber from here on
    t.fiber_of.erase(ev.g);
    f = t.fiber(ev.g);
  }
  Fiber& fi = t.m.fibers[f];
  fi.func = ev.start_fn();
  fi.create_stack = ev.stack;
  if (ev.creator() != 0) {
    uint32_t c = t.fiber(ev.creator());
    t.m.fibers[f].creator = c;
    if (t.fs[c].open != kNone) {
      Flow fl;
      fl.kind = FlowKind::Create;
      fl.stack = ev.stack;
      t.pend_flow(f, c, fl);
    }
  }
  t.set_state(f, FiberState::Runnable, Block::None, ev.stack);
}

// The snapshot at trace start: status() is what the fiber was doing then.
void on_go_status(Tracker& t, const Event& ev, uint32_t th) {
  uint32_t f = t.fiber(ev.g);
  t.m.fibers[f].func = ev.start_fn();
  t.m.fibers[f].from_status = true;
  switch (ev.status()) {
    case FiberStatus::Runnable:
      t.set_state(f, FiberState::Runnable);
      break;
    case FiberStatus::Running: {
      uint32_t p = t.proc(ev.proc);
      t.set_state(f, FiberState::Running);
      // Only the fiber that started the trace is known to run on this thread.
      if (t.fs[f].open == kNone && t.thread_open[th] == kNone &&
          (p == kNone || t.proc_open[p] == kNone))
        t.open_slice(f, p, th);
      break;
    }
    case FiberStatus::Blocked:
      t.set_state(f, FiberState::Blocked, ev.reason());
      break;
    case FiberStatus::Syscall:
      t.set_state(f, FiberState::Syscall);
      t.fs[f].handed_off = true;
      t.threads_in_syscall++;
      break;
    default:
      break;
  }
}

void on_go_start(Tracker& t, const Event& ev, uint32_t th) {
  uint32_t f = t.fiber(ev.g);
  uint32_t p = t.proc(ev.proc);
  if (t.fs[f].open != kNone) t.evict(t.fs[f].open, SliceEnd::Replaced);
  if (t.thread_open[th] != kNone) t.evict(t.thread_open[th], SliceEnd::Replaced);
  if (p != kNone && t.proc_open[p] != kNone) t.evict(t.proc_open[p], SliceEnd::Replaced);
  if (t.fs[f].handed_off) t.fs[f].handed_off = false, t.threads_in_syscall--;
  if (!t.fs[f].live) return;
  t.set_state(f, FiberState::Running, Block::None, t.fs[f].stack);
  t.open_slice(f, p, th);
}

void on_go_end(Tracker& t, const Event& ev, uint32_t) {
  uint32_t f = t.fiber(ev.g);
  t.close_slice(f, SliceEnd::Exit, Block::None, ev.stack);
  t.close_regions(f);
  t.m.fibers[f].ended = true;
  t.kill(f);
}

void on_go_block(Tracker& t, const Event& ev, uint32_t) {
  uint32_t f = t.fiber(ev.g);
  Block r = ev.reason();
  t.close_slice(f, r == Block::Yield ? SliceEnd::Yield : SliceEnd::Block, r, ev.stack);
  if (r == Block::Yield || t.fs[f].early_wake) {
    t.fs[f].early_wake = false;
    t.set_state(f, FiberState::Runnable, r, ev.stack, ev.object());
  } else {
    t.set_state(f, FiberState::Blocked, r, ev.stack, ev.object());
  }
}

// waker():  a running fiber (an arrow) or 0 for a timer or the scheduler (an instant).
void on_go_unblock(Tracker& t, const Event& ev, uint32_t th) {
  uint32_t f = t.fiber(ev.g);
  Block r = ev.reason();
  if (ev.waker() != 0) {
    uint32_t w = t.fiber(ev.waker());
    if (w != f) t.running_here(w, th);
    if (t.fs[w].open != kNone && w != f) {
      Flow fl;
      fl.kind = FlowKind::Unblock;
      fl.reason = r;
      fl.obj = ev.object();
      fl.stack = ev.stack;
      t.pend_flow(f, w, fl);
    }
  } else {
    t.m.instants.push_back({t.now, InstantKind::TimerWake, kNone, th, f, ev.stack});
  }
  FiberNow& n = t.fs[f];
  if (n.state == FiberState::Running && n.open != kNone) {
    n.early_wake = true;  // woken before its block was recorded
  } else {
    t.set_state(f, FiberState::Runnable, n.reason, n.stack, n.obj);
  }
}

void on_go_yield(Tracker& t, const Event& ev, uint32_t) {
  uint32_t f = t.fiber(ev.g);
  t.close_slice(f, SliceEnd::Yield, Block::Yield, ev.stack);
  t.set_state(f, FiberState::Runnable, Block::Yield, ev.stack);
}

}  // namespace ft::exporter::model
