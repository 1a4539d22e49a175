// The process-wide tables behind ids in events: strings, start functions, stacks and their
// symbolized frames.
//
// Invariants:
//  * Ids are dense, start at 1 (0 = none) and never change for the life of the process, so the
//    per-thread caches (recorder.hpp) stay valid across trace sessions.
//  * Recording threads only ADD raw entries (a string, a StartFn*, a pc list) under `mu`, on a
//    per-thread cache miss. Only the writer thread symbolizes (symbolize_pending) and serializes.
//  * A session writes every entry from id 1 (its TableMarks start at 1), so each trace is
//    self-contained even though ids were assigned by an earlier session.
//  * The writer serializes table entries BEFORE the batches it writes in the same cycle; since a
//    thread adds an entry before it records the event that uses it, definitions normally precede
//    uses. (Readers must not rely on it: a crash can lose the tail of the tables.)
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events.hpp"

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
  std::vector<std::string> func_names{"unknown"};  // symbolized prefix of funcs
  std::unordered_map<const StartFn*, uint32_t> func_ids;
  std::vector<std::vector<uintptr_t>> stacks{{}};       // raw return addresses
  std::unordered_map<uint64_t, uint32_t> stack_ids;     // by hash of the pcs
  std::vector<std::vector<uint32_t>> stack_frames{{}};  // symbolized prefix of stacks
  std::vector<FrameRec> frames{FrameRec{}};
  std::unordered_map<uintptr_t, std::vector<uint32_t>> pc_frame_ids;

  uint32_t string_locked(std::string_view s);  // caller holds mu
};
TableStore& tables();

uint32_t intern_stack(const uintptr_t* pcs, uint32_t n, uint64_t hash);

// Writer thread only: symbolizes start functions and stacks added since the last call.
void symbolize_pending();

// Next id to serialize per table; a new session starts at 1.
struct TableMarks {
  size_t strings = 1, funcs = 1, frames = 1, stacks = 1;
};
// Appends complete chunks for the symbolized entries beyond `m` to `out`, advancing `m`.
void serialize_new(TableMarks& m, std::string& out);

// Name shortening, exposed for tests.
std::string short_function_name(std::string_view demangled_or_pretty);
std::string demangle(const char* name);

}  // namespace ft::trace::detail
