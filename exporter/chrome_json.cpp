// The Chrome JSON writer: a k-way merge, by time, of the model's already sorted streams
// (slices, flow sources, counter samples, instants, async task/region edges, logs), each event
// written straight into a JsonOut buffer. Stack frames are interned on first use and written
// after traceEvents, so only stacks that some event references appear.
#include "chrome_json.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "json_out.hpp"
#include "rows.hpp"

namespace ft::exporter {

using ft::trace::Block;

std::optional<View> parse_view(std::string_view s) {
  if (s == "proc") return View::Proc;
  if (s == "thread") return View::Thread;
  if (s == "goroutine") return View::Goroutine;
  return std::nullopt;
}

std::string_view view_name(View v) {
  switch (v) {
    case View::Proc:
      return "proc";
    case View::Thread:
      return "thread";
    case View::Goroutine:
      return "goroutine";
  }
  return "proc";
}

std::vector<uint32_t> related_fibers(const Model& m, uint64_t goid) {
  uint32_t f = m.fiber_index(goid);
  if (f == kNone) return {};
  std::vector<char> in(m.fibers.size());
  in[f] = 1;
  if (m.fibers[f].creator != kNone) in[m.fibers[f].creator] = 1;
  for (uint32_t i = 0; i < m.fibers.size(); i++)
    if (m.fibers[i].creator == f) in[i] = 1;
  for (const Flow& fl : m.flows) {
    uint32_t a = m.slices[fl.from_slice].fiber, b = m.slices[fl.to_slice].fiber;
    if (a == f) in[b] = 1;
    if (b == f) in[a] = 1;
  }
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < in.size(); i++)
    if (in[i]) out.push_back(i);
  return out;
}

namespace {

bool is_chan(Block r) {
  return r == Block::ChanSend || r == Block::ChanRecv || r == Block::Select;
}

struct Writer {
  const Model& m;
  const JsonOptions& o;
  JsonOut out;
  JsonSummary sum;
  bool first = true;
  Rows rows;  // the view's rows (exporter/rows.hpp); tid = row
  std::vector<uint32_t> stack_sf;
  std::unordered_map<std::string, uint32_t> frame_ids;
  std::vector<std::pair<std::string, uint32_t>> frames;  // id - 1 -> (name, parent id)

  Writer(const Model& model, const JsonOptions& opt, Sink& s) : m(model), o(opt), out(s) {
    stack_sf.assign(m.tables.stacks.size(), 0);
  }

  uint32_t slice_tid(const Slice& s) const { return rows.slice(s); }
  uint32_t instant_tid(const Instant& i) const { return rows.instant(i); }
  uint32_t log_tid(const Log& l) const { return rows.log(l); }
  bool flow_shown(const Flow& f) const { return rows.flow(m, f); }

  uint32_t sf(uint32_t stack) {
    if (stack == 0 || stack >= stack_sf.size()) return 0;
    if (stack_sf[stack]) return stack_sf[stack];
    uint32_t parent = 0;
    const auto& st = m.tables.stacks[stack];
    for (size_t i = st.size(); i-- > 0;) {  // outermost first: parents before children
      const auto& fr = st[i];
      std::string name = fr.func.empty() ? std::string("?") : fr.func;
      if (!fr.file.empty()) {
        size_t slash = fr.file.find_last_of('/');
        name += ' ';
        name += slash == std::string::npos ? fr.file : fr.file.substr(slash + 1);
        if (fr.line) name += ':' + std::to_string(fr.line);
      }
      std::string key = std::to_string(parent) + '\n' + name;
      auto [it, fresh] = frame_ids.try_emplace(std::move(key), uint32_t(frames.size() + 1));
      if (fresh) frames.push_back({name, parent});
      parent = it->second;
    }
    return stack_sf[stack] = parent;
  }

  // Opens an event object: {"name":<name>,"ph":"<ph>","ts":<t>,"pid":<pid>,"tid":<tid>
  void head(std::string_view name, char ph, Ns t, int pid, uint32_t tid) {
    out.raw(first ? "\n{\"name\":" : ",\n{\"name\":");
    first = false;
    out.str(name);
    out.raw(",\"ph\":\"");
    out.ch(ph);
    out.raw("\",\"ts\":");
    out.us(t);
    out.raw(",\"pid\":");
    out.num(pid);
    out.raw(",\"tid\":");
    out.num(tid);
    sum.events++;
  }

  void meta(std::string_view what, int pid, uint32_t tid, std::string_view name, int64_t sort) {
    head(what, 'M', 0, pid, tid);
    out.raw(",\"args\":{\"name\":");
    out.str(name);
    out.raw("}}");
    head(what == "process_name" ? "process_sort_index" : "thread_sort_index", 'M', 0, pid, tid);
    out.raw(",\"args\":{\"sort_index\":");
    out.num(sort);
    out.raw("}}");
  }

  void slice(uint32_t idx, uint32_t tid) {
    const Slice& s = m.slices[idx];
    out.raw(first ? "\n{\"name\":" : ",\n{\"name\":");
    first = false;
    out.str(m.fiber_label(s.fiber));
    out.raw(",\"ph\":\"X\",\"ts\":");
    out.us(s.t0);
    out.raw(",\"dur\":");
    out.dur(s.t0, s.t1);
    out.raw(",\"pid\":");
    out.num(kRowsPid);
    out.raw(",\"tid\":");
    out.num(tid);
    out.raw(",\"args\":{\"g\":");
    out.num(m.fibers[s.fiber].id);
    out.raw(",\"func\":");
    out.str(m.fiber_func(s.fiber));
    out.raw(",\"end\":");
    out.str(slice_end_name(s.end, s.reason));
    if (o.view != View::Proc && s.proc != kNone) {
      out.raw(",\"proc\":");
      out.num(m.procs[s.proc]);
    }
    out.ch('}');
    if (uint32_t a = sf(s.start_stack)) out.raw(",\"sf\":"), out.num(a);
    if (uint32_t b = sf(s.end_stack)) out.raw(",\"esf\":"), out.num(b);
    if (s.flow_in != kNone && flow_shown(m.flows[s.flow_in])) {
      out.raw(",\"bind_id\":");
      out.num(s.flow_in + 1);
      out.raw(",\"flow_in\":true");
      sum.flows++;
    }
    out.ch('}');
    sum.events++;
    sum.slices++;
  }

  void flow_source(uint32_t idx, uint32_t tid) {
    const Flow& f = m.flows[idx];
    const Slice& to = m.slices[f.to_slice];
    head(f.kind == FlowKind::Create ? std::string_view("go") : reason_name(f.reason), 'X', f.t_from,
         kRowsPid, tid);
    // "target", not "g": the classic viewer merges a flow's source and destination args and
    // warns (arg_merge_error) when both name the same key.
    out.raw(",\"dur\":0.000,\"args\":{\"target\":");
    out.num(m.fibers[to.fiber].id);
    if (f.kind == FlowKind::Unblock && f.obj != 0) {
      out.raw(is_chan(f.reason) ? ",\"chan\":" : ",\"obj\":");
      out.num(f.obj);
      if (is_chan(f.reason)) {
        std::string_view n = m.chan_name(f.obj);
        if (!n.empty()) out.raw(",\"chan_name\":"), out.str(n);
      }
    }
    out.ch('}');
    if (uint32_t a = sf(f.stack)) out.raw(",\"sf\":"), out.num(a);
    out.raw(",\"bind_id\":");
    out.num(idx + 1);
    out.raw(",\"flow_out\":true}");
  }

  void counter(uint32_t c, size_t i) {
    const Counter& k = m.counters[c];
    head(k.name, 'C', k.t[i], kStatsPid, 1);
    out.raw(",\"cat\":\"stats\",\"args\":{");
    for (size_t j = 0; j < k.keys.size(); j++) {
      if (j) out.ch(',');
      out.str(k.keys[j]);
      out.ch(':');
      out.num(k.value(i, j));
    }
    out.raw("}}");
  }

  void instant(const Instant& i, uint32_t tid) {
    head(instant_name(i.kind), 'i', i.t, kRowsPid, tid);
    out.raw(",\"s\":\"t\"");
    if (i.kind == InstantKind::ProcStart || i.kind == InstantKind::ProcStop) {
      out.raw(",\"args\":{\"proc\":");
      out.num(i.proc != kNone ? m.procs[i.proc] : 0);
      out.raw(",\"thread\":");
      out.num(i.thread);
      out.ch('}');
    } else if (i.fiber != kNone) {
      out.raw(",\"args\":{\"g\":");
      out.num(m.fibers[i.fiber].id);
      out.ch('}');
    }
    if (uint32_t a = sf(i.stack)) out.raw(",\"sf\":"), out.num(a);
    out.ch('}');
  }

  void log(const Log& l, uint32_t tid) {
    std::string_view cat = m.str(l.category);
    head(cat.empty() ? std::string_view("log") : cat, 'i', l.t, kRowsPid, tid);
    out.raw(",\"s\":\"t\",\"args\":{\"message\":");
    out.str(m.str(l.message));
    out.raw(",\"category\":");
    out.str(cat);
    out.raw(",\"task\":");
    out.num(l.task);
    if (l.fiber != kNone) out.raw(",\"g\":"), out.num(m.fibers[l.fiber].id);
    out.raw("}}");
  }

  struct Async {
    Ns t;
    bool end;
    bool region;
    uint32_t index;
  };

  void async(const Async& a) {
    uint64_t id;
    std::string_view name;
    if (a.region) {
      const Region& r = m.regions[a.index];
      id = m.tasks.size() + a.index + 1;
      name = m.str(r.name);
    } else {
      id = a.index + 1;
      name = m.str(m.tasks[a.index].name);
    }
    head(name.empty() ? std::string_view(a.region ? "region" : "task") : name, a.end ? 'e' : 'b',
         a.t, kTasksPid, 1);
    out.raw(a.region ? ",\"cat\":\"region\"" : ",\"cat\":\"task\"");
    out.raw(",\"id2\":{\"local\":\"0x");
    char hex[17];
    auto r = std::to_chars(hex, hex + 17, id, 16);
    out.raw({hex, size_t(r.ptr - hex)});
    out.raw("\"}");
    if (!a.end) {
      if (a.region) {
        const Region& rg = m.regions[a.index];
        out.raw(",\"args\":{\"g\":");
        out.num(m.fibers[rg.fiber].id);
        out.raw(",\"task\":");
        out.num(rg.task);
        out.ch('}');
      } else {
        out.raw(",\"args\":{\"task\":");
        out.num(m.tasks[a.index].id);
        out.raw(",\"parent\":");
        out.num(m.tasks[a.index].parent);
        out.ch('}');
      }
    }
    out.ch('}');
  }

  void run();
};

// The model's sorted streams the writer merges by time, in tie-break order. The counter
// streams are one per CounterId, in CounterId order.
enum class Stream : uint8_t {
  Slices,
  FlowSources,
  Goroutines,  // counters: Stream(Goroutines + CounterId)
  Threads,
  Heap,
  Instants,
  Asyncs,  // task and region begin/end edges
  Logs,
};
constexpr uint8_t kStreams = uint8_t(Stream::Logs) + 1;
static_assert(uint8_t(Stream::Threads) - uint8_t(Stream::Goroutines) == kThreads &&
                  uint8_t(Stream::Heap) - uint8_t(Stream::Goroutines) == kHeap &&
                  uint8_t(Stream::Instants) - uint8_t(Stream::Goroutines) == kCounters,
              "one counter stream per CounterId, in its order");

// A cursor per stream; skip_hidden() steps over what the view does not show.
struct Merge {
  Writer& w;
  const std::vector<Writer::Async>& asyncs;
  size_t pos[kStreams] = {};

  static bool is_counter(Stream s) {
    return s >= Stream::Goroutines && s < Stream(uint8_t(Stream::Goroutines) + kCounters);
  }
  static uint32_t counter_of(Stream s) { return uint8_t(s) - uint8_t(Stream::Goroutines); }
  size_t& at(Stream s) { return pos[uint8_t(s)]; }

  size_t size(Stream s) const {
    const Model& m = w.m;
    if (is_counter(s)) return m.counters[counter_of(s)].t.size();
    switch (s) {
      case Stream::Slices:
        return m.slices.size();
      case Stream::FlowSources:
        return m.flows.size();
      case Stream::Instants:
        return m.instants.size();
      case Stream::Asyncs:
        return asyncs.size();
      case Stream::Logs:
        return m.logs.size();
      default:
        return 0;
    }
  }
  bool has(Stream s) const { return pos[uint8_t(s)] < size(s); }

  Ns time(Stream s) const {
    const Model& m = w.m;
    size_t i = pos[uint8_t(s)];
    if (is_counter(s)) return m.counters[counter_of(s)].t[i];
    switch (s) {
      case Stream::Slices:
        return m.slices[i].t0;
      case Stream::FlowSources:
        return m.flows[i].t_from;
      case Stream::Instants:
        return m.instants[i].t;
      case Stream::Asyncs:
        return asyncs[i].t;
      case Stream::Logs:
        return m.logs[i].t;
      default:
        return UINT64_MAX;
    }
  }

  void skip_hidden() {
    const Model& m = w.m;
    size_t &si = at(Stream::Slices), &fi = at(Stream::FlowSources);
    size_t &ii = at(Stream::Instants), &li = at(Stream::Logs);
    while (si < m.slices.size() && !w.slice_tid(m.slices[si])) si++;
    while (fi < m.flows.size() && !w.flow_shown(m.flows[fi])) fi++;
    while (ii < m.instants.size() && !w.instant_tid(m.instants[ii])) ii++;
    while (li < m.logs.size() && !w.log_tid(m.logs[li])) li++;
  }

  void emit(Stream s) {
    const Model& m = w.m;
    size_t i = at(s)++;
    if (is_counter(s)) return w.counter(counter_of(s), i);
    switch (s) {
      case Stream::Slices:
        return w.slice(uint32_t(i), w.slice_tid(m.slices[i]));
      case Stream::FlowSources:
        return w.flow_source(uint32_t(i), w.slice_tid(m.slices[m.flows[i].from_slice]));
      case Stream::Instants:
        return w.instant(m.instants[i], w.instant_tid(m.instants[i]));
      case Stream::Asyncs:
        return w.async(asyncs[i]);
      case Stream::Logs:
        return w.log(m.logs[i], w.log_tid(m.logs[i]));
      default:
        return;
    }
  }
};

void Writer::run() {
  rows = make_rows(m, o.view, o.goid);

  out.raw("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
  meta("process_name", kStatsPid, 1, "STATS", 0);
  static constexpr std::string_view rows_name[] = {"PROCS", "THREADS", "GOROUTINES"};
  meta("process_name", kRowsPid, 1, rows_name[int(o.view)], 1);
  for (uint32_t r = 0; r < rows.rows.size(); r++)
    meta("thread_name", kRowsPid, r + 1, rows.rows[r].name, rows.rows[r].sort);

  std::vector<Async> asyncs;
  for (uint32_t i = 0; i < m.tasks.size(); i++) {
    asyncs.push_back({m.tasks[i].t0, false, false, i});
    asyncs.push_back({m.tasks[i].t1, true, false, i});
  }
  for (uint32_t i = 0; i < m.regions.size(); i++) {
    if (!rows.fiber_shown(m.regions[i].fiber)) continue;
    asyncs.push_back({m.regions[i].t0, false, true, i});
    asyncs.push_back({m.regions[i].t1, true, true, i});
  }
  // Stable: an object's begin stays before its end when both fall on the same ns.
  std::stable_sort(asyncs.begin(), asyncs.end(),
                   [](const Async& a, const Async& b) { return a.t < b.t; });
  if (!asyncs.empty()) meta("process_name", kTasksPid, 1, "TASKS", 2);

  Merge mg{*this, asyncs};
  size_t total = m.slices.size() + 1, step = std::max<size_t>(total / 100, 1 << 16);
  for (;;) {
    mg.skip_hidden();
    Ns best = UINT64_MAX;
    std::optional<Stream> which;
    // Ties go to the stream listed first: a slice precedes the flow sources inside it.
    for (uint8_t k = 0; k < kStreams; k++) {
      Stream st = Stream(k);
      if (mg.has(st) && mg.time(st) < best) best = mg.time(st), which = st;
    }
    if (!which) break;
    mg.emit(*which);
    if (*which == Stream::Slices && mg.at(Stream::Slices) % step == 0 && o.progress)
      o.progress(double(mg.at(Stream::Slices)) / double(total));
  }

  out.raw("\n],\n\"stackFrames\":{");
  for (size_t i = 0; i < frames.size(); i++) {
    out.raw(i ? ",\n\"" : "\n\"");
    out.num(i + 1);
    out.raw("\":{\"name\":");
    out.str(frames[i].first);
    if (frames[i].second) out.raw(",\"parent\":"), out.num(frames[i].second);
    out.ch('}');
  }
  // The same object twice: the classic viewer and Chrome keep otherData, Perfetto keeps only
  // metadata.
  for (std::string_view key : {"otherData", "metadata"}) {
    out.raw(key == "otherData" ? "},\n\"" : ",\n\"");
    out.raw(key);
    out.raw("\":{\"producer\":\"fibertrace\",\"view\":");
    out.str(view_name(o.view));
    out.raw(",\"trace_version\":");
    out.num(m.tables.version);
    out.raw(",\"start_unix_ns\":");
    out.num(m.tables.start_unix_ns);
    out.raw(",\"complete\":");
    out.raw(m.read.ok ? "true" : "false");
    out.ch('}');
  }
  out.raw("}\n");
  out.flush();
  sum.bytes = out.written();
  if (o.progress) o.progress(1.0);
}

}  // namespace

JsonSummary write_chrome_json(const Model& m, const JsonOptions& opt, Sink& s) {
  Writer w(m, opt, s);
  w.run();
  return w.sum;
}

std::string chrome_json(const Model& m, const JsonOptions& opt) {
  StringSink s;
  write_chrome_json(m, opt, s);
  return std::move(s.str());
}

}  // namespace ft::exporter
