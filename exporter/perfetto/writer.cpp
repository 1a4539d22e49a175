// The Perfetto writer (writer.hpp): track descriptors first, then a k-way merge, by time, of the
// model's sorted streams (slice begins, slice ends, flow sources, counter samples, instants,
// task/region edges, logs), each event encoded straight into the packet stream.
//
// Order at one timestamp matters because Perfetto nests slices and instants on a track by
// time and by the order of the events: at equal times the merge emits
//   0 flow sources whose producing slice began earlier (they belong inside it),
//   1 ends of slices that began earlier,
//   2 begins,
//   3 everything else (flow sources of slices that begin now, counters, instants, logs),
//   4 ends of zero-length slices.
// A row holds one open slice at a time: a begin first ends a zero-length slice still open
// on the same row.
#include "writer.hpp"

#include <algorithm>
#include <queue>
#include <stdexcept>
#include <unordered_map>

#include "exporter/rows.hpp"
#include "stream.hpp"

namespace ft::exporter::perfetto {
namespace {

using ft::trace::Block;

bool is_chan(Block r) {
  return r == Block::ChanSend || r == Block::ChanRecv || r == Block::Select;
}

// Debug annotation names, interned up front in this order (iid = index + 1).
enum Ann : uint8_t {
  kG,
  kFunc,
  kEnd,
  kProc,
  kThread,
  kChan,
  kObj,
  kChanName,
  kTask,
  kParent,
  kMessage,
  kCategory,
  kAnns
};
constexpr std::string_view kAnnName[kAnns] = {"g",      "func",   "end",     "proc",
                                              "thread", "chan",   "obj",     "chan_name",
                                              "task",   "parent", "message", "category"};

struct Seq {
  PacketStream& out;
  const Model& m;
  const Rows& rows;
  const Options& o;
  uint32_t seq;
  Ns off;
  uint64_t flow_base;  // flow ids are global in a Perfetto trace: trace k's start after k-1's
  Summary& sum;
  Interner in;
  uint64_t ann[kAnns] = {};
  std::vector<uint64_t> row_uuid;  // row r -> track uuid (index r, 0 unused)
  std::vector<uint64_t> counter_uuid[kCounters];
  std::vector<uint64_t> task_uuid;                       // per task
  std::vector<uint64_t> region_uuid;                     // per region
  std::vector<uint64_t> fiber_name_iid, fiber_func_iid;  // lazily interned, 0 = not yet
  std::vector<uint64_t> stack_iid;                       // callstack iid per stack id, 0 = not yet
  std::vector<uint32_t> open;                            // per row: open slice index + 1, 0 = none
  size_t ci[kCounters] = {};                             // next sample of each counter

  Proto& p() { return out.p(); }

  // --- packets -------------------------------------------------------------------------
  size_t packet(Ns t, bool needs_state) {
    size_t pk = out.begin();
    p().u64(pf::packet::kTimestamp, off + t);
    p().u64(pf::packet::kTrustedSequenceId, seq);
    if (needs_state) p().u64(pf::packet::kSequenceFlags, pf::packet::kSeqNeedsIncrementalState);
    return pk;
  }
  void end_packet(size_t pk) {
    in.emit(p());
    out.end(pk);
  }
  size_t event(uint32_t type, uint64_t track, uint64_t name_iid) {
    size_t te = p().open(pf::packet::kTrackEvent);
    p().u64(pf::event::kType, type);
    p().u64(pf::event::kTrackUuid, track);
    if (name_iid) p().u64(pf::event::kNameIid, name_iid);
    return te;
  }
  // Counter samples at exactly time t ride on the event being written as extra counter values
  // (a value is 4-5 bytes there, a packet of its own about 18).
  void close_event(size_t te, Ns t) {
    uint64_t uuids[16], values[16];
    size_t n = 0;
    for (uint32_t c = 0; c < kCounters; c++) {
      const Counter& k = m.counters[c];
      for (; ci[c] < k.t.size() && k.t[ci[c]] == t && n + k.keys.size() <= 16; ci[c]++)
        for (size_t j = 0; j < k.keys.size(); j++)
          if (ci[c] == 0 || k.value(ci[c], j) != k.value(ci[c] - 1, j))
            uuids[n] = counter_uuid[c][j], values[n++] = uint64_t(k.value(ci[c], j));
    }
    for (size_t i = 0; i < n; i++) p().u64(pf::event::kExtraCounterTrackUuids, uuids[i]);
    for (size_t i = 0; i < n; i++) p().u64(pf::event::kExtraCounterValues, values[i]);
    sum.counter_values += n;
    p().close(te);
  }
  void ann_u(Ann a, uint64_t v) {
    size_t d = p().open(pf::event::kDebugAnnotations);
    p().u64(pf::annotation::kNameIid, ann[a]);
    p().u64(pf::annotation::kUint, v);
    p().close(d);
  }
  void ann_iid(Ann a, uint64_t str_iid) {
    size_t d = p().open(pf::event::kDebugAnnotations);
    p().u64(pf::annotation::kNameIid, ann[a]);
    p().u64(pf::annotation::kStringIid, str_iid);
    p().close(d);
  }
  void ann_s(Ann a, std::string_view s) { ann_iid(a, in.intern(Interner::kStrings, s)); }
  void ann_raw(Ann a, std::string_view s) {
    size_t d = p().open(pf::event::kDebugAnnotations);
    p().u64(pf::annotation::kNameIid, ann[a]);
    p().bytes(pf::annotation::kString, s);
    p().close(d);
  }
  void stack(uint32_t id) {
    if (id == 0 || id >= m.tables.stacks.size()) return;
    if (!stack_iid[id]) {
      const auto& st = m.tables.stacks[id];
      std::vector<uint64_t> frames;
      for (size_t i = st.size(); i-- > 0;) {  // the model's stacks are innermost first
        const auto& fr = st[i];
        std::string name = fr.func.empty() ? std::string("?") : fr.func;
        if (!fr.file.empty()) {  // the JSON's frame names: "func file.cpp:line"
          size_t slash = fr.file.find_last_of('/');
          name += ' ';
          name += slash == std::string::npos ? fr.file : fr.file.substr(slash + 1);
          if (fr.line) name += ':' + std::to_string(fr.line);
        }
        frames.push_back(in.frame(name, fr.line));
      }
      stack_iid[id] = in.callstack(std::move(frames));
    }
    p().u64(pf::event::kCallstackIid, stack_iid[id]);
  }
  uint64_t name(std::string_view s) { return in.intern(Interner::kNames, s); }
  // The few fixed names of the hot path, interned once each (0 = not yet).
  static_assert(int(SliceEnd::TraceEnd) < 8 && int(Block::Preempt) < 16 &&
                int(InstantKind::TimerWake) < 8);
  uint64_t end_iid[8][16] = {}, flow_iid[2][16] = {}, instant_iid[8] = {};
  template <class F>
  uint64_t once(uint64_t& slot, F make) {
    return slot ? slot : (slot = make());
  }
  uint64_t fiber_name(uint32_t f) {
    if (!fiber_name_iid[f]) fiber_name_iid[f] = name(m.fiber_label(f));
    return fiber_name_iid[f];
  }
  uint64_t fiber_func(uint32_t f) {
    if (!fiber_func_iid[f]) fiber_func_iid[f] = in.intern(Interner::kStrings, m.fiber_func(f));
    return fiber_func_iid[f];
  }

  // --- tracks --------------------------------------------------------------------------
  struct Track {
    uint64_t uuid = 0, parent = 0;
    std::string name;
    int64_t rank = 0;
    bool explicit_children = false, counter = false, bytes_unit = false;
    int64_t pid = -1;  // a process track when >= 0
    std::vector<std::string> cmdline;
  };
  std::vector<Track> tracks;

  void descriptors() {
    for (const Track& t : tracks) {
      size_t pk = out.begin();
      p().u64(pf::packet::kTimestamp, off);
      p().u64(pf::packet::kTrustedSequenceId, seq);
      size_t d = p().open(pf::packet::kTrackDescriptor);
      p().u64(pf::track::kUuid, t.uuid);
      if (t.parent) p().u64(pf::track::kParentUuid, t.parent);
      if (t.pid >= 0) {
        size_t pd = p().open(pf::track::kProcess);
        p().u64(pf::process::kPid, uint64_t(t.pid));
        for (const std::string& a : t.cmdline) p().bytes(pf::process::kCmdline, a);
        p().bytes(pf::process::kName, t.name);
        p().close(pd);
      } else {
        p().bytes(pf::track::kName, t.name);
      }
      if (t.counter) {
        size_t cd = p().open(pf::track::kCounter);
        p().u64(pf::counter::kUnit,
                t.bytes_unit ? pf::counter::kUnitBytes : pf::counter::kUnitCount);
        p().close(cd);
      }
      if (t.explicit_children) p().u64(pf::track::kChildOrdering, pf::track::kOrderingExplicit);
      if (t.parent) p().i64(pf::track::kSiblingOrderRank, t.rank);
      p().close(d);
      out.end(pk);
    }
    tracks.clear();
  }

  void run(uint64_t& next_uuid, const Source& src, bool merged, int64_t pid);
  void slice_begin(uint32_t idx);
  void slice_end(uint32_t idx);
  void flow_source(uint32_t idx);
  void counter(uint32_t c, size_t i);
  void instant(const Instant& i);
  void log(const Log& l);
};

void Seq::slice_begin(uint32_t idx) {
  const Slice& s = m.slices[idx];
  uint32_t row = rows.slice(s);
  if (open[row]) slice_end(open[row] - 1);
  open[row] = idx + 1;
  uint64_t nm = fiber_name(s.fiber);
  size_t pk = packet(s.t0, true);
  size_t te = event(pf::event::kSliceBegin, row_uuid[row], nm);
  ann_u(kG, m.fibers[s.fiber].id);
  ann_iid(kFunc, fiber_func(s.fiber));
  if (o.view != View::Proc && s.proc != kNone) ann_u(kProc, m.procs[s.proc]);
  if (s.flow_in != kNone && rows.flow(m, m.flows[s.flow_in])) {
    p().fixed64(pf::event::kTerminatingFlowIds, flow_base + s.flow_in + 1);
    sum.flows++;
  }
  stack(s.start_stack);
  close_event(te, s.t0);
  end_packet(pk);
  sum.slices++;
}

void Seq::slice_end(uint32_t idx) {
  const Slice& s = m.slices[idx];
  uint32_t row = rows.slice(s);
  if (open[row] != idx + 1) return;  // already ended (a begin on the same row came first)
  open[row] = 0;
  size_t pk = packet(s.t1, true);
  size_t te = event(pf::event::kSliceEnd, row_uuid[row], 0);
  ann_iid(kEnd, once(end_iid[int(s.end) & 7][int(s.reason) & 15], [&] {
            return in.intern(Interner::kStrings, slice_end_name(s.end, s.reason));
          }));
  stack(s.end_stack);
  close_event(te, s.t1);
  end_packet(pk);
}

void Seq::flow_source(uint32_t idx) {
  const Flow& f = m.flows[idx];
  const Slice& to = m.slices[f.to_slice];
  uint64_t nm = once(flow_iid[int(f.kind) & 1][int(f.reason) & 15], [&] {
    return name(f.kind == FlowKind::Create ? std::string_view("go") : reason_name(f.reason));
  });
  size_t pk = packet(f.t_from, true);
  size_t te = event(pf::event::kInstant, row_uuid[rows.slice(m.slices[f.from_slice])], nm);
  ann_u(kG, m.fibers[to.fiber].id);
  if (f.kind == FlowKind::Unblock && f.obj != 0) {
    ann_u(is_chan(f.reason) ? kChan : kObj, f.obj);
    if (is_chan(f.reason)) {
      std::string_view n = m.chan_name(f.obj);
      if (!n.empty()) ann_s(kChanName, n);
    }
  }
  p().fixed64(pf::event::kFlowIds, flow_base + idx + 1);
  stack(f.stack);
  close_event(te, f.t_from);
  end_packet(pk);
}

void Seq::counter(uint32_t c, size_t i) {
  const Counter& k = m.counters[c];
  for (size_t j = 0; j < k.keys.size(); j++) {
    if (i > 0 && k.value(i, j) == k.value(i - 1, j)) continue;
    size_t pk = packet(k.t[i], false);
    size_t te = event(pf::event::kCounter, counter_uuid[c][j], 0);
    p().i64(pf::event::kCounterValue, k.value(i, j));
    p().close(te);
    out.end(pk);
    sum.counter_values++;
  }
}

void Seq::instant(const Instant& i) {
  size_t pk = packet(i.t, true);
  uint64_t nm = once(instant_iid[int(i.kind) & 7], [&] { return name(instant_name(i.kind)); });
  size_t te = event(pf::event::kInstant, row_uuid[rows.instant(i)], nm);
  if (i.kind == InstantKind::ProcStart || i.kind == InstantKind::ProcStop) {
    ann_u(kProc, i.proc != kNone ? m.procs[i.proc] : 0);
    ann_u(kThread, i.thread);
  } else if (i.fiber != kNone) {
    ann_u(kG, m.fibers[i.fiber].id);
  }
  stack(i.stack);
  close_event(te, i.t);
  end_packet(pk);
}

void Seq::log(const Log& l) {
  std::string_view cat = m.str(l.category);
  size_t pk = packet(l.t, true);
  size_t te = event(pf::event::kInstant, row_uuid[rows.log(l)],
                    name(cat.empty() ? std::string_view("log") : cat));
  if (!cat.empty()) p().u64(pf::event::kCategoryIids, in.intern(Interner::kCategories, cat));
  ann_raw(kMessage, m.str(l.message));
  ann_s(kCategory, cat);
  ann_u(kTask, l.task);
  if (l.fiber != kNone) ann_u(kG, m.fibers[l.fiber].id);
  close_event(te, l.t);
  end_packet(pk);
}

// One task or region edge on its async track.
struct Async {
  Ns t;
  uint8_t phase;  // as in the merge: 2 begin, 1 end, 4 end of a zero-length span
  bool region;
  uint32_t depth;  // ends at one time: innermost first
  uint32_t index;
};

void Seq::run(uint64_t& next_uuid, const Source& src, bool merged, int64_t pid) {
  row_uuid.assign(rows.rows.size() + 1, 0);
  open.assign(rows.rows.size() + 1, 0);
  fiber_name_iid.assign(m.fibers.size(), 0);
  fiber_func_iid.assign(m.fibers.size(), 0);
  stack_iid.assign(m.tables.stacks.size(), 0);

  // The first packet clears the sequence's incremental state and interns the annotation names.
  size_t pk = out.begin();
  p().u64(pf::packet::kTimestamp, off);
  p().u64(pf::packet::kTrustedSequenceId, seq);
  p().u64(pf::packet::kSequenceFlags, pf::packet::kSeqIncrementalStateCleared);
  p().boolean(pf::packet::kFirstPacketOnSequence, true);
  for (int a = 0; a < kAnns; a++) ann[a] = in.intern(Interner::kAnnotationNames, kAnnName[a]);
  end_packet(pk);

  // Tracks. Rows come first so that the busiest tracks get the shortest uuids.
  for (size_t r = 1; r < row_uuid.size(); r++) row_uuid[r] = next_uuid++;
  static constexpr std::string_view rows_name[] = {"PROCS", "THREADS", "GOROUTINES"};
  auto group = [&](std::string_view name, int64_t rank, int64_t group_pid) {
    Track t;
    t.uuid = next_uuid++;
    t.name = name;
    t.rank = rank;
    t.explicit_children = true;
    if (merged) {
      t.parent = 0;  // set below, once the trace's process track has its uuid
    } else {
      t.pid = group_pid;
    }
    tracks.push_back(t);
    return tracks.size() - 1;
  };
  size_t stats_g = group("STATS", 0, 1);
  size_t rows_g = group(rows_name[int(o.view)], 1, 2);
  if (!merged) tracks[rows_g].cmdline = m.tables.argv;
  bool has_tasks = !m.tasks.empty() || !m.regions.empty();
  size_t tasks_g = has_tasks ? group("TASKS", 2, 3) : SIZE_MAX;
  if (merged) {
    Track proc;
    proc.uuid = next_uuid++;
    proc.name = src.name;
    if (m.tables.pid) proc.name += " (pid " + std::to_string(m.tables.pid) + ")";
    proc.pid = pid;
    proc.cmdline = m.tables.argv;
    proc.explicit_children = true;
    for (Track& t : tracks) t.parent = proc.uuid;
    tracks.insert(tracks.begin(), proc);
    stats_g++, rows_g++;
    if (has_tasks) tasks_g++;
  }
  const uint64_t stats_uuid = tracks[stats_g].uuid, rows_uuid = tracks[rows_g].uuid;
  const uint64_t tasks_uuid = has_tasks ? tracks[tasks_g].uuid : 0;
  for (size_t r = 1; r < row_uuid.size(); r++) {
    Track t;
    t.uuid = row_uuid[r];
    t.parent = rows_uuid;
    t.name = rows.rows[r - 1].name;
    t.rank = rows.rows[r - 1].sort;
    tracks.push_back(std::move(t));
  }
  int64_t rank = 0;
  for (uint32_t c = 0; c < kCounters; c++) {
    for (const std::string& key : m.counters[c].keys) {
      Track t;
      t.uuid = next_uuid++;
      t.parent = stats_uuid;
      t.name = m.counters[c].name + " " + key;
      t.rank = rank++;
      t.counter = true;
      t.bytes_unit = c == kHeap;
      counter_uuid[c].push_back(t.uuid);
      tracks.push_back(std::move(t));
    }
  }
  std::unordered_map<uint64_t, uint32_t> task_index;
  for (uint32_t i = 0; i < m.tasks.size(); i++) {
    task_index.emplace(m.tasks[i].id, i);
    Track t;
    t.uuid = next_uuid++;
    t.parent = tasks_uuid;
    std::string_view n = m.str(m.tasks[i].name);
    t.name = n.empty() ? "task " + std::to_string(m.tasks[i].id) : std::string(n);
    t.rank = i;
    t.explicit_children = true;
    task_uuid.push_back(t.uuid);
    tracks.push_back(std::move(t));
  }
  // Regions: one track per (task, fiber), where the fiber's regions nest.
  std::unordered_map<uint64_t, uint64_t> region_track;  // task index + 1 << 32 | fiber
  for (const Region& r : m.regions) {
    if (!rows.fiber_shown(r.fiber)) {
      region_uuid.push_back(0);
      continue;
    }
    auto ti = task_index.find(r.task);
    uint64_t key = uint64_t(ti == task_index.end() ? 0 : ti->second + 1) << 32 | r.fiber;
    auto [it, fresh] = region_track.try_emplace(key, 0);
    if (fresh) {
      Track t;
      t.uuid = it->second = next_uuid++;
      t.parent = ti == task_index.end() ? tasks_uuid : task_uuid[ti->second];
      t.name = std::string(m.fiber_label(r.fiber)) + " regions";
      t.rank = int64_t(region_track.size());
      tracks.push_back(std::move(t));
    }
    region_uuid.push_back(it->second);
  }
  descriptors();

  std::vector<Async> asyncs;
  auto add_async = [&](Ns t0, Ns t1, bool region, uint32_t depth, uint32_t i) {
    asyncs.push_back({t0, 2, region, depth, i});
    asyncs.push_back({t1, uint8_t(t1 > t0 ? 1 : 4), region, depth, i});
  };
  for (uint32_t i = 0; i < m.tasks.size(); i++)
    add_async(m.tasks[i].t0, m.tasks[i].t1, false, 0, i);
  for (uint32_t i = 0; i < m.regions.size(); i++)
    if (region_uuid[i]) add_async(m.regions[i].t0, m.regions[i].t1, true, m.regions[i].depth, i);
  std::stable_sort(asyncs.begin(), asyncs.end(), [](const Async& a, const Async& b) {
    if (a.t != b.t) return a.t < b.t;
    if (a.phase != b.phase) return a.phase < b.phase;
    return a.phase != 2 && a.depth > b.depth;
  });
  auto async = [&](const Async& a) {
    uint64_t track = a.region ? region_uuid[a.index] : task_uuid[a.index];
    bool begin = a.phase == 2;
    std::string_view n;
    if (begin) n = m.str(a.region ? m.regions[a.index].name : m.tasks[a.index].name);
    if (begin && n.empty()) n = a.region ? "region" : "task";
    size_t pk = packet(a.t, true);
    size_t te =
        event(begin ? pf::event::kSliceBegin : pf::event::kSliceEnd, track, begin ? name(n) : 0);
    if (begin && a.region) {
      ann_u(kG, m.fibers[m.regions[a.index].fiber].id);
      ann_u(kTask, m.regions[a.index].task);
    } else if (begin) {
      ann_u(kTask, m.tasks[a.index].id);
      ann_u(kParent, m.tasks[a.index].parent);
    }
    close_event(te, a.t);
    end_packet(pk);
  };

  // The merge. Ends wait in a heap keyed like the streams.
  using End = std::tuple<Ns, uint8_t, uint32_t>;  // t1, phase, slice
  std::priority_queue<End, std::vector<End>, std::greater<End>> ends;
  size_t si = 0, fi = 0, ii = 0, ai = 0, li = 0;
  size_t total = m.slices.size() + 1, step = std::max<size_t>(total / 100, 1 << 16);
  for (;;) {
    while (si < m.slices.size() && !rows.slice(m.slices[si])) si++;
    while (fi < m.flows.size() && !rows.flow(m, m.flows[fi])) fi++;
    while (ii < m.instants.size() && !rows.instant(m.instants[ii])) ii++;
    while (li < m.logs.size() && !rows.log(m.logs[li])) li++;
    std::pair<Ns, uint8_t> best{UINT64_MAX, 255};
    int which = -1;
    auto consider = [&](int k, bool has, auto key) {
      if (has && key() < best) best = key(), which = k;
    };
    consider(0, si < m.slices.size(), [&] { return std::pair<Ns, uint8_t>(m.slices[si].t0, 2); });
    consider(1, !ends.empty(), [&] {
      return std::pair<Ns, uint8_t>(std::get<0>(ends.top()), std::get<1>(ends.top()));
    });
    consider(2, fi < m.flows.size(), [&] {
      const Flow& f = m.flows[fi];
      return std::pair<Ns, uint8_t>(f.t_from, m.slices[f.from_slice].t0 < f.t_from ? 0 : 3);
    });
    for (uint32_t c = 0; c < kCounters; c++)
      consider(3 + int(c), ci[c] < m.counters[c].t.size(),
               [&] { return std::pair<Ns, uint8_t>(m.counters[c].t[ci[c]], 3); });
    consider(6, ii < m.instants.size(),
             [&] { return std::pair<Ns, uint8_t>(m.instants[ii].t, 3); });
    consider(7, ai < asyncs.size(),
             [&] { return std::pair<Ns, uint8_t>(asyncs[ai].t, asyncs[ai].phase); });
    consider(8, li < m.logs.size(), [&] { return std::pair<Ns, uint8_t>(m.logs[li].t, 3); });
    if (which < 0) break;
    switch (which) {
      case 0: {
        const Slice& s = m.slices[si];
        slice_begin(uint32_t(si));
        ends.emplace(s.t1, s.t1 > s.t0 ? 1 : 4, uint32_t(si));
        if (++si % step == 0 && o.progress) o.progress(double(si) / double(total));
        break;
      }
      case 1: {
        uint32_t s = std::get<2>(ends.top());
        ends.pop();
        slice_end(s);
        break;
      }
      case 2:
        flow_source(uint32_t(fi++));
        break;
      case 3:
      case 4:
      case 5:
        counter(uint32_t(which - 3), ci[which - 3]++);
        break;
      case 6:
        instant(m.instants[ii++]);
        break;
      case 7:
        async(asyncs[ai++]);
        break;
      case 8:
        log(m.logs[li++]);
        break;
    }
  }
}

}  // namespace

Summary write_perfetto(std::span<const Source> traces, const Options& opt, Sink& sink) {
  Summary sum;
  PacketStream out(sink, opt.compress);
  uint64_t next_uuid = 1;
  bool merged = traces.size() > 1;
  std::vector<int64_t> pids;
  uint64_t flow_base = 0;
  for (size_t k = 0; k < traces.size(); k++) {
    const Model& m = *traces[k].model;
    Rows rows = make_rows(m, opt.view, opt.goid);
    // Perfetto merges process tracks with equal pids: a pid seen twice (or unknown) is
    // replaced by a made-up one above any real pid.
    int64_t pid = int64_t(m.tables.pid);
    if (pid <= 0 || pid > INT32_MAX || std::count(pids.begin(), pids.end(), pid))
      pid = int64_t(1) << 22 | int64_t(k + 1);  // pid_max is at most 2^22
    pids.push_back(pid);
    Seq s{out, m, rows, opt, uint32_t(k + 1), traces[k].offset, flow_base, sum, {}};
    s.run(next_uuid, traces[k], merged, pid);
    flow_base += m.flows.size();
  }
  out.finish();
  sum.packets = out.packets();
  sum.bytes = out.bytes();
  if (opt.progress) opt.progress(1.0);
  return sum;
}

std::vector<Source> timeline(std::span<const Model> models, std::span<const std::string> names,
                             bool align_zero) {
  uint64_t first = UINT64_MAX;
  for (const Model& m : models) first = std::min(first, m.tables.start_unix_ns);
  std::vector<Source> out;
  for (size_t i = 0; i < models.size(); i++)
    out.push_back({&models[i], i < names.size() ? names[i] : "trace " + std::to_string(i + 1),
                   align_zero ? 0 : models[i].tables.start_unix_ns - first});
  return out;
}

std::string perfetto_trace(const Model& m, const Options& opt) {
  StringSink s;
  Source src{&m, "trace", 0};
  write_perfetto(std::span<const Source>(&src, 1), opt, s);
  return std::move(s.str());
}

}  // namespace ft::exporter::perfetto
