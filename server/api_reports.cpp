// The report endpoints: the full Chrome JSON, the goroutine analysis, blocking profiles (as
// stack lists for the flame graph, and as pprof files), and user tasks and regions. Each reads
// the exporter's analyses; trace-wide answers are computed once and cached.
#include <algorithm>
#include <map>

#include "api.hpp"
#include "api_util.hpp"
#include "exporter/analysis.hpp"
#include "exporter/chrome_json.hpp"
#include "exporter/pprof.hpp"
#include "exporter/sink.hpp"

namespace ft::server {

using namespace exporter;
using namespace detail;

namespace {

std::string base_name(const std::string& file) {
  std::string b = file.substr(file.find_last_of('/') + 1);
  size_t dot = b.find_last_of('.');
  if (dot != std::string::npos && dot > 0) b.resize(dot);
  // Only characters that need no quoting in a Content-Disposition filename.
  for (char& c : b)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return b.empty() ? "trace" : b;
}

ProfileKind profile_param(const Request& req) {
  auto it = req.query.find("kind");
  auto k = parse_profile(it == req.query.end() ? "" : it->second);
  if (!k) throw BadRequest("kind must be sync, syscall, sched, io or sleep");
  return *k;
}

// Column order of the per-fiber table: the block reasons worth a column of their own.
constexpr ft::trace::Block kBlockColumns[] = {
    ft::trace::Block::ChanRecv,  ft::trace::Block::ChanSend, ft::trace::Block::Select,
    ft::trace::Block::Sleep,     ft::trace::Block::Mutex,    ft::trace::Block::Cond,
    ft::trace::Block::WaitGroup, ft::trace::Block::Syscall,  ft::trace::Block::IO,
    ft::trace::Block::Forever,
};

// A Sink over a streamed response: a gone client ends the writer at once (by throwing, which
// the server's producer thread expects) instead of letting it format the rest for nobody.
class StreamSink final : public Sink {
 public:
  explicit StreamSink(const std::function<bool(std::string_view)>& write) : write_(write) {}
  void write(std::string_view b) override {
    if (!write_(b)) throw std::runtime_error("client gone");
  }

 private:
  const std::function<bool(std::string_view)>& write_;
};

}  // namespace

Response Api::trace_json(const Request& req) {
  const detail::ViewQuery q = detail::view_query(req, m_);
  JsonOptions o;
  o.view = q.view;
  o.goid = q.goid;
  // Browsers always accept gzip: the compressed document of a whole view (about a tenth of the
  // JSON: a 6M-event trace is 1.4 GB of JSON and 100 MB gzipped) is built once and shared by
  // every such request, however slowly each reads. Everything else (a client refusing gzip, a
  // focused view keyed by any id a client sends) is streamed from the model as it is sent:
  // its memory is the server's stream buffer, not the document.
  Response r;
  if (req.accepts_gzip && !q.goid) {
    r = cached("trace.json.gz:" + q.name, [&] {
      StringSink packed;  // compressed as written: the plain document is never held whole
      GzipSink zip(packed, 1);
      write_chrome_json(m_, o, zip);
      zip.finish();
      Response z = Response::json("");
      z.gzip_body = std::make_shared<const std::string>(std::move(packed.str()));
      z.body = z.gzip_body;  // only gzip-accepting clients get this entry
      return z;
    });
  } else {
    r.content_type = "application/json";
    bool gz = req.accepts_gzip;
    if (gz) r.headers.emplace_back("Content-Encoding", "gzip");
    r.headers.emplace_back("Vary", "Accept-Encoding");
    r.stream = [this, o, gz](const std::function<bool(std::string_view)>& write) {
      StreamSink out(write);
      if (gz) {
        GzipSink z(out, 1);
        write_chrome_json(m_, o, z);
        z.finish();
      } else {
        write_chrome_json(m_, o, out);
        out.finish();
      }
    };
  }
  r.cache_control = "no-cache";
  auto d = req.query.find("download");
  if (d != req.query.end() && d->second != "0") {
    std::string name = base_name(opt_.file_name);
    if (q.view != View::Proc) name += "-" + q.name;
    if (q.goid) name += "-g" + std::to_string(*q.goid);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + ".json\"");
  }
  return r;
}

Response Api::goroutines(const Request& req) {
  auto func = opt_u64(req, "func");
  if (!func) {
    return cached("goroutines", [this] {
      JsonWriter w;
      w.begin_object().kv("fibers", m_.fibers.size()).kv("end", m_.end);
      w.key("groups").begin_array();
      for (const Group& g : goroutine_groups(m_)) {
        w.begin_object().kv("func", g.func).kv("name", g.name).kv("n", g.n).kv("exec", g.exec);
        w.end_object();
      }
      w.end_array().end_object();
      return json_response(w);
    });
  }
  // One group: every fiber with its time breakdown. The columns are fixed per response so
  // the page can sort them; reasons that no fiber of the group hit are left out.
  std::vector<FiberTimes> rows;
  for (uint32_t f = 0; f < m_.fibers.size(); ++f)
    if (m_.fibers[f].func == *func) rows.push_back(fiber_times(m_, f));
  if (rows.empty()) throw BadRequest("no fibers start in function " + std::to_string(*func));
  std::vector<ft::trace::Block> cols;
  for (auto b : kBlockColumns) {
    bool any = std::any_of(rows.begin(), rows.end(),
                           [&](const FiberTimes& t) { return t.block[size_t(b)] != 0; });
    if (any) cols.push_back(b);
  }
  JsonWriter w;
  w.begin_object().kv("func", *func).kv("name", m_.func_name(static_cast<uint32_t>(*func)));
  w.key("blockColumns").begin_array();
  for (auto b : cols) w.value(reason_name(b));
  w.end_array();
  w.key("fibers").begin_array();
  for (const FiberTimes& t : rows) {
    const Fiber& f = m_.fibers[t.fiber];
    w.begin_object().kv("index", t.fiber).kv("id", f.id).kv("born", f.born).kv("died", f.died);
    w.kv("ended", f.ended).kv("lifetime", t.lifetime).kv("exec", t.exec);
    w.kv("schedWait", t.sched_wait).kv("syscall", t.syscall).kv("unknown", t.unknown);
    w.kv("blockTotal", t.block_total());
    w.key("block").begin_array();
    for (auto b : cols) w.value(t.block[size_t(b)]);
    w.end_array();
    // Reasons without a column (rare ones) still count, so the row sums to the lifetime.
    Ns other = t.block_total();
    for (auto b : cols) other -= t.block[size_t(b)];
    w.kv("blockOther", other).end_object();
  }
  w.end_array().end_object();
  return json_response(w);
}

Response Api::profile(const Request& req) {
  ProfileKind k = profile_param(req);
  return cached("profile:" + std::string(profile_name(k)), [&] {
    JsonWriter w;
    w.begin_object().kv("kind", profile_name(k));
    Ns total = 0;
    uint64_t count = 0;
    auto entries = blocking_profile(m_, k);
    for (const auto& e : entries) {
      total += e.total;
      count += e.count;
    }
    w.kv("total", total).kv("count", count);
    w.key("entries").begin_array();
    for (const auto& e : entries) {
      w.begin_object().kv("total", e.total).kv("count", e.count).key("stack");
      write_stack(w, m_, e.stack);
      w.end_object();
    }
    w.end_array().end_object();
    return json_response(w);
  });
}

Response Api::pprof(const Request& req) {
  ProfileKind k = profile_param(req);
  std::string kind(profile_name(k));
  Response r = cached("pprof:" + kind, [&] {
    Response p;
    p.content_type = "application/octet-stream";
    p.body = std::make_shared<const std::string>(pprof_profile(m_, k));  // already gzip
    p.cache_control = "no-cache";
    return p;
  });
  r.headers.emplace_back(
      "Content-Disposition",
      "attachment; filename=\"" + base_name(opt_.file_name) + "-" + kind + ".pb.gz\"");
  return r;
}

Response Api::tasks(const Request&) {
  return cached("tasks", [this] {
    // Per name: how many, and the spread of their durations (ended ones only).
    struct Stat {
      uint64_t n = 0, ended = 0;
      Ns total = 0, min = ~Ns(0), max = 0;
      void add(Ns d, bool done) {
        ++n;
        if (!done) return;
        ++ended;
        total += d;
        min = std::min(min, d);
        max = std::max(max, d);
      }
    };
    auto write_stats = [](JsonWriter& w, const std::map<std::string, Stat>& by) {
      w.begin_array();
      for (const auto& [name, s] : by) {
        w.begin_object().kv("name", name).kv("n", s.n).kv("ended", s.ended).kv("total", s.total);
        w.kv("min", s.ended ? s.min : 0).kv("max", s.max).end_object();
      }
      w.end_array();
    };
    std::map<std::string, Stat> tasks, regions;
    for (const Task& t : m_.tasks) tasks[std::string(m_.str(t.name))].add(t.t1 - t.t0, t.ended);
    for (const Region& r : m_.regions)
      regions[std::string(m_.str(r.name))].add(r.t1 - r.t0, r.ended);

    JsonWriter w;
    w.begin_object().key("taskTypes");
    write_stats(w, tasks);
    w.key("regionTypes");
    write_stats(w, regions);
    // The individual tasks (the first thousand), each with its regions and logs.
    constexpr size_t kMaxTasks = 1000;
    std::map<uint64_t, std::vector<uint32_t>> regions_of, logs_of;  // task id -> indices
    for (uint32_t i = 0; i < m_.regions.size(); ++i)
      if (m_.regions[i].task != 0) regions_of[m_.regions[i].task].push_back(i);
    for (uint32_t i = 0; i < m_.logs.size(); ++i)
      if (m_.logs[i].task != 0) logs_of[m_.logs[i].task].push_back(i);
    w.kv("taskCount", m_.tasks.size()).key("tasks").begin_array();
    for (size_t i = 0; i < std::min(kMaxTasks, m_.tasks.size()); ++i) {
      const Task& t = m_.tasks[i];
      w.begin_object().kv("id", t.id).kv("parent", t.parent).kv("name", m_.str(t.name));
      w.kv("t0", t.t0).kv("t1", t.t1).kv("ended", t.ended).key("fiber");
      write_fiber_ref(w, m_, t.fiber);
      w.key("regions").begin_array();
      for (uint32_t ri : regions_of[t.id]) {
        const Region& r = m_.regions[ri];
        w.begin_object().kv("name", m_.str(r.name)).kv("t0", r.t0).kv("t1", r.t1);
        w.kv("depth", r.depth).kv("ended", r.ended).key("fiber");
        write_fiber_ref(w, m_, r.fiber);
        w.end_object();
      }
      w.end_array().key("logs").begin_array();
      for (uint32_t li : logs_of[t.id]) {
        const Log& l = m_.logs[li];
        w.begin_object().kv("t", l.t).kv("category", m_.str(l.category));
        w.kv("message", m_.str(l.message)).key("fiber");
        write_fiber_ref(w, m_, l.fiber);
        w.end_object();
      }
      w.end_array().end_object();
    }
    w.end_array().end_object();
    return json_response(w);
  });
}

}  // namespace ft::server
