// Finishing the model: close what is still open at the last event time, put procs in runtime
// order, group the spans by fiber, sort the flows, index the tracks and name the rows. The
// pass appended everything in time order, so this is counting sorts and one stable sort.
#include <algorithm>
#include <numeric>
#include <utility>

#include "tracker.hpp"

namespace ft::exporter::model {

namespace {

void build_index(TrackIndex& ix, size_t tracks, const std::vector<Slice>& slices,
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

// Procs in ascending runtime order, so "Proc 0" comes first everywhere.
void sort_procs(Model& m) {
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
}

// Spans were appended in time order; a stable counting sort groups them by fiber.
void group_spans(Model& m, std::vector<FiberSpan>& spans) {
  std::vector<uint32_t> cnt(m.fibers.size() + 1, 0);
  for (const FiberSpan& x : spans) cnt[x.fiber + 1]++;
  std::partial_sum(cnt.begin(), cnt.end(), cnt.begin());
  m.spans.resize(spans.size());
  for (uint32_t f = 0; f < m.fibers.size(); f++) {
    m.fibers[f].span_begin = cnt[f];
    m.fibers[f].span_end = cnt[f + 1];
  }
  for (const FiberSpan& x : spans) m.spans[cnt[x.fiber]++] = x.span;
  std::vector<FiberSpan>().swap(spans);
}

// A channel renamed later keeps its last name.
void dedupe_chan_names(Model& m) {
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
}

// The finished model's invariants that are about the whole (per-step ones are asserted in
// tracker.cpp where each is established).
void check(const Model& m) {
#if defined(FT_CHECK_INVARIANTS) || !defined(NDEBUG)
  for (const Fiber& f : m.fibers) {
    Ns t = f.born;
    for (uint32_t i = f.span_begin; i < f.span_end; i++) {
      FT_INVARIANT(m.spans[i].t0 == t && m.spans[i].t0 < m.spans[i].t1);
      t = m.spans[i].t1;
    }
    FT_INVARIANT(f.span_begin == f.span_end || t == f.died);
    FT_INVARIANT(f.died <= m.end);
  }
  for (const TrackIndex* ix : {&m.by_proc, &m.by_thread, &m.by_fiber})
    for (size_t k = 0; k < ix->tracks(); k++) {
      auto s = ix->of(k);
      for (size_t i = 1; i < s.size(); i++)
        FT_INVARIANT(m.slices[s[i - 1]].t1 <= m.slices[s[i]].t0);
    }
  for (uint32_t i = 0; i < m.flows.size(); i++) {
    const Flow& f = m.flows[i];
    FT_INVARIANT(m.slices[f.from_slice].t0 <= f.t_from && f.t_from <= m.slices[f.to_slice].t0);
    FT_INVARIANT(m.slices[f.to_slice].flow_in == i);
    FT_INVARIANT(i == 0 || m.flows[i - 1].t_from <= f.t_from);
  }
  for (const Counter& c : m.counters)
    for (size_t i = 1; i < c.t.size(); i++) FT_INVARIANT(c.t[i - 1] < c.t[i]);
#else
  (void)m;
#endif
}

}  // namespace

Model finish(Tracker& s, ft::trace::Tables tables, ft::trace::ReadResult read) {
  Model& m = s.m;
  m.end = s.now;
  for (uint32_t f = 0; f < m.fibers.size(); f++) {
    s.close_slice(f, SliceEnd::TraceEnd);
    s.close_regions(f);
  }
  // An arrow still waiting for its consumer (created or woken, never run again) enters a
  // zero-length slice at the end, on the proc and thread of the slice it left from.
  for (uint32_t f = 0; f < m.fibers.size(); f++) {
    if (!s.fs[f].has_pending) continue;
    const Slice& from = m.slices[s.fs[f].pending.from_slice];
    s.open_slice(f, from.proc, from.thread);  // every slot is free: all closed above
    s.close_slice(f, SliceEnd::NeverRan);
  }
  for (uint32_t f = 0; f < m.fibers.size(); f++)
    s.kill(f);  // closes the last span at `end`; died = end for fibers still alive
  for (Task& t : m.tasks)
    if (!t.ended) t.t1 = m.end;

  sort_procs(m);
  group_spans(m, s.spans);

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

  dedupe_chan_names(m);
  m.tables = std::move(tables);
  m.read = std::move(read);
  name_rows(m);
  check(m);
  return std::move(m);
}

}  // namespace ft::exporter::model
