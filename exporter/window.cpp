// Window queries (contract in window.hpp). Slices on one track are disjoint and sorted by t0,
// hence also by t1, so the first slice reaching into the window is a binary search on t1.
#include "window.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ft::exporter {

std::span<const uint32_t> track_slices(const Model& m, TrackRef t) {
  const TrackIndex* ix = nullptr;
  switch (t.kind) {
    case TrackKind::Proc:
      ix = &m.by_proc;
      break;
    case TrackKind::Thread:
      ix = &m.by_thread;
      break;
    case TrackKind::Fiber:
      ix = &m.by_fiber;
      break;
    case TrackKind::Counter:
      return {};
  }
  if (t.index >= ix->tracks())
    throw std::invalid_argument("no such track: " + std::to_string(t.index));
  return ix->of(t.index);
}

namespace {

void slices_in_window(const Model& m, std::span<const uint32_t> track, const WindowQuery& q,
                      double px, std::vector<WinSlice>& out) {
  auto first = std::partition_point(track.begin(), track.end(),
                                    [&](uint32_t i) { return m.slices[i].t1 < q.t0; });
  bool merging = false;  // out.back() is a run that may still absorb sub-pixel slices
  for (auto it = first; it != track.end(); ++it) {
    const Slice& s = m.slices[*it];
    if (s.t0 > q.t1) break;
    bool tiny = double(s.t1 - s.t0) < px;
    if (tiny && merging && double(s.t0 - out.back().t1) < px) {
      WinSlice& w = out.back();
      w.t1 = s.t1;
      w.count++;
      if (w.fiber != s.fiber) w.fiber = kNone;
      continue;
    }
    out.push_back({s.t0, s.t1, *it, 1, s.fiber});
    merging = tiny;
  }
}

void samples_in_window(const Counter& c, const WindowQuery& q, double px,
                       std::vector<uint32_t>& out) {
  auto first = std::upper_bound(c.t.begin(), c.t.end(), q.t0);
  size_t i = size_t(first - c.t.begin());
  if (i > 0) out.push_back(uint32_t(i - 1));  // the value in effect at t0
  size_t w = c.keys.size();
  auto sum = [&](size_t k) {
    int64_t s = 0;
    for (size_t j = 0; j < w; j++) s += c.values[k * w + j];
    return s;
  };
  while (i < c.t.size() && c.t[i] <= q.t1) {
    // One pixel bucket: [bucket_start, bucket_end).
    uint64_t bucket = uint64_t(double(c.t[i] - q.t0) / px);
    size_t best = i, last = i;
    int64_t best_sum = sum(i);
    size_t j = i + 1;
    for (; j < c.t.size() && c.t[j] <= q.t1 && uint64_t(double(c.t[j] - q.t0) / px) == bucket;
         j++) {
      int64_t s = sum(j);
      if (s > best_sum) best = j, best_sum = s;
      last = j;
    }
    out.push_back(uint32_t(best));
    if (last != best) out.push_back(uint32_t(last));
    i = j;
  }
}

}  // namespace

WindowResult query_window(const Model& m, const WindowQuery& q) {
  if (q.t1 < q.t0) throw std::invalid_argument("window ends before it starts");
  WindowResult r;
  r.ns_per_px = std::max(1e-9, double(q.t1 - q.t0) / double(std::max<uint32_t>(q.width_px, 1)));
  // Which tracks each slice's flows may attach to: mark requested tracks per kind.
  std::vector<char> want_proc(m.procs.size()), want_thread(m.threads), want_fiber(m.fibers.size());
  for (const TrackRef& t : q.tracks) {
    WinTrack wt;
    wt.track = t;
    if (t.kind == TrackKind::Counter) {
      if (t.index >= kCounters)
        throw std::invalid_argument("no such counter: " + std::to_string(t.index));
      samples_in_window(m.counters[t.index], q, r.ns_per_px, wt.samples);
    } else {
      slices_in_window(m, track_slices(m, t), q, r.ns_per_px, wt.slices);
      auto& want = t.kind == TrackKind::Proc     ? want_proc
                   : t.kind == TrackKind::Thread ? want_thread
                                                 : want_fiber;
      want[t.index] = 1;
    }
    r.tracks.push_back(std::move(wt));
  }
  auto shown = [&](const Slice& s) {
    return (s.proc != kNone && want_proc[s.proc]) || want_thread[s.thread] || want_fiber[s.fiber];
  };
  // Flows are sorted by t_from and no arrow is longer than max_flow_span, so the arrows that
  // reach into the window start in [t0 - max_flow_span, t1].
  Ns lo = q.t0 > m.max_flow_span ? q.t0 - m.max_flow_span : 0;
  auto from = std::partition_point(m.flows.begin(), m.flows.end(),
                                   [&](const Flow& f) { return f.t_from < lo; });
  for (uint32_t i = uint32_t(from - m.flows.begin());
       i < m.flows.size() && m.flows[i].t_from <= q.t1; i++) {
    const Flow& f = m.flows[i];
    const Slice& to = m.slices[f.to_slice];
    if (to.t0 < q.t0) continue;
    if (shown(m.slices[f.from_slice]) && shown(to)) r.flows.push_back(i);
  }
  return r;
}

}  // namespace ft::exporter
