// The tracker's helpers: dense numbering, state spans, slices, flows and counter samples.
// Each asserts (FT_INVARIANT) the part of model.hpp's invariants it establishes.
#include "tracker.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace ft::exporter::model {

using ft::trace::Block;

void invariant_failed(const char* cond, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: model invariant broken: %s\n", file, line, cond);
  std::abort();
}

Tracker::Tracker() {
  m.counters[kGoroutines] = {"Goroutines", {"Running", "Runnable", "Waiting", "InSyscall"}, {}, {}};
  m.counters[kThreads] = {"Threads", {"Running", "InSyscall"}, {}, {}};
  m.counters[kHeap] = {"Heap", {"Allocated"}, {}, {}};
}

uint32_t Tracker::thread(uint32_t raw) {
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

uint32_t Tracker::proc(int64_t raw) {
  if (raw < 0) return kNone;
  auto [it, fresh] = proc_of.try_emplace(raw, uint32_t(m.procs.size()));
  if (fresh) {
    m.procs.push_back(uint32_t(std::min<int64_t>(raw, 0xfffffffe)));
    proc_open.push_back(kNone);
    proc_running.push_back(false);
  }
  return it->second;
}

uint32_t Tracker::fiber(uint64_t id) {
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

uint64_t Tracker::running_id(uint32_t th) const {
  return thread_open[th] != kNone ? m.fibers[m.slices[thread_open[th]].fiber].id : 0;
}

void Tracker::set_state(uint32_t f, FiberState st, Block reason, uint32_t stack, uint64_t obj) {
  FiberNow& n = fs[f];
  if (!n.live) return;
  FT_INVARIANT(n.since <= now);  // the span about to close starts where the previous ended
  if (now > n.since) spans.push_back({f, {n.since, now, n.state, n.reason, n.stack, n.obj}});
  g_count[int(n.state)]--;
  g_count[int(st)]++;
  n.state = st;
  n.reason = reason;
  n.stack = stack;
  n.obj = obj;
  n.since = now;
}

void Tracker::kill(uint32_t f) {
  FiberNow& n = fs[f];
  if (!n.live) return;
  FT_INVARIANT(n.since <= now);
  if (now > n.since) spans.push_back({f, {n.since, now, n.state, n.reason, n.stack, n.obj}});
  g_count[int(n.state)]--;
  n.live = false;
  if (n.handed_off) threads_in_syscall--, n.handed_off = false;
  m.fibers[f].died = now;
}

void Tracker::pend_flow(uint32_t f, uint32_t from, Flow fl) {
  fl.t_from = now;
  fl.from_slice = fs[from].open;
  FT_INVARIANT(fl.from_slice != kNone && m.slices[fl.from_slice].t0 <= now);
  fs[f].pending = fl;
  fs[f].has_pending = true;
}

void Tracker::open_slice(uint32_t f, uint32_t p, uint32_t th) {
  // The caller evicted whatever ran on this fiber, thread and proc: tracks stay disjoint.
  FT_INVARIANT(fs[f].open == kNone && thread_open[th] == kNone);
  FT_INVARIANT(p == kNone || proc_open[p] == kNone);
  FT_INVARIANT(m.slices.empty() || m.slices.back().t0 <= now);  // slices sorted by t0
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
    if (fl.t_from == now && m.slices[fl.from_slice].t0 < now) fl.t_from = now - 1;  // model.hpp
    FT_INVARIANT(m.slices[fl.from_slice].t0 <= fl.t_from && fl.t_from <= now);
    flows.push_back(fl);
    fs[f].has_pending = false;
  }
}

void Tracker::running_here(uint32_t f, uint32_t th) {
  if (!fs[f].live || fs[f].open != kNone || thread_open[th] != kNone) return;
  if (fs[f].handed_off) fs[f].handed_off = false, threads_in_syscall--;
  set_state(f, FiberState::Running, ft::trace::Block::None, fs[f].stack);
  open_slice(f, kNone, th);
}

void Tracker::close_at(uint32_t idx, SliceEnd end, Block reason, uint32_t stack) {
  Slice& s = m.slices[idx];
  FT_INVARIANT(s.t0 <= now);
  s.t1 = now;
  s.end = end;
  s.reason = reason;
  s.end_stack = stack;
  if (fs[s.fiber].open == idx) fs[s.fiber].open = kNone;
  if (s.proc != kNone && proc_open[s.proc] == idx) proc_open[s.proc] = kNone;
  if (thread_open[s.thread] == idx) thread_open[s.thread] = kNone;
}

void Tracker::evict(uint32_t idx, SliceEnd why) {
  if (idx == kNone) return;
  uint32_t f = m.slices[idx].fiber;
  bool owner_runs_it = fs[f].open == idx;
  close_at(idx, why);
  if (owner_runs_it) set_state(f, FiberState::Unknown);
}

void Tracker::close_regions(uint32_t f) {
  auto it = region_stack.find(f);
  if (it == region_stack.end()) return;
  for (uint32_t r : it->second) m.regions[r].t1 = now;
  region_stack.erase(it);
}

void Tracker::sample(CounterId c, std::initializer_list<int64_t> v) {
  Counter& k = m.counters[c];
  size_t w = k.keys.size();
  if (!k.t.empty()) {
    FT_INVARIANT(k.t.back() <= now);
    const int64_t* last = &k.values[k.values.size() - w];
    if (std::equal(v.begin(), v.end(), last)) return;
    if (k.t.back() == now) {  // at most one sample per timestamp: the last state wins
      std::transform(v.begin(), v.end(), k.values.end() - w,
                     [](int64_t x) { return std::max<int64_t>(x, 0); });
      return;
    }
  }
  k.t.push_back(now);
  for (int64_t x : v) k.values.push_back(std::max<int64_t>(x, 0));
}

void Tracker::sample_all() {
  sample(kGoroutines, {g_count[int(FiberState::Running)], g_count[int(FiberState::Runnable)],
                       g_count[int(FiberState::Blocked)], g_count[int(FiberState::Syscall)]});
  sample(kThreads, {procs_running, threads_in_syscall});
}

}  // namespace ft::exporter::model
