// ModelBuilder: one pass over time-ordered events, keeping per fiber / proc / thread only what
// is needed to close the interval that is open now. Everything appended during the pass is
// already in time order (times are clamped to be monotone), so finish() only has to group the
// spans by fiber, sort the flows and build the per-track indices.
#include "model.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_map>
#include <utility>

namespace ft::exporter {

using ft::trace::Block;
using ft::trace::Event;
using ft::trace::EventType;

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

namespace {

// What the builder tracks per fiber while the pass runs.
struct FiberNow {
  bool live = true;
  FiberState state = FiberState::Unknown;
  Block reason = Block::None;
  uint32_t stack = 0;  // the stack belonging to the current state (see StateSpan::stack)
  uint64_t obj = 0;
  Ns since = 0;
  uint32_t open = kNone;     // open slice
  bool handed_off = false;   // in a syscall whose proc went elsewhere (counts as a thread)
  bool early_wake = false;   // unblocked while still running: its block is a no-op
  bool has_pending = false;  // a flow waits for this fiber's next slice
  Flow pending;
};

struct FiberSpan {
  uint32_t fiber;
  StateSpan span;
};

}  // namespace

struct ModelBuilder::State {
  State() {
    m.counters[kGoroutines] = {
        "Goroutines", {"Running", "Runnable", "Waiting", "InSyscall"}, {}, {}};
    m.counters[kThreads] = {"Threads", {"Running", "InSyscall"}, {}, {}};
    m.counters[kHeap] = {"Heap", {"Allocated"}, {}, {}};
  }
  Model m;
  Ns now = 0;
  std::unordered_map<uint64_t, uint32_t> fiber_of;
  std::vector<FiberNow> fs;
  std::vector<FiberSpan> spans;
  std::vector<Flow> flows;                        // to_slice set; sorted by t_from in finish()
  std::unordered_map<int64_t, uint32_t> proc_of;  // runtime proc number -> proc index
  std::vector<uint32_t> proc_open;                // open slice per proc index
  std::vector<bool> proc_running;
  std::vector<uint32_t> thread_open;                  // open slice per thread index
  std::unordered_map<uint32_t, uint32_t> thread_big;  // raw thread ids too large for a vector
  std::unordered_map<uint64_t, uint32_t> task_of;
  std::unordered_map<uint32_t, std::vector<uint32_t>> region_stack;  // fiber -> open regions
  int64_t g_count[5] = {};  // fibers per FiberState (Unknown not reported)
  int64_t procs_running = 0, threads_in_syscall = 0, heap = 0;

  uint32_t thread(uint32_t raw) {
    if (raw < 4096) {
      if (raw >= thread_open.size()) thread_open.resize(raw + 1, kNone);
      m.threads = std::max<uint32_t>(m.threads, raw + 1);
      return raw;
    }
    // Raw ids are meant to be dense; a huge one (damage) gets the next free index instead.
    auto [it, fresh] = thread_big.try_emplace(raw, 0);
    if (fresh) {
      it->second = std::max<uint32_t>(m.threads, 4096);
      m.threads = it->second + 1;
      thread_open.resize(m.threads, kNone);
    }
    return it->second;
  }

  uint32_t proc(int64_t raw) {
    if (raw < 0) return kNone;
    auto [it, fresh] = proc_of.try_emplace(raw, uint32_t(m.procs.size()));
    if (fresh) {
      m.procs.push_back(uint32_t(std::min<int64_t>(raw, 0xfffffffe)));
      proc_open.push_back(kNone);
      proc_running.push_back(false);
    }
    return it->second;
  }

  uint32_t fiber(uint64_t id) {
    auto [it, fresh] = fiber_of.try_emplace(id, uint32_t(m.fibers.size()));
    if (fresh) {
      Fiber f;
      f.id = id;
      f.born = now;
      m.fibers.push_back(f);
      FiberNow n;
      n.since = now;
      fs.push_back(n);
      g_count[int(FiberState::Unknown)]++;
    }
    return it->second;
  }

  void set_state(uint32_t f, FiberState st, Block reason = Block::None, uint32_t stack = 0,
                 uint64_t obj = 0) {
    FiberNow& n = fs[f];
    if (!n.live) return;
    if (now > n.since) spans.push_back({f, {n.since, now, n.state, n.reason, n.stack, n.obj}});
    g_count[int(n.state)]--;
    g_count[int(st)]++;
    n.state = st;
    n.reason = reason;
    n.stack = stack;
    n.obj = obj;
    n.since = now;
  }

  void kill(uint32_t f) {
    FiberNow& n = fs[f];
    if (!n.live) return;
    if (now > n.since) spans.push_back({f, {n.since, now, n.state, n.reason, n.stack, n.obj}});
    g_count[int(n.state)]--;
    n.live = false;
    if (n.handed_off) threads_in_syscall--, n.handed_off = false;
    m.fibers[f].died = now;
  }

  void open_slice(uint32_t f, uint32_t p, uint32_t th) {
    Slice s;
    s.t0 = s.t1 = now;
    s.fiber = f;
    s.proc = p;
    s.thread = th;
    s.start_stack = fs[f].stack;
    uint32_t idx = uint32_t(m.slices.size());
    m.slices.push_back(s);
    fs[f].open = idx;
    if (p != kNone) proc_open[p] = idx;
    thread_open[th] = idx;
    if (fs[f].has_pending) {
      Flow fl = fs[f].pending;
      fl.to_slice = idx;
      flows.push_back(fl);
      fs[f].has_pending = false;
    }
  }

  // Closes f's open slice (if any) at `now`; clears the proc/thread slots that point at it.
  // Closes slice idx at `now`; clears the fiber/proc/thread slots that point at it.
  void close_at(uint32_t idx, SliceEnd end, Block reason = Block::None, uint32_t stack = 0) {
    Slice& s = m.slices[idx];
    s.t1 = now;
    s.end = end;
    s.reason = reason;
    s.end_stack = stack;
    if (fs[s.fiber].open == idx) fs[s.fiber].open = kNone;
    if (s.proc != kNone && proc_open[s.proc] == idx) proc_open[s.proc] = kNone;
    if (thread_open[s.thread] == idx) thread_open[s.thread] = kNone;
  }

  // Closes f's open slice, if any.
  void close_slice(uint32_t f, SliceEnd end, Block reason = Block::None, uint32_t stack = 0) {
    if (fs[f].open != kNone) close_at(fs[f].open, end, reason, stack);
  }

  // Another fiber takes over a proc or thread whose slice is still open: the old owner's
  // stop was never recorded, so its state from here on is unknown.
  void evict(uint32_t idx, SliceEnd why) {
    if (idx == kNone) return;
    uint32_t f = m.slices[idx].fiber;
    bool owner_runs_it = fs[f].open == idx;
    close_at(idx, why);
    if (owner_runs_it) set_state(f, FiberState::Unknown);
  }

  void sample(CounterId c, std::initializer_list<int64_t> v) {
    Counter& k = m.counters[c];
    size_t w = k.keys.size();
    if (!k.t.empty()) {
      const int64_t* last = &k.values[k.values.size() - w];
      if (std::equal(v.begin(), v.end(), last)) return;
      if (k.t.back() == now) {
        std::transform(v.begin(), v.end(), k.values.end() - w,
                       [](int64_t x) { return std::max<int64_t>(x, 0); });
        return;
      }
    }
    k.t.push_back(now);
    for (int64_t x : v) k.values.push_back(std::max<int64_t>(x, 0));
  }

  void sample_all() {
    sample(kGoroutines, {g_count[int(FiberState::Running)], g_count[int(FiberState::Runnable)],
                         g_count[int(FiberState::Blocked)], g_count[int(FiberState::Syscall)]});
    sample(kThreads, {procs_running, threads_in_syscall});
  }

  void add(const Event& raw);
  void close_regions(uint32_t f);
  uint64_t running_id(uint32_t th) const;
};

void ModelBuilder::State::close_regions(uint32_t f) {
  auto it = region_stack.find(f);
  if (it == region_stack.end()) return;
  for (uint32_t r : it->second) m.regions[r].t1 = now;
  region_stack.erase(it);
}

// The fiber running on thread th (its runtime id), 0 if none.
uint64_t ModelBuilder::State::running_id(uint32_t th) const {
  return thread_open[th] != kNone ? m.fibers[m.slices[thread_open[th]].fiber].id : 0;
}

void ModelBuilder::State::add(const Event& raw) {
  now = std::max(now, raw.ts);
  m.events++;
  m.events_by_type[uint8_t(raw.type)]++;
  uint32_t th = thread(raw.thread);
  // A recorder may not know which fiber a thread runs (e.g. the fiber that started the trace
  // was never go_start()ed): an event about "the running fiber" with g == 0, or a creation
  // with creator 0, is about the fiber this thread is known to run.
  Event ev = raw;
  switch (ev.type) {
    case EventType::GoBlock:
    case EventType::GoEnd:
    case EventType::GoYield:
    case EventType::GoSysCall:
    case EventType::GoSysExit:
    case EventType::RegionBegin:
    case EventType::RegionEnd:
      if (ev.g == 0) ev.g = running_id(th);
      if (ev.g == 0) return;  // about no known fiber: nothing to attribute
      break;
    case EventType::Log:
    case EventType::TaskCreate:
      if (ev.g == 0) ev.g = running_id(th);
      break;
    case EventType::GoCreate:
      if (ev.a[1] == 0) ev.a[1] = running_id(th);
      [[fallthrough]];
    case EventType::GoStart:
    case EventType::GoUnblock:
    case EventType::GoStatus:
    case EventType::GoSysBlock:
      if (ev.g == 0) return;  // fiber 0 means "no fiber": such an event is damage
      break;
    default:
      break;
  }
  switch (ev.type) {
    case EventType::ProcStart: {
      uint32_t p = proc(int64_t(ev.a[0]));
      if (!proc_running[p]) proc_running[p] = true, procs_running++;
      m.instants.push_back({now, InstantKind::ProcStart, p, th, kNone, 0});
      break;
    }
    case EventType::ProcStop: {
      uint32_t p = proc(int64_t(ev.a[0]));
      evict(proc_open[p], SliceEnd::Stopped);
      if (proc_running[p]) proc_running[p] = false, procs_running--;
      m.instants.push_back({now, InstantKind::ProcStop, p, th, kNone, 0});
      break;
    }
    case EventType::Threads:
      break;  // counted in events_by_type; Threads row is derived
    case EventType::HeapAlloc:
      heap = int64_t(std::min<uint64_t>(ev.a[0], INT64_MAX));
      sample(kHeap, {heap});
      break;
    case EventType::Procs:  // every proc gets its row, even one that never runs a fiber
      for (uint64_t i = 0; i < std::min<uint64_t>(ev.a[0], 4096); ++i) proc(int64_t(i));
      break;
    case EventType::GoCreate: {
      uint32_t f = fiber(ev.g);
      if (!fs[f].live) {  // an id reused after its fiber ended: a new fiber from here on
        fiber_of.erase(ev.g);
        f = fiber(ev.g);
      }
      Fiber& fi = m.fibers[f];
      fi.func = uint32_t(ev.a[0]);
      fi.create_stack = ev.stack;
      if (ev.a[1] != 0) {
        uint32_t c = fiber(ev.a[1]);
        m.fibers[f].creator = c;
        if (fs[c].open != kNone) {
          Flow fl;
          fl.kind = FlowKind::Create;
          fl.t_from = now;
          fl.from_slice = fs[c].open;
          fl.stack = ev.stack;
          fs[f].pending = fl;
          fs[f].has_pending = true;
        }
      }
      set_state(f, FiberState::Runnable, Block::None, ev.stack);
      break;
    }
    case EventType::GoStatus: {
      uint32_t f = fiber(ev.g);
      m.fibers[f].func = uint32_t(ev.a[0]);
      m.fibers[f].from_status = true;
      switch (ev.a[1]) {
        case 0:
          set_state(f, FiberState::Runnable);
          break;
        case 1: {
          uint32_t p = proc(ev.proc);
          set_state(f, FiberState::Running);
          // Only the fiber that started the trace is known to run on this thread.
          if (fs[f].open == kNone && thread_open[th] == kNone &&
              (p == kNone || proc_open[p] == kNone))
            open_slice(f, p, th);
          break;
        }
        case 2:
          set_state(f, FiberState::Blocked, Block(uint8_t(ev.a[2])));
          break;
        case 3:
          set_state(f, FiberState::Syscall);
          fs[f].handed_off = true;
          threads_in_syscall++;
          break;
        default:
          break;
      }
      break;
    }
    case EventType::GoStart: {
      uint32_t f = fiber(ev.g);
      uint32_t p = proc(ev.proc);
      if (fs[f].open != kNone) evict(fs[f].open, SliceEnd::Replaced);
      if (thread_open[th] != kNone) evict(thread_open[th], SliceEnd::Replaced);
      if (p != kNone && proc_open[p] != kNone) evict(proc_open[p], SliceEnd::Replaced);
      if (fs[f].handed_off) fs[f].handed_off = false, threads_in_syscall--;
      if (!fs[f].live) break;
      set_state(f, FiberState::Running, Block::None, fs[f].stack);
      open_slice(f, p, th);
      break;
    }
    case EventType::GoEnd: {
      uint32_t f = fiber(ev.g);
      close_slice(f, SliceEnd::Exit, Block::None, ev.stack);
      close_regions(f);
      m.fibers[f].ended = true;
      kill(f);
      break;
    }
    case EventType::GoBlock: {
      uint32_t f = fiber(ev.g);
      Block r = Block(uint8_t(ev.a[0]));
      close_slice(f, r == Block::Yield ? SliceEnd::Yield : SliceEnd::Block, r, ev.stack);
      if (r == Block::Yield || fs[f].early_wake) {
        fs[f].early_wake = false;
        set_state(f, FiberState::Runnable, r, ev.stack, ev.a[1]);
      } else {
        set_state(f, FiberState::Blocked, r, ev.stack, ev.a[1]);
      }
      break;
    }
    case EventType::GoUnblock: {
      uint32_t f = fiber(ev.g);
      Block r = Block(uint8_t(ev.a[0]));
      if (ev.a[2] != 0) {
        uint32_t w = fiber(ev.a[2]);
        if (fs[w].open != kNone && w != f) {
          Flow fl;
          fl.kind = FlowKind::Unblock;
          fl.reason = r;
          fl.obj = ev.a[1];
          fl.t_from = now;
          fl.from_slice = fs[w].open;
          fl.stack = ev.stack;
          fs[f].pending = fl;
          fs[f].has_pending = true;
        }
      } else {
        m.instants.push_back({now, InstantKind::TimerWake, kNone, th, f, ev.stack});
      }
      if (fs[f].state == FiberState::Running && fs[f].open != kNone) {
        fs[f].early_wake = true;  // woken before its block was recorded
      } else {
        set_state(f, FiberState::Runnable, fs[f].reason, fs[f].stack, fs[f].obj);
      }
      break;
    }
    case EventType::GoYield: {
      uint32_t f = fiber(ev.g);
      close_slice(f, SliceEnd::Yield, Block::Yield, ev.stack);
      set_state(f, FiberState::Runnable, Block::Yield, ev.stack);
      break;
    }
    case EventType::GoSysCall: {
      uint32_t f = fiber(ev.g);
      uint32_t p = fs[f].open != kNone ? m.slices[fs[f].open].proc : proc(ev.proc);
      m.instants.push_back({now, InstantKind::Syscall, p, th, f, ev.stack});
      set_state(f, FiberState::Syscall, Block::Syscall, ev.stack);
      break;
    }
    case EventType::GoSysBlock: {
      uint32_t f = fiber(ev.g);
      uint32_t p = proc(int64_t(ev.a[0]));
      close_slice(f, SliceEnd::Syscall, Block::Syscall, fs[f].stack);
      if (!fs[f].handed_off && fs[f].live) fs[f].handed_off = true, threads_in_syscall++;
      m.instants.push_back({now, InstantKind::SyscallBlock, p, th, f, fs[f].stack});
      break;
    }
    case EventType::GoSysExit: {
      uint32_t f = fiber(ev.g);
      if (fs[f].handed_off || fs[f].open == kNone) {
        if (fs[f].handed_off) fs[f].handed_off = false, threads_in_syscall--;
        set_state(f, FiberState::Runnable, Block::Syscall, fs[f].stack);
      } else {
        set_state(f, FiberState::Running, Block::None, m.slices[fs[f].open].start_stack);
      }
      break;
    }
    case EventType::ChanName:
      m.chan_names.push_back({ev.a[0], uint32_t(ev.a[1])});
      break;
    case EventType::TaskCreate: {
      Task t;
      t.id = ev.a[0];
      t.parent = ev.a[1];
      t.name = uint32_t(ev.a[2]);
      t.t0 = t.t1 = now;
      t.fiber = ev.g ? fiber(ev.g) : kNone;
      task_of[t.id] = uint32_t(m.tasks.size());
      m.tasks.push_back(t);
      break;
    }
    case EventType::TaskEnd: {
      auto it = task_of.find(ev.a[0]);
      if (it != task_of.end() && !m.tasks[it->second].ended) {
        m.tasks[it->second].t1 = now;
        m.tasks[it->second].ended = true;
      }
      break;
    }
    case EventType::RegionBegin: {
      uint32_t f = fiber(ev.g);
      auto& st = region_stack[f];
      Region r;
      r.t0 = r.t1 = now;
      r.fiber = f;
      r.task = ev.a[0];
      r.name = uint32_t(ev.a[1]);
      r.depth = uint32_t(st.size());
      st.push_back(uint32_t(m.regions.size()));
      m.regions.push_back(r);
      break;
    }
    case EventType::RegionEnd: {
      uint32_t f = fiber(ev.g);
      auto it = region_stack.find(f);
      if (it == region_stack.end() || it->second.empty()) break;
      Region& r = m.regions[it->second.back()];
      r.t1 = now;
      r.ended = true;
      it->second.pop_back();
      break;
    }
    case EventType::Log: {
      uint32_t f = ev.g ? fiber(ev.g) : kNone;
      uint32_t p = f != kNone && fs[f].open != kNone ? m.slices[fs[f].open].proc : proc(ev.proc);
      m.logs.push_back({now, f, p, th, ev.a[0], uint32_t(ev.a[1]), uint32_t(ev.a[2])});
      break;
    }
    default:
      break;  // unknown types are counted, not interpreted
  }
  sample_all();
}

ModelBuilder::ModelBuilder() : s_(new State) {}

ModelBuilder::~ModelBuilder() {
  delete s_;
}

void ModelBuilder::add(const Event& ev) {
  s_->add(ev);
}

void ModelBuilder::reserve(uint64_t events) {
  // Upper bounds for the mix of real traces; capacity never touched costs no memory.
  State& s = *s_;
  s.spans.reserve(events);
  s.m.slices.reserve(events / 2);
  s.flows.reserve(events / 2);
  s.m.counters[kGoroutines].t.reserve(events);
  s.m.counters[kGoroutines].values.reserve(events * 4);
}

static void build_index(TrackIndex& ix, size_t tracks, const std::vector<Slice>& slices,
                        uint32_t Slice::*key) {
  ix.off.assign(tracks + 1, 0);
  for (const Slice& s : slices)
    if (s.*key != kNone) ix.off[s.*key + 1]++;
  std::partial_sum(ix.off.begin(), ix.off.end(), ix.off.begin());
  ix.idx.resize(ix.off.back());
  std::vector<uint32_t> pos(ix.off.begin(), ix.off.end() - 1);
  for (uint32_t i = 0; i < slices.size(); i++)
    if (slices[i].*key != kNone) ix.idx[pos[slices[i].*key]++] = i;
}

Model ModelBuilder::finish(ft::trace::Tables tables, ft::trace::ReadResult read) {
  State& s = *s_;
  Model& m = s.m;
  m.end = s.now;
  for (uint32_t f = 0; f < m.fibers.size(); f++) {
    s.close_slice(f, SliceEnd::TraceEnd);
    s.close_regions(f);
    s.kill(f);  // closes the last span at `end`; died = end for fibers still alive
  }
  for (Task& t : m.tasks)
    if (!t.ended) t.t1 = m.end;

  // Procs in ascending runtime order, so "Proc 0" comes first everywhere.
  std::vector<uint32_t> order(m.procs.size()), rank(m.procs.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return m.procs[a] < m.procs[b]; });
  for (uint32_t i = 0; i < order.size(); i++) rank[order[i]] = i;
  std::vector<uint32_t> sorted_procs(m.procs.size());
  for (uint32_t i = 0; i < order.size(); i++) sorted_procs[i] = m.procs[order[i]];
  m.procs = std::move(sorted_procs);
  auto remap = [&](uint32_t& p) {
    if (p != kNone) p = rank[p];
  };
  for (Slice& x : m.slices) remap(x.proc);
  for (Instant& x : m.instants) remap(x.proc);
  for (Log& x : m.logs) remap(x.proc);

  // Spans were appended in time order; a stable counting sort groups them by fiber.
  std::vector<uint32_t> cnt(m.fibers.size() + 1, 0);
  for (const FiberSpan& x : s.spans) cnt[x.fiber + 1]++;
  std::partial_sum(cnt.begin(), cnt.end(), cnt.begin());
  m.spans.resize(s.spans.size());
  for (uint32_t f = 0; f < m.fibers.size(); f++) {
    m.fibers[f].span_begin = cnt[f];
    m.fibers[f].span_end = cnt[f + 1];
  }
  for (const FiberSpan& x : s.spans) m.spans[cnt[x.fiber]++] = x.span;
  std::vector<FiberSpan>().swap(s.spans);

  // Flows are appended when their consumer starts, which is nearly always in t_from order.
  auto by_from = [](const Flow& a, const Flow& b) { return a.t_from < b.t_from; };
  if (!std::is_sorted(s.flows.begin(), s.flows.end(), by_from))
    std::stable_sort(s.flows.begin(), s.flows.end(), by_from);
  m.flows = std::move(s.flows);
  for (uint32_t i = 0; i < m.flows.size(); i++) {
    m.slices[m.flows[i].to_slice].flow_in = i;
    m.max_flow_span =
        std::max(m.max_flow_span, m.slices[m.flows[i].to_slice].t0 - m.flows[i].t_from);
  }

  build_index(m.by_proc, m.procs.size(), m.slices, &Slice::proc);
  build_index(m.by_thread, m.threads, m.slices, &Slice::thread);
  build_index(m.by_fiber, m.fibers.size(), m.slices, &Slice::fiber);

  m.fiber_by_id.reserve(m.fibers.size());
  for (uint32_t f = 0; f < m.fibers.size(); f++) m.fiber_by_id.push_back({m.fibers[f].id, f});
  std::sort(m.fiber_by_id.begin(), m.fiber_by_id.end());

  // A channel renamed later keeps its last name.
  std::stable_sort(m.chan_names.begin(), m.chan_names.end(),
                   [](auto& a, auto& b) { return a.first < b.first; });
  std::vector<std::pair<uint64_t, uint32_t>> names;
  for (auto& n : m.chan_names) {
    if (!names.empty() && names.back().first == n.first)
      names.back() = n;
    else
      names.push_back(n);
  }
  m.chan_names = std::move(names);

  m.tables = std::move(tables);
  m.read = std::move(read);
  Model out = std::move(m);
  delete s_;
  s_ = new State;
  return out;
}

Model build_model(std::span<const Event> events, ft::trace::Tables tables) {
  ModelBuilder b;
  for (const Event& e : events) b.add(e);
  ft::trace::ReadResult rr;
  rr.events = events.size();
  return b.finish(std::move(tables), rr);
}

}  // namespace ft::exporter
