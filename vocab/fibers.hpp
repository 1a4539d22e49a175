// The runtime's notions that travel in traces: why a fiber stopped (Block), what a fiber was
// doing when a trace started (FiberStatus) and what it runs (StartFn). The runtime (runtime/)
// produces them, the recorder (tracer/record.*) encodes them, the reader and the exporter
// interpret them; this header is the one place they are defined, so it depends on nothing of
// either side.
//
// Invariants: the numeric values are part of the trace format (docs/trace-format.md); never
// renumber, only append. kBlockCount / kFiberStatusCount bound every value, and the encoder's
// packed widths are static_assert'ed against them (tracer/format.hpp).
#pragma once

#include <cstdint>
#include <string_view>

namespace ft::trace {

// Why a fiber stopped running.
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
inline constexpr unsigned kBlockCount = 13;

inline constexpr std::string_view kBlockNames[kBlockCount] = {
    "none",       "chan send", "chan recv", "select",  "sleep", "mutex",   "cond",
    "wait group", "syscall",   "I/O",       "forever", "yield", "preempt",
};
// "chan send", "chan recv", "select", "sleep", ...; "unknown" for a value no version defines.
constexpr std::string_view block_name(Block b) {
  return unsigned(b) < kBlockCount ? kBlockNames[unsigned(b)] : std::string_view("unknown");
}

// What an existing fiber was doing when a trace started (the GoStatus event).
enum class FiberStatus : uint8_t {
  Runnable = 0,
  Running = 1,
  Blocked = 2,  // with a Block reason
  Syscall = 3,
};
inline constexpr unsigned kFiberStatusCount = 4;

constexpr std::string_view fiber_status_name(FiberStatus s) {
  constexpr std::string_view names[kFiberStatusCount] = {"runnable", "running", "blocked",
                                                         "syscall"};
  return unsigned(s) < kFiberStatusCount ? names[unsigned(s)] : std::string_view("unknown");
}

// A fiber's start function, described once per ft::go call site (static storage): the
// function's address when it is a plain function (symbolized to its name), else the source
// location of the lambda (enclosing function and line).
struct StartFn {
  const void* pc;    // function address, or nullptr for a lambda / functor
  const char* func;  // enclosing function of the ft::go call (std::source_location)
  const char* file;
  uint32_t line;
};

}  // namespace ft::trace
