// The in-memory model of one trace, built in a single pass over the decoded events and shared
// by every consumer: the Chrome JSON writer, the analyses, `stats`, `pprof` and the viewer's
// server (window queries, exporter/window.hpp).
//
// Invariants (established by ModelBuilder, relied upon by every reader of a Model):
//  * All times are integer nanoseconds since the trace's first event (ft::trace::Event::ts);
//    0 <= t0 <= t1 <= Model::end for every slice, span, region and task.
//  * `slices` is sorted by t0 (ties: the order the fibers started in). Slices never overlap on
//    one proc, on one thread, or for one fiber: a track is a sequence of disjoint intervals,
//    so a window query is two binary searches and the JSON rows nest trivially.
//  * by_proc / by_thread / by_fiber list slice indices per track, each sorted by t0.
//  * A fiber's state spans (fiber_spans(f)) are contiguous: they tile [Fiber::born,
//    Fiber::died] without gap or overlap, so per-state sums partition the lifetime exactly.
//  * Counter samples are sorted by t, at most one per timestamp, values never negative.
//  * Every flow satisfies slices[from_slice].t0 <= t_from <= slices[to_slice].t0: the consumer
//    starts at or after the producer. Flow ids are 1..flows.size() (index + 1), never reused.
//    t_from < slices[to_slice].t0 unless the producer slice itself starts at that nanosecond:
//    a consumer that starts in the very nanosecond of its wake-up gets its arrow 1 ns earlier
//    (Perfetto orders a zero-length source after a slice that starts at the same time, and
//    drops the arrow). Every creation and every wake-up by a running fiber is a flow: a fiber
//    that had not run again when the trace ended gets a NeverRan slice for the arrow to enter.
//  * labels has one entry per fiber, proc and thread (ModelBuilder::finish names them all).
//  * Fiber, proc and thread numbers in the model are dense indices; Fiber::id keeps the
//    runtime's 64-bit id. Stack and string ids index `tables` (0 = none / "").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tracer/events.hpp"
#include "tracer/reader.hpp"

namespace ft::exporter {

namespace model {
struct Tracker;  // the builder's state while the pass runs (exporter/model/tracker.hpp)
}

using Ns = uint64_t;
inline constexpr uint32_t kNone = 0xffffffffu;  // "no slice / no fiber / no proc" in indices

// Why an execution slice ended.
enum class SliceEnd : uint8_t {
  Block,     // the fiber blocked; Slice::reason says on what
  Yield,     // ft::yield(): still runnable
  Syscall,   // its syscall outlasted the hand-off threshold, the proc went to another thread
  Exit,      // the fiber's function returned
  Stopped,   // the proc stopped while the fiber ran (no block event: damaged or cut trace)
  Replaced,  // another fiber started on the same proc/thread without this one stopping
  TraceEnd,  // still running when the trace ended
  NeverRan,  // zero-length, at the trace's end: the fiber was created or woken (an arrow ends
             // here) but had not run again when the trace ended; on the waker's proc/thread,
             // where a woken fiber is queued
};
std::string_view slice_end_name(SliceEnd e, ft::trace::Block reason);  // "chan recv", "yield"
std::string_view reason_name(ft::trace::Block b);                      // "chan recv", ...

// One contiguous run of a fiber on a proc/thread.
struct Slice {
  Ns t0 = 0, t1 = 0;
  uint32_t fiber = 0;        // index into Model::fibers
  uint32_t proc = kNone;     // index into Model::procs (kNone: the event carried no proc)
  uint32_t thread = 0;       // dense OS-thread index from the trace
  uint32_t start_stack = 0;  // stack where the fiber resumed (its block/create stack), 0 none
  uint32_t end_stack = 0;    // stack of the event that ended the slice, 0 none
  uint32_t flow_in = kNone;  // index of the flow that ends here (woke or created the fiber)
  SliceEnd end = SliceEnd::TraceEnd;
  ft::trace::Block reason = ft::trace::Block::None;  // when end == Block
};

enum class FiberState : uint8_t { Unknown, Runnable, Running, Blocked, Syscall };
std::string_view state_name(FiberState s);

// One interval of a fiber's life in one state.
struct StateSpan {
  Ns t0 = 0, t1 = 0;
  FiberState state = FiberState::Unknown;
  ft::trace::Block reason = ft::trace::Block::None;  // for Blocked
  uint32_t stack = 0;  // Blocked: where it blocked; Syscall: where it entered; Runnable: the
                       // stack that made it wait (its block, create or yield stack)
  uint64_t obj = 0;    // Blocked: channel id / object address from the block event
};

struct Fiber {
  uint64_t id = 0;    // the runtime's fiber id
  uint32_t func = 0;  // start-function id (Tables::funcs), 0 = unknown
  uint32_t create_stack = 0;
  uint32_t creator = kNone;               // fiber index of the creator
  Ns born = 0;                            // creation, trace start (GoStatus) or first sight
  Ns died = 0;                            // end, or Model::end if it never ended
  bool ended = false;                     // saw GoEnd
  bool from_status = false;               // existed at trace start
  uint32_t span_begin = 0, span_end = 0;  // [begin, end) in Model::spans
};

enum class FlowKind : uint8_t { Create, Unblock };

// An arrow from the slice that created or woke a fiber to the fiber's next slice.
struct Flow {
  FlowKind kind = FlowKind::Create;
  ft::trace::Block reason = ft::trace::Block::None;  // Unblock: what the fiber waited on
  uint64_t obj = 0;  // Unblock: channel id (names in Model::chan_names)
  Ns t_from = 0;     // creation / unblock time, inside from_slice
  uint32_t from_slice = 0;
  uint32_t to_slice = 0;
  uint32_t stack = 0;  // creator's / waker's stack
};

// A counter track: keys fixed per counter, one row of values per sample.
struct Counter {
  std::string name;               // "Goroutines", "Threads", "Heap"
  std::vector<std::string> keys;  // e.g. Running, Runnable, Waiting, InSyscall
  std::vector<Ns> t;              // sample times, strictly increasing
  std::vector<int64_t> values;    // t.size() * keys.size(), row-major
  int64_t value(size_t sample, size_t key) const { return values[sample * keys.size() + key]; }
};
enum CounterId : uint32_t { kGoroutines = 0, kThreads = 1, kHeap = 2, kCounters = 3 };

enum class InstantKind : uint8_t { ProcStart, ProcStop, Syscall, SyscallBlock, TimerWake };
std::string_view instant_name(InstantKind k);

struct Instant {
  Ns t = 0;
  InstantKind kind = InstantKind::ProcStart;
  uint32_t proc = kNone;
  uint32_t thread = 0;
  uint32_t fiber = kNone;
  uint32_t stack = 0;
};

struct Task {
  uint64_t id = 0, parent = 0;
  uint32_t name = 0;  // string id
  Ns t0 = 0, t1 = 0;
  bool ended = false;
  uint32_t fiber = kNone;  // creating fiber
};

struct Region {
  Ns t0 = 0, t1 = 0;
  uint32_t fiber = 0;
  uint64_t task = 0;
  uint32_t name = 0;   // string id
  uint32_t depth = 0;  // nesting depth within its fiber, 0 = outermost
  bool ended = false;
};

struct Log {
  Ns t = 0;
  uint32_t fiber = kNone;
  uint32_t proc = kNone;
  uint32_t thread = 0;
  uint64_t task = 0;
  uint32_t category = 0, message = 0;  // string ids
};

// Per-track slice lists in compressed form: slices of track k are idx[off[k] .. off[k+1]).
struct TrackIndex {
  std::vector<uint32_t> off{0};
  std::vector<uint32_t> idx;
  size_t tracks() const { return off.size() - 1; }
  std::span<const uint32_t> of(size_t k) const {
    return {idx.data() + off[k], idx.data() + off[k + 1]};
  }
};

struct Model {
  Ns end = 0;  // last event time: the trace spans [0, end]
  uint64_t events = 0;
  uint64_t events_by_type[256] = {};
  ft::trace::Tables tables;    // strings, start functions, stacks
  ft::trace::ReadResult read;  // what the reader said (ok, error, offset, bytes)

  std::vector<Fiber> fibers;
  std::vector<StateSpan> spans;  // grouped by fiber (Fiber::span_begin/span_end), time-sorted
  std::vector<Slice> slices;     // sorted by t0
  std::vector<uint32_t> procs;   // proc index -> the runtime's proc number (sorted ascending)
  uint32_t threads = 0;          // thread indices are 0 .. threads-1
  TrackIndex by_proc, by_thread, by_fiber;
  std::vector<Flow> flows;  // sorted by t_from
  Ns max_flow_span = 0;     // longest consumer t0 - t_from: bounds window searches
  Counter counters[kCounters];
  std::vector<Instant> instants;                          // sorted by t
  std::vector<Task> tasks;                                // sorted by t0
  std::vector<Region> regions;                            // sorted by t0
  std::vector<Log> logs;                                  // sorted by t
  std::vector<std::pair<uint64_t, uint32_t>> chan_names;  // channel id -> string id, sorted

  std::span<const StateSpan> fiber_spans(uint32_t f) const {
    return {spans.data() + fibers[f].span_begin, spans.data() + fibers[f].span_end};
  }
  std::string_view func_name(uint32_t func) const;    // "unknown" when out of range
  std::string_view fiber_func(uint32_t fiber) const;  // start function of a fiber
  std::string_view str(uint32_t id) const;            // "" when out of range
  std::string_view chan_name(uint64_t chan) const;    // "" when unnamed
  uint32_t fiber_index(uint64_t id) const;            // kNone when absent

  std::vector<std::pair<uint64_t, uint32_t>> fiber_by_id;  // (runtime id, index), sorted by id

  // The rows' and slices' names, made once here and used by every writer, the server and
  // (through it) the web viewer: "G7 pass" for a fiber, "Proc 0", "Thread 2".
  struct Labels {
    std::vector<std::string> fibers, procs, threads;
  } labels;
  std::string_view fiber_label(uint32_t f) const;   // "G<id> <func>"; "no fiber" out of range
  std::string_view proc_label(uint32_t p) const;    // "Proc <number>"
  std::string_view thread_label(uint32_t t) const;  // "Thread <index>"
};

// Builds a Model from events delivered in timestamp order (the reader's order). Events out of
// order are clamped to the latest time seen, so the invariants above hold on any input.
class ModelBuilder {
 public:
  ModelBuilder();
  ~ModelBuilder();
  ModelBuilder(const ModelBuilder&) = delete;
  ModelBuilder& operator=(const ModelBuilder&) = delete;

  // Optional: expected number of events, so the arrays grow once instead of by doubling
  // (copies and page faults were a third of the build time on a 6M-event trace).
  void reserve(uint64_t events);
  void add(const ft::trace::Event& ev);
  // Closes what is still open at the last event time and indexes the tracks.
  Model finish(ft::trace::Tables tables, ft::trace::ReadResult read = {});

 private:
  model::Tracker* s_;
};

Model build_model(std::span<const ft::trace::Event> events, ft::trace::Tables tables);

}  // namespace ft::exporter
