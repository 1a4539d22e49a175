// Reading a trace back: a pure function from bytes to events plus tables, tolerant of
// damage. Used by the exporter, the tests and anyone writing tools over fibertrace traces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "events.hpp"

namespace ft::trace {

struct Frame {
  std::string func;  // demangled, without parameter list ("pass", "ft::Chan<int>::recv")
  std::string file;  // "" when unknown
  uint32_t line = 0;
};

struct Tables {
  uint32_t version = 0;
  uint64_t start_unix_ns = 0;              // wall clock of ts == 0
  uint64_t start_mono_ns = 0;              // CLOCK_MONOTONIC of ts == 0 (the recording machine's)
  uint64_t pid = 0;                        // recording process (0: the trace does not say)
  std::vector<std::string> argv;           // its command line (empty: the trace does not say)
  std::vector<std::string> strings;        // string id -> text; id 0 is ""
  std::vector<std::string> funcs;          // start-function id -> display name ("pass",
                                           // "main:23" for a lambda); id 0 = "unknown"
  std::vector<std::vector<Frame>> stacks;  // stack id -> frames, innermost first; id 0 = empty
};

struct ReadResult {
  bool ok = true;     // false: damage found; everything before it was delivered
  std::string error;  // human-readable, names the byte offset
  uint64_t error_offset = 0;
  uint64_t events = 0;  // events delivered
  uint64_t bytes = 0;   // input size
};

// Delivers every event in timestamp order (ties keep per-thread order), then fills `tables`
// (ids in events refer to it; look them up after the call returns). Never throws on bad input.
ReadResult read(std::span<const std::byte> data, Tables& tables,
                const std::function<void(const Event&)>& on_event);

}  // namespace ft::trace
