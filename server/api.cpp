// Routing, caching and the trace-wide endpoints (meta, tracks) of the viewer's API.
#include "api.hpp"

#include <algorithm>
#include <charconv>

#include "api_util.hpp"
#include "assets.hpp"
#include "exporter/chrome_json.hpp"

namespace ft::server {

using namespace exporter;
using detail::json_response;

namespace detail {

std::optional<TrackRef> parse_track(std::string_view id) {
  if (id.size() < 2) return std::nullopt;
  TrackRef t;
  switch (id[0]) {
    case 'c':
      t.kind = TrackKind::Counter;
      break;
    case 'p':
      t.kind = TrackKind::Proc;
      break;
    case 't':
      t.kind = TrackKind::Thread;
      break;
    case 'g':
      t.kind = TrackKind::Fiber;
      break;
    default:
      return std::nullopt;
  }
  auto r = std::from_chars(id.data() + 1, id.data() + id.size(), t.index);
  if (r.ec != std::errc() || r.ptr != id.data() + id.size()) return std::nullopt;
  return t;
}

std::string track_id(TrackRef t) {
  const char* p = t.kind == TrackKind::Counter  ? "c"
                  : t.kind == TrackKind::Proc   ? "p"
                  : t.kind == TrackKind::Thread ? "t"
                                                : "g";
  return p + std::to_string(t.index);
}

std::optional<uint64_t> opt_u64(const Request& r, const std::string& name) {
  auto it = r.query.find(name);
  if (it == r.query.end() || it->second.empty()) return std::nullopt;
  uint64_t v = 0;
  const std::string& s = it->second;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (res.ec != std::errc() || res.ptr != s.data() + s.size())
    throw BadRequest("parameter '" + name + "' must be an unsigned integer");
  return v;
}

ViewQuery view_query(const Request& r, const exporter::Model& m) {
  auto it = r.query.find("view");
  ViewQuery q;
  q.name = it == r.query.end() || it->second.empty() ? "proc" : it->second;
  auto v = exporter::parse_view(q.name);
  if (!v) throw BadRequest("view must be proc, thread or goroutine");
  q.view = *v;
  q.goid = opt_u64(r, "goid");
  if (q.goid && q.view != exporter::View::Goroutine) throw BadRequest("goid needs view=goroutine");
  if (q.goid && m.fiber_index(*q.goid) == exporter::kNone)
    throw BadRequest("no fiber with id " + std::to_string(*q.goid));
  return q;
}

uint64_t param_u64(const Request& r, const std::string& name) {
  auto v = opt_u64(r, name);
  if (!v) throw BadRequest("missing parameter '" + name + "'");
  return *v;
}

void write_stack(JsonWriter& w, const Model& m, uint32_t stack) {
  w.begin_array();
  if (stack != 0 && stack < m.tables.stacks.size()) {
    for (const auto& f : m.tables.stacks[stack]) {
      w.begin_object().kv("func", f.func).kv("file", f.file).kv("line", f.line).end_object();
    }
  }
  w.end_array();
}

void write_fiber_ref(JsonWriter& w, const Model& m, uint32_t fiber) {
  if (fiber >= m.fibers.size()) {
    w.null();
    return;
  }
  w.begin_object()
      .kv("index", fiber)
      .kv("id", m.fibers[fiber].id)
      .kv("func", m.fiber_func(fiber))
      .kv("label", m.fiber_label(fiber))
      .end_object();
}

Response json_response(JsonWriter& w) {
  return Response::json(w.take());
}

}  // namespace detail

Api::Api(const Model& model, ApiOptions opt) : m_(model), opt_(std::move(opt)) {}

Response Api::handle(const Request& req) {
  std::string_view p = req.path;
  if (!p.starts_with("/api/")) return serve_static(req);
  p.remove_prefix(5);
  using Fn = Response (Api::*)(const Request&);
  static const std::pair<std::string_view, Fn> routes[] = {
      {"meta", &Api::meta},
      {"tracks", &Api::tracks},
      {"window", &Api::window},
      {"slice", &Api::slice},
      {"counter", &Api::counter},
      {"fiber", &Api::fiber},
      {"trace.json", &Api::trace_json},
      {"trace.pftrace", &Api::trace_pftrace},
      {"goroutines", &Api::goroutines},
      {"profile", &Api::profile},
      {"pprof", &Api::pprof},
      {"tasks", &Api::tasks},
  };
  for (const auto& [name, fn] : routes) {
    if (p != name) continue;
    try {
      return (this->*fn)(req);
    } catch (const BadRequest& e) {
      return Response::text(400, std::string(e.what()) + "\n");
    } catch (const std::invalid_argument& e) {
      return Response::text(400, std::string(e.what()) + "\n");
    }
  }
  return Response::text(404, "Not Found\n");
}

Response Api::cached(const std::string& key, const std::function<Response()>& make) {
  CacheEntry* e;
  {
    std::lock_guard lock(cache_mu_);
    auto& slot = cache_[key];
    if (!slot) slot = std::make_unique<CacheEntry>();
    e = slot.get();
  }
  // Concurrent first requests for one key wait for a single computation; if it throws, the
  // next request tries again (std::call_once semantics).
  std::call_once(e->once, [&] { e->response = make(); });
  return e->response;
}

void Api::warm_up() {
  Request r;
  r.method = "GET";
  r.path = "/api/tracks";
  tracks(r);
  r.path = "/api/meta";
  meta(r);
}

Response Api::meta(const Request&) {
  return cached("meta", [this] {
    JsonWriter w;
    w.begin_object();
    w.kv("file", opt_.file_name).kv("bytes", m_.read.bytes).kv("events", m_.events);
    w.kv("end", m_.end).kv("ok", m_.read.ok).kv("error", m_.read.error);
    w.key("procs").begin_array();
    for (uint32_t p : m_.procs) w.value(p);
    w.end_array();
    w.kv("threads", m_.threads).kv("fibers", m_.fibers.size()).kv("slices", m_.slices.size());
    w.kv("flows", m_.flows.size()).kv("tasks", m_.tasks.size());
    w.kv("regions", m_.regions.size()).kv("logs", m_.logs.size());
    w.kv("traces", std::max<size_t>(opt_.merged.size(), 1));
    w.key("funcs").begin_array();
    for (const auto& f : m_.tables.funcs) w.value(f);
    w.end_array();
    w.end_object();
    return json_response(w);
  });
}

namespace {

// Counters in Go's order: Goroutines, Heap, Threads.
constexpr CounterId kCounterOrder[] = {kGoroutines, kHeap, kThreads};

void write_counter_tracks(JsonWriter& w, const Model& m) {
  w.begin_object().kv("name", "STATS").key("tracks").begin_array();
  for (CounterId c : kCounterOrder) {
    const Counter& k = m.counters[c];
    // The y scale is the largest stacked sum over the whole trace, so a row keeps its scale
    // while the user pans and zooms.
    int64_t max = 0;
    for (size_t i = 0; i < k.t.size(); ++i) {
      int64_t sum = 0;
      for (size_t j = 0; j < k.keys.size(); ++j) sum += k.value(i, j);
      max = std::max(max, sum);
    }
    w.begin_object().kv("id", detail::track_id({TrackKind::Counter, c})).kv("name", k.name);
    w.kv("kind", "counter").kv("max", max).kv("samples", k.t.size());
    w.key("keys").begin_array();
    for (const auto& key : k.keys) w.value(key);
    w.end_array().end_object();
  }
  w.end_array().end_object();
}

void write_slice_track(JsonWriter& w, const Model& m, TrackRef t, std::string_view name) {
  w.begin_object().kv("id", detail::track_id(t)).kv("name", name).kv("kind", "slices");
  if (t.kind == TrackKind::Fiber) w.kv("goid", m.fibers[t.index].id);
  w.kv("slices", exporter::track_slices(m, t).size()).end_object();
}

}  // namespace

Response Api::tracks(const Request& req) {
  auto vit = req.query.find("view");
  std::string view = vit == req.query.end() || vit->second.empty() ? "proc" : vit->second;
  auto v = parse_view(view);
  if (!v) throw BadRequest("view must be proc, thread or goroutine");
  auto goid = detail::opt_u64(req, "goid");
  std::string key = "tracks:" + view + ":" + (goid ? std::to_string(*goid) : "");
  auto make = [&] {
    JsonWriter w;
    w.begin_object().kv("view", view_name(*v));
    if (goid) w.kv("goid", *goid);
    w.key("groups").begin_array();
    write_counter_tracks(w, m_);
    if (*v == View::Proc) {
      w.begin_object().kv("name", "PROCS").key("tracks").begin_array();
      for (uint32_t i = 0; i < m_.procs.size(); ++i)
        write_slice_track(w, m_, {TrackKind::Proc, i}, m_.proc_label(i));
      w.end_array().end_object();
    } else if (*v == View::Thread) {
      w.begin_object().kv("name", "THREADS").key("tracks").begin_array();
      for (uint32_t i = 0; i < m_.threads; ++i)
        write_slice_track(w, m_, {TrackKind::Thread, i}, m_.thread_label(i));
      w.end_array().end_object();
    } else {
      std::vector<uint32_t> fibers;
      if (goid) {
        fibers = related_fibers(m_, *goid);
        if (fibers.empty()) throw BadRequest("no fiber with id " + std::to_string(*goid));
        // The focus first, then the others by id, as the chapter's goroutine view lists them.
        uint32_t focus = m_.fiber_index(*goid);
        std::sort(fibers.begin(), fibers.end(), [&](uint32_t a, uint32_t b) {
          if ((a == focus) != (b == focus)) return a == focus;
          return m_.fibers[a].id < m_.fibers[b].id;
        });
      } else {
        fibers.reserve(m_.fiber_by_id.size());
        for (const auto& [id, index] : m_.fiber_by_id) fibers.push_back(index);
      }
      w.begin_object().kv("name", "GOROUTINES").key("tracks").begin_array();
      for (uint32_t f : fibers) write_slice_track(w, m_, {TrackKind::Fiber, f}, m_.fiber_label(f));
      w.end_array().end_object();
    }
    w.end_array().end_object();
    return json_response(w);
  };
  // A focused view is cheap and keyed by any id a client sends: not worth a cache slot.
  return goid ? make() : cached(key, make);
}

}  // namespace ft::server
