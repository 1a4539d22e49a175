// The timeline's endpoints: the time-window query (what to draw), and the details of what was
// clicked (a slice, a counter at a moment, a fiber).
#include <algorithm>
#include <unordered_map>

#include "api.hpp"
#include "api_util.hpp"

namespace ft::server {

using namespace exporter;
using namespace detail;

namespace {

// Bounds on one window request, so that no request costs more than a stated budget
// (docs/viewer.md): a track yields at most about 2 items per pixel (exporter/window.hpp), so
// tracks x width bounds the answer. The viewer asks for at most a few hundred rows and
// narrows its padding to stay under kMaxCells (web/js/trace/window-data.js).
constexpr uint64_t kMaxWidth = 20000;
constexpr uint64_t kMaxCells = 2'000'000;  // tracks x width

std::vector<TrackRef> parse_tracks(const std::string& list) {
  std::vector<TrackRef> out;
  std::string_view rest = list;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view id = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (id.empty()) continue;
    auto t = parse_track(id);
    if (!t) throw BadRequest("bad track id '" + std::string(id) + "'");
    out.push_back(*t);
    if (out.size() > kMaxCells) throw BadRequest("too many tracks");
  }
  // A row asked for twice would be computed and sent twice: refuse it, it is a client bug.
  std::vector<TrackRef> sorted = out;
  auto key = [](TrackRef t) { return std::pair(uint8_t(t.kind), t.index); };
  std::sort(sorted.begin(), sorted.end(), [&](TrackRef a, TrackRef b) { return key(a) < key(b); });
  auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  if (dup != sorted.end()) throw BadRequest("track '" + track_id(*dup) + "' is listed twice");
  return out;
}

// The row a slice sits on in a view of the given kind.
std::optional<TrackRef> slice_track(const Model& m, uint32_t s, TrackKind kind) {
  const Slice& sl = m.slices[s];
  switch (kind) {
    case TrackKind::Proc:
      if (sl.proc == kNone) return std::nullopt;
      return TrackRef{kind, sl.proc};
    case TrackKind::Thread:
      return TrackRef{kind, sl.thread};
    case TrackKind::Fiber:
      return TrackRef{kind, sl.fiber};
    case TrackKind::Counter:
      break;
  }
  return std::nullopt;
}

const char* flow_kind(const Flow& f) {
  return f.kind == FlowKind::Create ? "go" : "unblock";
}

// One end of an arrow, enough for the viewer to find and select the slice there.
void write_slice_ref(JsonWriter& w, const Model& m, uint32_t s) {
  const Slice& sl = m.slices[s];
  w.begin_object().kv("slice", s).kv("t0", sl.t0).kv("t1", sl.t1);
  w.key("fiber");
  write_fiber_ref(w, m, sl.fiber);
  w.key("proc");
  if (sl.proc == kNone)
    w.null();
  else
    w.value(sl.proc);
  w.kv("thread", sl.thread).end_object();
}

void write_flow(JsonWriter& w, const Model& m, uint32_t fi) {
  const Flow& f = m.flows[fi];
  w.begin_object().kv("id", fi + 1).kv("kind", flow_kind(f));
  w.kv("name", f.kind == FlowKind::Create ? std::string_view("go") : reason_name(f.reason));
  if (f.kind == FlowKind::Unblock && f.obj != 0) {
    w.kv("chan", f.obj).kv("chanName", m.chan_name(f.obj));
  }
  w.kv("t", f.t_from);
  w.key("from");
  write_slice_ref(w, m, f.from_slice);
  w.key("to");
  write_slice_ref(w, m, f.to_slice);
  w.key("stack");
  write_stack(w, m, f.stack);
  w.end_object();
}

}  // namespace

Response Api::window(const Request& req) {
  auto it = req.query.find("tracks");
  if (it == req.query.end()) throw BadRequest("missing parameter 'tracks'");
  WindowQuery q;
  q.tracks = parse_tracks(it->second);
  q.t0 = param_u64(req, "t0");
  q.t1 = param_u64(req, "t1");
  uint64_t width = param_u64(req, "width");
  if (width == 0 || width > kMaxWidth)
    throw BadRequest("width must be 1.." + std::to_string(kMaxWidth));
  if (q.tracks.size() * width > kMaxCells)
    throw BadRequest("tracks x width must be at most " + std::to_string(kMaxCells) + " (asked " +
                     std::to_string(q.tracks.size()) + " x " + std::to_string(width) + ")");
  q.width_px = static_cast<uint32_t>(width);
  WindowResult res = query_window(m_, q);  // throws invalid_argument -> 400

  // Flows are attributed to rows of the view the request is about: the kind of its first
  // slice track (a request mixes counters with one kind of slice rows).
  TrackKind view = TrackKind::Counter;
  for (const auto& t : q.tracks)
    if (t.kind != TrackKind::Counter) {
      view = t.kind;
      break;
    }

  JsonWriter w;
  w.out().reserve(64 * 1024);
  w.begin_object().kv("t0", q.t0).kv("t1", q.t1).kv("nsPerPx", res.ns_per_px);
  std::vector<uint32_t> fibers;
  w.key("tracks").begin_array();
  for (const WinTrack& wt : res.tracks) {
    w.begin_object().kv("id", track_id(wt.track));
    if (wt.track.kind == TrackKind::Counter) {
      const Counter& c = m_.counters[wt.track.index];
      w.key("samples").begin_array();
      for (uint32_t s : wt.samples) {
        w.begin_array().value(c.t[s]);
        for (size_t k = 0; k < c.keys.size(); ++k) w.value(c.value(s, k));
        w.end_array();
      }
      w.end_array();
    } else {
      // [t0, t1, first slice, merged count, fiber index or -1]: arrays, not objects, because
      // a window can hold tens of thousands of items and is parsed on every pan.
      w.key("slices").begin_array();
      for (const WinSlice& s : wt.slices) {
        w.begin_array().value(s.t0).value(s.t1).value(s.slice).value(s.count);
        if (s.fiber == kNone) {
          w.value(-1);
        } else {
          w.value(s.fiber);
          fibers.push_back(s.fiber);
        }
        w.end_array();
      }
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();

  // Fiber index -> [runtime id, start-function id, label]: the label ("G7 pass") is the
  // model's, the function id picks the colour.
  std::sort(fibers.begin(), fibers.end());
  fibers.erase(std::unique(fibers.begin(), fibers.end()), fibers.end());
  w.key("fibers").begin_object();
  for (uint32_t f : fibers) {
    w.key(std::to_string(f)).begin_array().value(m_.fibers[f].id).value(m_.fibers[f].func);
    w.value(m_.fiber_label(f)).end_array();
  }
  w.end_object();

  // [id, "go"|"unblock", from track, t_from, to track, t_to, from slice, to slice, count]
  // Arrows that start in the same pixel of the same row and end in the same pixel of the same
  // row are drawn as one (the first, with count = how many it stands for): a zoomed-out
  // ping-pong trace has millions of flows and only a few thousand distinct arrows.
  bool want_flows = !opt_u64(req, "flows") || *opt_u64(req, "flows") != 0;
  w.key("flows").begin_array();
  if (want_flows) {
    struct Key {
      TrackRef from, to;
      uint64_t x0, x1;
      bool operator==(const Key&) const = default;
    };
    struct KeyHash {
      size_t operator()(const Key& k) const {
        size_t h = std::hash<uint64_t>()(k.x0 * 1000003u ^ k.x1);
        h ^= (size_t(k.from.index) << 8 | size_t(k.from.kind)) * 0x9e3779b97f4a7c15ull;
        return h ^ ((size_t(k.to.index) << 8 | size_t(k.to.kind)) * 0xc2b2ae3d27d4eb4full);
      }
    };
    std::unordered_map<Key, size_t, KeyHash> seen;
    struct Arrow {
      uint32_t flow;
      TrackRef from, to;
      uint64_t count;
    };
    std::vector<Arrow> arrows;
    double px = res.ns_per_px > 0 ? res.ns_per_px : 1;
    for (uint32_t fi : res.flows) {
      const Flow& f = m_.flows[fi];
      auto from = slice_track(m_, f.from_slice, view);
      auto to = slice_track(m_, f.to_slice, view);
      if (!from || !to) continue;
      Key k{*from, *to, static_cast<uint64_t>(f.t_from / px),
            static_cast<uint64_t>(m_.slices[f.to_slice].t0 / px)};
      auto [it, fresh] = seen.try_emplace(k, arrows.size());
      if (fresh)
        arrows.push_back({fi, *from, *to, 1});
      else
        ++arrows[it->second].count;
    }
    for (const Arrow& a : arrows) {
      const Flow& f = m_.flows[a.flow];
      w.begin_array().value(a.flow + 1).value(flow_kind(f)).value(track_id(a.from));
      w.value(f.t_from).value(track_id(a.to)).value(m_.slices[f.to_slice].t0);
      w.value(f.from_slice).value(f.to_slice).value(a.count).end_array();
    }
  }
  w.end_array();
  w.end_object();
  return json_response(w);
}

Response Api::slice(const Request& req) {
  uint64_t i = param_u64(req, "i");
  if (i >= m_.slices.size()) throw BadRequest("no slice " + std::to_string(i));
  const Slice& s = m_.slices[i];
  JsonWriter w;
  w.begin_object().kv("slice", i).kv("t0", s.t0).kv("t1", s.t1).kv("dur", s.t1 - s.t0);
  w.key("fiber");
  write_fiber_ref(w, m_, s.fiber);
  w.key("proc");
  if (s.proc == kNone)
    w.null();
  else
    w.begin_object().kv("index", s.proc).kv("number", m_.procs[s.proc]).end_object();
  w.kv("thread", s.thread);
  w.kv("end", slice_end_name(s.end, s.reason));
  w.key("startStack");
  write_stack(w, m_, s.start_stack);
  w.key("endStack");
  write_stack(w, m_, s.end_stack);
  w.key("flowIn");
  if (s.flow_in == kNone)
    w.null();
  else
    write_flow(w, m_, s.flow_in);
  // Flows out of this slice leave at times inside it, and flows are sorted by t_from.
  w.key("flowsOut").begin_array();
  auto first = std::lower_bound(m_.flows.begin(), m_.flows.end(), s.t0,
                                [](const Flow& f, Ns t) { return f.t_from < t; });
  for (auto f = first; f != m_.flows.end() && f->t_from <= s.t1; ++f) {
    if (f->from_slice == i) write_flow(w, m_, static_cast<uint32_t>(f - m_.flows.begin()));
  }
  w.end_array();
  w.end_object();
  return json_response(w);
}

Response Api::counter(const Request& req) {
  uint64_t c = param_u64(req, "c");
  uint64_t t = param_u64(req, "t");
  if (c >= kCounters) throw BadRequest("no counter " + std::to_string(c));
  const Counter& k = m_.counters[c];
  // The sample in effect at t: the last one at or before it (none before the first sample).
  auto it = std::upper_bound(k.t.begin(), k.t.end(), t);
  JsonWriter w;
  w.begin_object().kv("name", k.name).kv("t", t);
  if (it == k.t.begin()) {
    w.key("sampleT").null().key("values").null();
  } else {
    size_t s = static_cast<size_t>(it - k.t.begin()) - 1;
    w.kv("sampleT", k.t[s]).key("values").begin_object();
    for (size_t j = 0; j < k.keys.size(); ++j) w.kv(k.keys[j], k.value(s, j));
    w.end_object();
  }
  w.end_object();
  return json_response(w);
}

Response Api::fiber(const Request& req) {
  uint64_t id = param_u64(req, "id");
  uint32_t f = m_.fiber_index(id);
  if (f == kNone) throw BadRequest("no fiber with id " + std::to_string(id));
  const Fiber& fb = m_.fibers[f];
  JsonWriter w;
  w.begin_object().kv("index", f).kv("id", fb.id).kv("func", m_.fiber_func(f));
  w.kv("born", fb.born).kv("died", fb.died).kv("ended", fb.ended);
  w.kv("fromStatus", fb.from_status);
  w.key("creator");
  write_fiber_ref(w, m_, fb.creator);
  w.key("createStack");
  write_stack(w, m_, fb.create_stack);
  auto slices = track_slices(m_, {TrackKind::Fiber, f});
  w.kv("slices", slices.size());
  w.key("firstSlice");
  if (slices.empty())
    w.null();
  else
    w.value(slices.front());
  w.end_object();
  return json_response(w);
}

}  // namespace ft::server
