// The event vocabulary of a fibertrace trace: shared by the recorder (tracer/), the reader
// (tracer/reader.*) and the exporter. One enum, one decoded-event struct; the byte encoding
// lives in tracer/format.hpp and is documented in docs/trace-format.md.
//
// Conventions for a decoded Event:
//   ts      nanoseconds since the trace's first timestamp (monotonic, per trace).
//   thread  small dense index of the OS thread that recorded the event (0, 1, ...).
//   proc    worker (P) the thread was running at the time, or -1 (e.g. in a hand-off syscall).
//   g       the fiber the event is about: the running fiber for Block/End/Yield/Syscall*/User*,
//           the created fiber for GoCreate, the started fiber for GoStart, the woken fiber for
//           GoUnblock. 0 means "no fiber" (scheduler code).
//   stack   id into the trace's stack table, 0 = no stack.
//   a[0..2] per-type arguments, listed beside each type below.
#pragma once

#include <cstdint>
#include <string_view>

namespace ft::trace {

// Why a fiber stopped running. Stored in one byte; keep values stable (they are in the format).
enum class Block : uint8_t {
  None = 0,
  ChanSend = 1,
  ChanRecv = 2,
  Select = 3,
  Sleep = 4,
  Mutex = 5,
  Cond = 6,
  WaitGroup = 7,
  Syscall = 8,
  IO = 9,
  Forever = 10,  // select with no cases, or a receive on a nil channel
  Yield = 11,    // ft::yield(): runnable again at once, not blocked
  Preempt = 12,  // reserved: moved by the scheduler
};
std::string_view block_name(Block b);  // "chan send", "chan recv", "select", "sleep", ...

enum class EventType : uint8_t {
  None = 0,
  // Procs and threads.
  ProcStart = 1,   // a[0] = proc id. The recording thread now runs this proc.
  ProcStop = 2,    // a[0] = proc id. The thread parks or gives the proc away.
  Threads = 3,     // a[0] = OS threads the runtime owns, a[1] = of them in syscalls.
  HeapAlloc = 4,   // a[0] = bytes in use.
  Procs = 5,       // a[0] = procs of the runtime (FT_MAXPROCS), at trace start: every
                   // proc exists from then on, even one that never runs a fiber.
  // Fibers.
  GoCreate = 10,   // g = new fiber, a[0] = start-function id (function table), a[1] = creator
                   // fiber (0 = none), stack = creator's stack at ft::go.
  GoStart = 11,    // g = fiber now running on this thread/proc.
  GoEnd = 12,      // g = fiber that returned.
  GoBlock = 13,    // g = fiber that blocks, a[0] = Block reason, a[1] = object (channel id,
                   // mutex address, ...; 0 = none), stack = where it blocked.
  GoUnblock = 14,  // g = fiber made runnable, a[0] = Block reason it was blocked for,
                   // a[1] = object (channel id for channels), a[2] = waker fiber (0 = timer or
                   // scheduler), stack = waker's stack.
  GoYield = 15,    // g = running fiber; stays runnable. stack = where it yielded.
  GoStatus = 16,   // emitted at trace start for each existing fiber: g, a[0] = start-function
                   // id, a[1] = state (0 runnable, 1 running, 2 blocked, 3 in syscall),
                   // a[2] = Block reason when blocked.
  GoSysCall = 17,  // g = running fiber enters ft::syscall. stack = caller.
  GoSysExit = 18,  // g = fiber whose syscall returned.
  GoSysBlock = 19, // the syscall of g outlasted the hand-off threshold: its proc a[0] was
                   // handed to another thread.
  // Objects.
  ChanName = 20,   // a[0] = channel id, a[1] = string id of the name the user gave.
  // User annotations (Go's runtime/trace).
  TaskCreate = 30,   // a[0] = task id, a[1] = parent task id (0 none), a[2] = name string id.
  TaskEnd = 31,      // a[0] = task id.
  RegionBegin = 32,  // a[0] = task id (0 none), a[1] = name string id. Nested per fiber.
  RegionEnd = 33,    // a[0] = task id, a[1] = name string id.
  Log = 34,          // a[0] = task id, a[1] = category string id, a[2] = message string id.
};
std::string_view event_name(EventType t);  // "GoCreate", ...

struct Event {
  EventType type = EventType::None;
  uint32_t thread = 0;
  int32_t proc = -1;
  uint64_t ts = 0;
  uint64_t g = 0;
  uint64_t a[3] = {0, 0, 0};
  uint32_t stack = 0;
};

// A fiber's start function, described once per ft::go call site (static storage): the
// function's address when it is a plain function (symbolized to its name), else the source
// location of the lambda (enclosing function and line).
struct StartFn {
  const void* pc;      // function address, or nullptr for a lambda / functor
  const char* func;    // enclosing function of the ft::go call (std::source_location)
  const char* file;
  uint32_t line;
};

}  // namespace ft::trace
