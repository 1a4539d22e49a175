// The model builder's state while the pass runs (the "tracker", as Perfetto's JSON importer
// calls it): what is open now per fiber, proc and thread, and the helpers every event handler
// uses to close and open intervals. The handlers (one per event type, grouped by role in
// on_proc.cpp, on_fiber.cpp, on_syscall.cpp and on_user.cpp) and finish.cpp only change the
// model through these helpers, so the invariants of model.hpp are established here:
//  * `now` never decreases (builder.cpp clamps every event time to the latest seen), so
//    everything appended (slices, spans, samples, instants, regions, logs) is in time order.
//  * A fiber's spans are closed at `now` and the next starts at `now`: they tile its life.
//  * open_slice() is only called once the fiber, the thread and the proc have no open slice
//    (the caller evicted them), so a track's slices never overlap.
//  * A flow is recorded when its consumer slice opens, from a slice open at t_from.
// FT_CHECK_INVARIANTS (debug and sanitizer builds) asserts each where it is established.
#pragma once

#include <cassert>
#include <cstdint>
#include <initializer_list>
#include <unordered_map>
#include <vector>

#include "model.hpp"

#if defined(FT_CHECK_INVARIANTS) || !defined(NDEBUG)
#define FT_INVARIANT(cond) \
  ((cond) ? void(0) : ::ft::exporter::model::invariant_failed(#cond, __FILE__, __LINE__))
#else
#define FT_INVARIANT(cond) void(0)
#endif

namespace ft::exporter::model {

[[noreturn]] void invariant_failed(const char* cond, const char* file, int line);

// What the builder tracks per fiber while the pass runs.
struct FiberNow {
  bool live = true;
  FiberState state = FiberState::Unknown;
  ft::trace::Block reason = ft::trace::Block::None;
  uint32_t stack = 0;  // the stack belonging to the current state (see StateSpan::stack)
  uint64_t obj = 0;
  Ns since = 0;
  uint32_t open = kNone;     // open slice
  bool handed_off = false;   // in a syscall whose proc went elsewhere (counts as a thread)
  bool early_wake = false;   // unblocked while still running: its block is a no-op
  bool has_pending = false;  // a flow waits for this fiber's next slice
  Flow pending;
};

struct FiberSpan {
  uint32_t fiber;
  StateSpan span;
};

struct Tracker {
  Tracker();

  Model m;
  Ns now = 0;
  std::unordered_map<uint64_t, uint32_t> fiber_of;
  std::vector<FiberNow> fs;
  std::vector<FiberSpan> spans;
  std::vector<Flow> flows;                        // to_slice set; sorted by t_from in finish()
  std::unordered_map<int64_t, uint32_t> proc_of;  // runtime proc number -> proc index
  std::vector<uint32_t> proc_open;                // open slice per proc index
  std::vector<bool> proc_running;
  std::vector<uint32_t> thread_open;                  // open slice per thread index
  std::vector<bool> thread_seen;                      // the thread has had an event
  std::unordered_map<uint32_t, uint32_t> thread_big;  // raw thread ids too large for a vector
  std::unordered_map<uint64_t, uint32_t> task_of;
  std::unordered_map<uint32_t, std::vector<uint32_t>> region_stack;  // fiber -> open regions
  int64_t g_count[5] = {};  // fibers per FiberState (Unknown not reported)
  int64_t procs_running = 0, threads_in_syscall = 0, heap = 0;
  uint64_t procs_announced = 0;  // procs 0 .. this-1 have their rows (Procs events)

  // Dense indices for the trace's raw numbers, created on first sight.
  uint32_t thread(uint32_t raw);
  uint32_t proc(int64_t raw);  // kNone for a negative (absent) proc
  uint32_t fiber(uint64_t id);
  uint64_t running_id(uint32_t th) const;  // runtime id of the fiber thread th runs, 0 none

  // Ends f's current state span at `now` and starts one in `st`.
  void set_state(uint32_t f, FiberState st, ft::trace::Block reason = ft::trace::Block::None,
                 uint32_t stack = 0, uint64_t obj = 0);
  void kill(uint32_t f);  // ends f's last span; f takes no more state changes

  // A flow from the slice open on fiber `from` now, entering f's next slice.
  void pend_flow(uint32_t f, uint32_t from, Flow fl);
  void open_slice(uint32_t f, uint32_t p, uint32_t th);
  // f acts on thread th (a syscall, a wake-up) with no recorded start, e.g. after a handed-off
  // syscall returned and the runtime let it go on without a proc: it runs here, proc-less.
  void running_here(uint32_t f, uint32_t th);
  // Closes slice idx at `now`; clears the fiber/proc/thread slots that point at it.
  void close_at(uint32_t idx, SliceEnd end, ft::trace::Block reason = ft::trace::Block::None,
                uint32_t stack = 0);
  void close_slice(uint32_t f, SliceEnd end, ft::trace::Block reason = ft::trace::Block::None,
                   uint32_t stack = 0) {
    if (fs[f].open != kNone) close_at(fs[f].open, end, reason, stack);
  }
  // Another fiber takes over a proc or thread whose slice is still open: the old owner's
  // stop was never recorded, so its state from here on is unknown.
  void evict(uint32_t idx, SliceEnd why);
  void close_regions(uint32_t f);

  void sample(CounterId c, std::initializer_list<int64_t> v);
  void sample_all();
};

using Event = ft::trace::Event;

// One handler per event type (builder.cpp dispatches on Event::type). Each receives the event
// with "the running fiber" already resolved (g or the creator filled in from the thread).
void on_proc_start(Tracker& t, const Event& ev, uint32_t th);
void on_proc_stop(Tracker& t, const Event& ev, uint32_t th);
void on_heap_alloc(Tracker& t, const Event& ev, uint32_t th);
void on_procs(Tracker& t, const Event& ev, uint32_t th);
void on_go_create(Tracker& t, const Event& ev, uint32_t th);
void on_go_status(Tracker& t, const Event& ev, uint32_t th);
void on_go_start(Tracker& t, const Event& ev, uint32_t th);
void on_go_end(Tracker& t, const Event& ev, uint32_t th);
void on_go_block(Tracker& t, const Event& ev, uint32_t th);
void on_go_unblock(Tracker& t, const Event& ev, uint32_t th);
void on_go_yield(Tracker& t, const Event& ev, uint32_t th);
void on_go_syscall(Tracker& t, const Event& ev, uint32_t th);
void on_go_sysblock(Tracker& t, const Event& ev, uint32_t th);
void on_go_sysexit(Tracker& t, const Event& ev, uint32_t th);
void on_chan_name(Tracker& t, const Event& ev, uint32_t th);
void on_task_create(Tracker& t, const Event& ev, uint32_t th);
void on_task_end(Tracker& t, const Event& ev, uint32_t th);
void on_region_begin(Tracker& t, const Event& ev, uint32_t th);
void on_region_end(Tracker& t, const Event& ev, uint32_t th);
void on_log(Tracker& t, const Event& ev, uint32_t th);

// finish.cpp: closes what is open at the last event time, groups and indexes.
Model finish(Tracker& t, ft::trace::Tables tables, ft::trace::ReadResult read);
// model.cpp: Model::labels for every fiber, proc and thread.
void name_rows(Model& m);

}  // namespace ft::exporter::model
