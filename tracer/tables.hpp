// The process-wide tables behind ids in events: strings, start functions and stacks (raw return
// addresses), plus the symbols of those addresses once looked up.
//
// Invariants:
//  * Ids are dense, start at 1 (0 = none) and never change for the life of the process, so the
//    per-thread caches (recorder.hpp) stay valid across trace sessions.
//  * Recording threads only ADD raw entries (a string, a StartFn*, a pc list) under `mu`, on a
//    per-thread cache miss. Only the writer thread serializes and symbolizes.
//  * A session writes every entry from id 1 (its TableMarks start at 1), so each trace is
//    self-contained even though ids were assigned by an earlier session.
//  * The writer serializes table entries (and the modules their addresses fall in) BEFORE the
//    batches it writes in the same cycle; since a thread adds an entry before it records the
//    event that uses it, definitions normally precede uses. (Readers must not rely on it: a
//    crash can lose the tail of the tables.)
//  * Symbols are looked up only when a session stops or a flight recording is dumped
//    (symbols_chunks), never while the program runs: see tracer/symbolize.hpp for why.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vocab/fibers.hpp"

namespace ft::trace::detail {

struct FrameRec {
  uint32_t func = 0;  // string id
  uint32_t file = 0;  // string id
  uint32_t line = 0;
};

struct TableStore {
  std::mutex mu;
  std::vector<std::string> strings{""};
  std::unordered_map<std::string, uint32_t> string_ids;
  std::vector<const StartFn*> funcs{nullptr};
  std::unordered_map<const StartFn*, uint32_t> func_ids;
  std::vector<std::vector<uintptr_t>> stacks{{}};    // raw return addresses, innermost first
  std::unordered_map<uint64_t, uint32_t> stack_ids;  // by hash of the pcs
  // Looked-up addresses (a return address - 1, or a function's entry) -> frames, innermost
  // first; empty when nothing is known. Writer thread only (outside mu).
  std::unordered_map<uint64_t, std::vector<FrameRec>> symbols;

  uint32_t string_locked(std::string_view s);  // caller holds mu
};
TableStore& tables();

uint32_t intern_stack(const uintptr_t* pcs, uint32_t n, uint64_t hash);

// Next id to serialize per table, and the modules already described; a new session starts
// afresh.
struct TableMarks {
  size_t strings = 1, funcs = 1, stacks = 1;
  std::vector<bool> modules;  // by module id
};
// Writer thread: appends complete chunks for the entries beyond `m` to `out` (strings, functions,
// the modules their addresses fall in, stacks), advancing `m`. No symbol lookup.
void serialize_new(TableMarks& m, std::string& out);
// Writer thread, at stop or dump: looks up the addresses of every stack and start function not
// looked up before, then appends the strings beyond `m` and a symbols chunk for all of them.
void symbols_chunks(TableMarks& m, std::string& out);

}  // namespace ft::trace::detail
