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
  std::string func;  // demangled, without parameter list ("pass", "ft::Chan<int>::recv");
                     // "libfoo.so+0x1a2b" (module file name + offset) when not symbolized
  std::string file;  // "" when unknown
  uint32_t line = 0;
  uint32_t module = 0;     // Tables::modules id of the code, 0 = unknown (and in version-1 traces)
  uint64_t pc = 0;         // run-time return address (0 in version-1 traces)
  bool symbolized = true;  // false: func is module+offset (resolve_symbols may fix that)
};

// A loaded ELF object of the recording process. An address pc of it is at offset pc - base in
// the file's ELF address space (what `addr2line -e path` takes).
struct Module {
  std::string path;      // as loaded; "" when it has no file (vdso)
  std::string build_id;  // raw GNU build-id bytes, "" when none
  uint64_t base = 0;     // load bias
  struct Seg {
    uint64_t start = 0, size = 0, file_off = 0;  // executable segments, run-time addresses
  };
  std::vector<Seg> segs;
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
  std::vector<uint64_t> func_pcs;          // start-function id -> entry address, 0 = none/lambda
  std::vector<Module> modules;             // module id -> module; id 0 = none
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

// Symbolizes, from the modules' files on this machine, the frames and start functions the trace
// holds no symbols for (a program that died before stop() wrote them): only files that exist
// and carry the recorded build-id are used (tracer/symbolize.hpp). Returns how many frames and
// functions stay unsymbolized, and `why` says for which modules and why ("" when none).
size_t resolve_symbols(Tables& tables, std::string* why = nullptr);

}  // namespace ft::trace
