// The analyses of Go's trace tool, over a Model: goroutine groups and per-fiber time
// breakdowns, and blocking profiles aggregated by stack.
//
// Invariant (tested): for every fiber, exec + sched_wait + sum(block) + syscall + unknown ==
// lifetime == died - born, exactly, because the breakdown sums the fiber's state spans and
// those tile its lifetime (model.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model.hpp"

namespace ft::exporter {

inline constexpr size_t kReasons = 13;  // values of ft::trace::Block

struct FiberTimes {
  uint32_t fiber = 0;
  Ns lifetime = 0, exec = 0, sched_wait = 0, syscall = 0, unknown = 0;
  std::array<Ns, kReasons> block{};  // by ft::trace::Block
  Ns block_total() const;
};
FiberTimes fiber_times(const Model& m, uint32_t fiber);

struct Group {
  uint32_t func = 0;  // start-function id
  std::string name;
  uint64_t n = 0;
  Ns exec = 0;                   // total execution time of its fibers
  std::vector<uint32_t> fibers;  // fiber indices, creation order
};
// Groups by start function, largest total execution time first (ties by name).
std::vector<Group> goroutine_groups(const Model& m);

enum class ProfileKind : uint8_t { Sync, Syscall, Sched, IO, Sleep };
std::optional<ProfileKind> parse_profile(std::string_view s);  // "sync", "syscall", ...
std::string_view profile_name(ProfileKind k);

struct ProfileEntry {
  uint32_t stack = 0;  // Tables::stacks id (0: no stack recorded)
  Ns total = 0;
  uint64_t count = 0;  // intervals
};
// Which state spans each profile counts:
//   sync    blocked on chan send/recv, select, mutex, cond, wait group, forever
//   syscall in a syscall (Syscall state) or blocked with reason syscall
//   sched   runnable, waiting for a proc (stack: where it blocked, was created or yielded)
//   io      blocked on I/O
//   sleep   blocked in sleep
// Sorted by total descending.
std::vector<ProfileEntry> blocking_profile(const Model& m, ProfileKind k);

nlohmann::json groups_json(const Model& m);                  // [{func, n, exec_ns, ...}]
nlohmann::json fiber_json(const Model& m, uint32_t fiber);   // one fiber's breakdown
nlohmann::json fibers_json(const Model& m, uint32_t func);   // every fiber of one group
nlohmann::json profile_json(const Model& m, ProfileKind k);  // [{total_ns, count, stack}]
nlohmann::json stack_json(const Model& m, uint32_t stack);   // [{func, file, line}]

}  // namespace ft::exporter
