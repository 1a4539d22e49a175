// ModelBuilder: one pass over time-ordered events. add() clamps the time, resolves "the running
// fiber" where the recorder did not know it, and dispatches to the event type's handler
// through one table (kRoutes): one row per event type, its handler and how its fiber is found.
#include <algorithm>
#include <array>

#include "tracker.hpp"

namespace ft::exporter {

using ft::trace::EventType;

namespace {

using Handler = void (*)(model::Tracker&, const model::Event&, uint32_t);

// A recorder may not know which fiber a thread runs (e.g. the fiber that started the trace
// was never go_start()ed): an event about "the running fiber" with g == 0, or a creation with
// creator 0, is about the fiber this thread is known to run.
enum class Who : uint8_t {
  Any,         // g unused or optional as recorded
  Running,     // g == 0 means the running fiber; dropped when none is known
  RunningOpt,  // g == 0 means the running fiber, if any
  Needed,      // g == 0 is damage: dropped
  Creator,     // creator 0 means the running fiber; g == 0 is damage
};

struct Route {
  Handler on = nullptr;  // nullptr: counted in events_by_type, not interpreted
  Who fiber = Who::Any;
};

constexpr std::array<Route, 256> make_routes() {
  using namespace model;
  std::array<Route, 256> r{};
  auto set = [&](EventType t, Handler h, Who f) { r[uint8_t(t)] = {h, f}; };
  set(EventType::ProcStart, on_proc_start, Who::Any);
  set(EventType::ProcStop, on_proc_stop, Who::Any);
  set(EventType::HeapAlloc, on_heap_alloc, Who::Any);
  set(EventType::Procs, on_procs, Who::Any);
  set(EventType::GoCreate, on_go_create, Who::Creator);
  set(EventType::GoStatus, on_go_status, Who::Needed);
  set(EventType::GoStart, on_go_start, Who::Needed);
  set(EventType::GoEnd, on_go_end, Who::Running);
  set(EventType::GoBlock, on_go_block, Who::Running);
  set(EventType::GoUnblock, on_go_unblock, Who::Needed);
  set(EventType::GoYield, on_go_yield, Who::Running);
  set(EventType::GoSysCall, on_go_syscall, Who::Running);
  set(EventType::GoSysBlock, on_go_sysblock, Who::Any);  // g = 0 from the monitor thread
  set(EventType::GoSysExit, on_go_sysexit, Who::Running);
  set(EventType::ChanName, on_chan_name, Who::Any);
  set(EventType::TaskCreate, on_task_create, Who::RunningOpt);
  set(EventType::TaskEnd, on_task_end, Who::Any);
  set(EventType::RegionBegin, on_region_begin, Who::Running);
  set(EventType::RegionEnd, on_region_end, Who::Running);
  set(EventType::Log, on_log, Who::RunningOpt);
  // Threads: the runtime's own count, kept in events_by_type; the Threads row is derived.
  return r;
}
constexpr std::array<Route, 256> kRoutes = make_routes();

}  // namespace

ModelBuilder::ModelBuilder() : s_(new model::Tracker) {}

ModelBuilder::~ModelBuilder() {
  delete s_;
}

void ModelBuilder::add(const model::Event& raw) {
  model::Tracker& t = *s_;
  t.now = std::max(t.now, raw.ts);
  t.m.events++;
  t.m.events_by_type[uint8_t(raw.type)]++;
  uint32_t th = t.thread(raw.thread);
  if (th >= t.thread_seen.size()) t.thread_seen.resize(th + 1, false);
  if (!t.thread_seen[th]) {
    t.thread_seen[th] = true;
    // A thread's first event names the proc it held when the trace started (the trace has no
    // ProcStart for it): from here the Threads row counts it. Not from a syscall's return or
    // hand-off, whose thread may name a proc it no longer holds.
    if (raw.proc >= 0 && raw.type != EventType::ProcStart && raw.type != EventType::GoSysExit &&
        raw.type != EventType::GoSysBlock) {
      uint32_t p = t.proc(raw.proc);
      if (!t.proc_running[p]) t.proc_running[p] = true, t.procs_running++;
    }
  }
  const Route& route = kRoutes[uint8_t(raw.type)];
  if (route.on) {
    model::Event ev = raw;
    switch (route.fiber) {
      case Who::Any:
        break;
      case Who::Running:
      case Who::RunningOpt:
        if (ev.g == 0) ev.g = t.running_id(th);
        if (ev.g == 0 && route.fiber == Who::Running) return;  // about no known fiber
        break;
      case Who::Creator:
        if (ev.creator() == 0) ev.set(ft::trace::Arg::Creator, t.running_id(th));
        [[fallthrough]];
      case Who::Needed:
        if (ev.g == 0) return;  // fiber 0 means "no fiber": such an event is damage
        break;
    }
    route.on(t, ev, th);
  }
  t.sample_all();
}

void ModelBuilder::reserve(uint64_t events) {
  // Upper bounds for the mix of real traces; capacity never touched costs no memory.
  model::Tracker& t = *s_;
  t.spans.reserve(events);
  t.m.slices.reserve(events / 2);
  t.flows.reserve(events / 2);
  t.m.counters[kGoroutines].t.reserve(events);
  t.m.counters[kGoroutines].values.reserve(events * 4);
}

Model ModelBuilder::finish(ft::trace::Tables tables, ft::trace::ReadResult read) {
  Model out = model::finish(*s_, std::move(tables), std::move(read));
  delete s_;
  s_ = new model::Tracker;
  return out;
}

Model build_model(std::span<const model::Event> events, ft::trace::Tables tables) {
  ModelBuilder b;
  for (const model::Event& e : events) b.add(e);
  ft::trace::ReadResult rr;
  rr.events = events.size();
  return b.finish(std::move(tables), rr);
}

}  // namespace ft::exporter
