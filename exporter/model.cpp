// The model's vocabulary (names of slice ends, states, instants), its lookups, and the row
// labels every consumer shows. The builder lives in exporter/model/: builder.cpp (dispatch),
// tracker.* (state while the pass runs), on_*.cpp (one handler per event type), finish.cpp.
#include "model.hpp"

#include <algorithm>

#include "model/tracker.hpp"

namespace ft::exporter {

using ft::trace::Block;

std::string_view reason_name(Block b) {
  return ft::trace::block_name(b);
}

std::string_view slice_end_name(SliceEnd e, Block reason) {
  switch (e) {
    case SliceEnd::Block:
      return reason_name(reason);
    case SliceEnd::Yield:
      return "yield";
    case SliceEnd::Syscall:
      return "syscall";
    case SliceEnd::Exit:
      return "end";
    case SliceEnd::Stopped:
      return "proc stop";
    case SliceEnd::Replaced:
      return "unknown";
    case SliceEnd::TraceEnd:
      return "trace end";
    case SliceEnd::NeverRan:
      return "not run before trace end";
  }
  return "unknown";
}

std::string_view state_name(FiberState s) {
  switch (s) {
    case FiberState::Unknown:
      return "unknown";
    case FiberState::Runnable:
      return "runnable";
    case FiberState::Running:
      return "running";
    case FiberState::Blocked:
      return "blocked";
    case FiberState::Syscall:
      return "syscall";
  }
  return "unknown";
}

std::string_view instant_name(InstantKind k) {
  switch (k) {
    case InstantKind::ProcStart:
      return "proc start";
    case InstantKind::ProcStop:
      return "proc stop";
    case InstantKind::Syscall:
      return "syscall";
    case InstantKind::SyscallBlock:
      return "syscall blocked";
    case InstantKind::TimerWake:
      return "timer";
  }
  return "unknown";
}

std::string_view Model::func_name(uint32_t func) const {
  if (func == 0 || func >= tables.funcs.size()) return "unknown";
  return tables.funcs[func];
}
std::string_view Model::fiber_func(uint32_t f) const {
  return f < fibers.size() ? func_name(fibers[f].func) : "unknown";
}
std::string_view Model::str(uint32_t id) const {
  return id < tables.strings.size() ? std::string_view(tables.strings[id]) : std::string_view();
}
std::string_view Model::chan_name(uint64_t chan) const {
  auto it = std::lower_bound(chan_names.begin(), chan_names.end(),
                             std::pair<uint64_t, uint32_t>{chan, 0});
  return it != chan_names.end() && it->first == chan ? str(it->second) : std::string_view();
}
uint32_t Model::fiber_index(uint64_t id) const {
  auto it = std::lower_bound(fiber_by_id.begin(), fiber_by_id.end(),
                             std::pair<uint64_t, uint32_t>{id, 0});
  return it != fiber_by_id.end() && it->first == id ? it->second : kNone;
}

std::string_view Model::fiber_label(uint32_t f) const {
  return f < labels.fibers.size() ? std::string_view(labels.fibers[f]) : "no fiber";
}
std::string_view Model::proc_label(uint32_t p) const {
  return p < labels.procs.size() ? std::string_view(labels.procs[p]) : "no proc";
}
std::string_view Model::thread_label(uint32_t t) const {
  return t < labels.threads.size() ? std::string_view(labels.threads[t]) : "no thread";
}

namespace model {

void name_rows(Model& m) {
  m.labels.fibers.clear();
  m.labels.fibers.reserve(m.fibers.size());
  for (uint32_t f = 0; f < m.fibers.size(); f++) {
    std::string n = "G" + std::to_string(m.fibers[f].id) + " ";
    n += m.fiber_func(f);
    m.labels.fibers.push_back(std::move(n));
  }
  m.labels.procs.clear();
  for (uint32_t p : m.procs) m.labels.procs.push_back("Proc " + std::to_string(p));
  m.labels.threads.clear();
  for (uint32_t t = 0; t < m.threads; t++)
    m.labels.threads.push_back("Thread " + std::to_string(t));
}

}  // namespace model
}  // namespace ft::exporter
