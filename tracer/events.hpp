// The event vocabulary of a fibertrace trace, shared by the recorder (tracer/record.*), the reader
// (tracer/reader.*), the exporter and the CLI: the event types, one typed table of them with
// their named arguments (kEventSpecs, as Go's tracev2/events.go), and the decoded Event read
// through named accessors (as Go's internal/trace/event.go). The runtime's own notions (Block,
// FiberStatus, StartFn) live in vocab/fibers.hpp. The byte encoding is tracer/format.hpp,
// documented in docs/trace-format.md.
//
// Conventions for a decoded Event:
//   ts      nanoseconds since the trace's first timestamp (monotonic, per trace).
//   thread  small dense index of the OS thread that recorded the event (0, 1, ...).
//   proc    worker (P) the thread was running at the time, or -1 (e.g. in a hand-off syscall).
//   g       the fiber the event is about (EventSpec::about says which); 0 = "no fiber".
//   stack   id into the trace's stack table, 0 = no stack.
//   arguments: up to three per type, named in kEventSpecs and read by the accessor of that name
//   (ev.reason(), ev.waker(), ...). An accessor called on a type without that argument is a bug:
//   it asserts in debug builds. Positions (Event::arg) are only for code that walks the table.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vocab/fibers.hpp"

namespace ft::trace {

enum class EventType : uint8_t {
  None = 0,
  // Procs and threads.
  ProcStart = 1,
  ProcStop = 2,
  Threads = 3,
  HeapAlloc = 4,
  Procs = 5,
  // Fibers.
  GoCreate = 10,
  GoStart = 11,
  GoEnd = 12,
  GoBlock = 13,
  GoUnblock = 14,
  GoYield = 15,
  GoStatus = 16,
  GoSysCall = 17,
  GoSysExit = 18,
  GoSysBlock = 19,
  // Objects.
  ChanName = 20,
  // User annotations (Go's runtime/trace).
  TaskCreate = 30,
  TaskEnd = 31,
  RegionBegin = 32,
  RegionEnd = 33,
  Log = 34,
};

// Every named argument an event can carry; each has one accessor on Event.
enum class Arg : uint8_t {
  None = 0,
  Proc,       // proc id
  Total,      // OS threads the runtime owns
  InSyscall,  // of them in syscalls
  Bytes,      // heap bytes in use
  Count,      // procs of the runtime
  StartFn,    // start-function id (function table)
  Creator,    // creating fiber (0 = none)
  Status,     // FiberStatus
  Reason,     // Block
  Object,     // what a fiber blocks on: channel id, mutex address, ... (0 = none)
  Waker,      // waking fiber (0 = timer or scheduler)
  Chan,       // channel id
  Name,       // string id of a name
  Task,       // task id (0 = none)
  Parent,     // parent task id (0 = none)
  Category,   // string id of a log category
  Message,    // string id of a log message (the reader appends inline messages to the strings)
};
static_assert(unsigned(Arg::Message) + 1 == 18, "kArgCount and arg_name's list follow Arg");
inline constexpr unsigned kArgCount = 18;
// "proc", "in_syscall", "start_fn", ...: the names the events CLI and the docs use.
constexpr std::string_view arg_name(Arg a) {
  constexpr std::string_view names[kArgCount] = {
      "",         "proc",    "total",  "in_syscall", "bytes",    "count",
      "start_fn", "creator", "status", "reason",     "object",   "waker",
      "chan",     "name",    "task",   "parent",     "category", "message"};
  return unsigned(a) < kArgCount ? names[unsigned(a)] : std::string_view("?");
}

// Which fiber `g` names.
enum class About : uint8_t {
  None,     // no fiber (g = 0)
  Running,  // the fiber running on the recording thread
  Subject,  // the fiber the event is about: created, started, woken, described
};

struct EventSpec {
  EventType type;
  std::string_view name;
  About about;
  std::array<Arg, 3> args;  // Arg::None past the last
  bool stack;               // may carry a stack
  std::string_view doc;
};

// The table: one row per event type, in type order.
inline constexpr EventSpec kEventSpecs[] = {
    {EventType::ProcStart,
     "ProcStart",
     About::None,
     {Arg::Proc},
     false,
     "the recording thread now runs this proc"},
    {EventType::ProcStop,
     "ProcStop",
     About::None,
     {Arg::Proc},
     false,
     "the thread parks or gives the proc away"},
    {EventType::Threads,
     "Threads",
     About::None,
     {Arg::Total, Arg::InSyscall},
     false,
     "OS threads of the runtime"},
    {EventType::HeapAlloc,
     "HeapAlloc",
     About::None,
     {Arg::Bytes},
     false,
     "heap bytes in use (sampled by the writer every 10 ms)"},
    {EventType::Procs,
     "Procs",
     About::None,
     {Arg::Count},
     false,
     "procs of the runtime, at trace start: every proc exists from then on"},
    {EventType::GoCreate,
     "GoCreate",
     About::Subject,
     {Arg::StartFn, Arg::Creator},
     true,
     "g = new fiber; creator = running fiber; stack = creator's at ft::go"},
    {EventType::GoStart, "GoStart", About::Subject, {}, false, "g now runs on this thread/proc"},
    {EventType::GoEnd, "GoEnd", About::Running, {}, false, "g returned"},
    {EventType::GoBlock,
     "GoBlock",
     About::Running,
     {Arg::Reason, Arg::Object},
     true,
     "g blocks; stack = where"},
    {EventType::GoUnblock,
     "GoUnblock",
     About::Subject,
     {Arg::Reason, Arg::Object, Arg::Waker},
     true,
     "g made runnable; reason = what it was blocked for; stack = waker's"},
    {EventType::GoYield, "GoYield", About::Running, {}, true, "g stays runnable"},
    {EventType::GoStatus,
     "GoStatus",
     About::Subject,
     {Arg::StartFn, Arg::Status, Arg::Reason},
     false,
     "at trace start, for each existing fiber; reason when blocked"},
    {EventType::GoSysCall, "GoSysCall", About::Running, {}, true, "g enters ft::syscall"},
    {EventType::GoSysExit, "GoSysExit", About::Running, {}, false, "g's syscall returned"},
    {EventType::GoSysBlock,
     "GoSysBlock",
     About::Running,
     {Arg::Proc},
     false,
     "g's syscall outlasted the hand-off threshold: proc handed to another thread (g = 0 from "
     "a monitor thread)"},
    {EventType::ChanName,
     "ChanName",
     About::None,
     {Arg::Chan, Arg::Name},
     false,
     "the name a user gave a channel"},
    {EventType::TaskCreate,
     "TaskCreate",
     About::Running,
     {Arg::Task, Arg::Parent, Arg::Name},
     true,
     "a user task begins"},
    {EventType::TaskEnd, "TaskEnd", About::Running, {Arg::Task}, true, "a user task ends"},
    {EventType::RegionBegin,
     "RegionBegin",
     About::Running,
     {Arg::Task, Arg::Name},
     true,
     "a region begins; regions nest per fiber"},
    {EventType::RegionEnd,
     "RegionEnd",
     About::Running,
     {Arg::Task, Arg::Name},
     true,
     "the innermost region of g ends"},
    {EventType::Log,
     "Log",
     About::Running,
     {Arg::Task, Arg::Category, Arg::Message},
     true,
     "a user log message"},
};

inline constexpr size_t kMaxEventType = 64;  // every type's value is below it
// Row of each type value (-1: none), so that a look-up by type is one load.
inline constexpr auto kEventSpecRow = [] {
  std::array<int8_t, kMaxEventType> row{};
  for (auto& r : row) r = -1;
  for (size_t i = 0; i < std::size(kEventSpecs); i++) row[size_t(kEventSpecs[i].type)] = int8_t(i);
  return row;
}();
// The row index of a type in kEventSpecs, or -1 for a type no version defines. Constant
// evaluation uses the index, not a pointer: GCC's UBSan instruments pointer-to-null
// comparisons, which makes them non-constant in the static_asserts below.
constexpr int event_spec_row(EventType t) {
  size_t v = size_t(t);
  return v < kMaxEventType ? kEventSpecRow[v] : -1;
}
// The row of a type, or nullptr for a type no version defines.
constexpr const EventSpec* event_spec(EventType t) {
  int row = event_spec_row(t);
  return row >= 0 ? &kEventSpecs[size_t(row)] : nullptr;
}
// "GoCreate", ...; "Unknown" for a type no version defines.
constexpr std::string_view event_name(EventType t) {
  int row = event_spec_row(t);
  return row >= 0 ? kEventSpecs[size_t(row)].name : std::string_view("Unknown");
}
// Position of argument a in events of type t, or -1 when they have none.
constexpr int arg_slot(EventType t, Arg a) {
  int row = event_spec_row(t);
  if (row < 0 || a == Arg::None) return -1;
  for (int i = 0; i < 3; i++)
    if (kEventSpecs[size_t(row)].args[size_t(i)] == a) return i;
  return -1;
}

class Event {
 public:
  EventType type = EventType::None;
  uint32_t thread = 0;
  int32_t proc = -1;
  uint64_t ts = 0;
  uint64_t g = 0;
  uint32_t stack = 0;

  // Named arguments. Each is defined on the types whose table row lists it.
  uint32_t proc_id() const { return uint32_t(at(Arg::Proc, 0)); }
  uint64_t threads_total() const { return at(Arg::Total, 0); }
  uint64_t threads_in_syscall() const { return at(Arg::InSyscall, 1); }
  uint64_t heap_bytes() const { return at(Arg::Bytes, 0); }
  uint64_t procs_count() const { return at(Arg::Count, 0); }
  uint32_t start_fn() const { return uint32_t(at(Arg::StartFn, 0)); }
  uint64_t creator() const { return at(Arg::Creator, 1); }
  FiberStatus status() const { return FiberStatus(at(Arg::Status, 1)); }
  Block reason() const { return Block(at(Arg::Reason, type == EventType::GoStatus ? 2 : 0)); }
  uint64_t object() const { return at(Arg::Object, 1); }
  uint64_t waker() const { return at(Arg::Waker, 2); }
  // ChanName's channel; for GoBlock/GoUnblock, the object (a channel id for channel reasons).
  uint64_t chan_id() const {
    return type == EventType::ChanName ? at(Arg::Chan, 0) : at(Arg::Object, 1);
  }
  uint32_t name() const { return uint32_t(at(Arg::Name, type == EventType::TaskCreate ? 2 : 1)); }
  uint64_t task_id() const { return at(Arg::Task, 0); }
  uint64_t parent_task() const { return at(Arg::Parent, 1); }
  uint32_t category() const { return uint32_t(at(Arg::Category, 1)); }
  uint32_t message() const { return uint32_t(at(Arg::Message, 2)); }

  // Writes a named argument; false (nothing written) when the type has none of that name.
  bool set(Arg a, uint64_t v) {
    int i = arg_slot(type, a);
    if (i < 0) return false;
    a_[i] = v;
    return true;
  }
  // By position, for code that walks kEventSpecs (printers, hand-built test events).
  uint64_t arg(size_t i) const { return a_[i]; }
  void set_arg(size_t i, uint64_t v) { a_[i] = v; }

 private:
  // `slot` is where the table puts `a` for this type; the static_asserts below keep the
  // accessors' slots and the table in agreement.
  uint64_t at([[maybe_unused]] Arg a, int slot) const {
    assert(arg_slot(type, a) == slot);
    return a_[slot];
  }
  uint64_t a_[3] = {0, 0, 0};
};

// Writes argument A of an event of type T; the slot is checked when compiling (the decoder).
template <EventType T, Arg A>
void set_arg(Event& ev, uint64_t v) {
  constexpr int slot = arg_slot(T, A);
  static_assert(slot >= 0, "this event type has no such argument");
  ev.set_arg(size_t(slot), v);
}

// The accessors above hard-code slots; the table is the truth.
static_assert(arg_slot(EventType::ProcStart, Arg::Proc) == 0);
static_assert(arg_slot(EventType::ProcStop, Arg::Proc) == 0);
static_assert(arg_slot(EventType::GoSysBlock, Arg::Proc) == 0);
static_assert(arg_slot(EventType::Threads, Arg::Total) == 0);
static_assert(arg_slot(EventType::Threads, Arg::InSyscall) == 1);
static_assert(arg_slot(EventType::HeapAlloc, Arg::Bytes) == 0);
static_assert(arg_slot(EventType::Procs, Arg::Count) == 0);
static_assert(arg_slot(EventType::GoCreate, Arg::StartFn) == 0);
static_assert(arg_slot(EventType::GoStatus, Arg::StartFn) == 0);
static_assert(arg_slot(EventType::GoCreate, Arg::Creator) == 1);
static_assert(arg_slot(EventType::GoStatus, Arg::Status) == 1);
static_assert(arg_slot(EventType::GoStatus, Arg::Reason) == 2);
static_assert(arg_slot(EventType::GoBlock, Arg::Reason) == 0);
static_assert(arg_slot(EventType::GoUnblock, Arg::Reason) == 0);
static_assert(arg_slot(EventType::GoBlock, Arg::Object) == 1);
static_assert(arg_slot(EventType::GoUnblock, Arg::Object) == 1);
static_assert(arg_slot(EventType::GoUnblock, Arg::Waker) == 2);
static_assert(arg_slot(EventType::ChanName, Arg::Chan) == 0);
static_assert(arg_slot(EventType::ChanName, Arg::Name) == 1);
static_assert(arg_slot(EventType::TaskCreate, Arg::Name) == 2);
static_assert(arg_slot(EventType::RegionBegin, Arg::Name) == 1);
static_assert(arg_slot(EventType::RegionEnd, Arg::Name) == 1);
static_assert(arg_slot(EventType::TaskCreate, Arg::Parent) == 1);
static_assert(arg_slot(EventType::Log, Arg::Category) == 1);
static_assert(arg_slot(EventType::Log, Arg::Message) == 2);
static_assert(arg_slot(EventType::TaskCreate, Arg::Task) == 0 &&
              arg_slot(EventType::TaskEnd, Arg::Task) == 0 &&
              arg_slot(EventType::RegionBegin, Arg::Task) == 0 &&
              arg_slot(EventType::RegionEnd, Arg::Task) == 0 &&
              arg_slot(EventType::Log, Arg::Task) == 0);

}  // namespace ft::trace
