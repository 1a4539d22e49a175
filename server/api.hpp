// The viewer's API over one exporter Model, and the router that puts it beside the static
// files. Every endpoint is a GET returning JSON unless noted; times are integer nanoseconds
// since the trace's start. Track ids name a row: "c<k>" counter k (0 Goroutines, 1 Threads,
// 2 Heap), "p<i>" proc index i, "t<i>" thread i, "g<i>" fiber index i.
//
//   /api/meta                      file, size, span, counts, procs, function names
//   /api/tracks?view=&goid=        the rows of a view, grouped (STATS, PROCS/THREADS/GOROUTINES)
//   /api/window?tracks=&t0=&t1=&width=[&flows=0]
//                                  what those rows hold in [t0, t1] at `width` pixels, slices
//                                  shorter than a pixel merged (exporter/window.hpp), and the
//                                  flow arrows (those that fall on the same pixels merged, with
//                                  a count); flows=0 leaves the arrows out
//   /api/slice?i=                  one slice: fiber, times, end reason, stacks, flows in/out
//   /api/counter?c=&t=             a counter's values in effect at t
//   /api/fiber?id=                 one fiber by runtime id: function, lifetime, creator
//   /api/trace.json?view=&goid=&download=
//                                  the full Chrome Trace Event JSON (exporter/chrome_json.hpp)
//   /api/trace.pftrace?view=&goid=&download=
//                                  the Perfetto protobuf trace (api_perfetto.cpp; binary)
//   /api/goroutines, /api/profile?kind=, /api/pprof?kind=, /api/tasks   (api_reports.cpp)
//
// Invariants: the Model is immutable while the Api lives and every handler only reads it, so
// requests run concurrently without locks; the caches (full JSON per view, reports) are filled
// once under their own mutex. Bad parameters give 400 with a one-line reason, unknown API
// paths 404; nothing a client sends can make a handler touch memory outside the model.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "exporter/model.hpp"
#include "exporter/perfetto/writer.hpp"
#include "http.hpp"

namespace ft::server {

struct ApiOptions {
  std::string file_name;  // shown in the viewer's title bar and used for download names
  // Several traces viewed together: every one of them (the Api's model first), for the merged
  // Perfetto timeline; the viewer's own pages show the first. Empty: just the model.
  std::vector<exporter::perfetto::Source> merged;
};

class Api {
 public:
  Api(const exporter::Model& model, ApiOptions opt);

  // Routes /api/... to the endpoints and everything else to the embedded files.
  Response handle(const Request& req);

  // Builds what the first page load needs (counter scales, the default view's track list),
  // so `fibertrace view` can do it before printing the URL.
  void warm_up();

 private:
  Response meta(const Request&);
  Response tracks(const Request&);
  Response window(const Request&);
  Response slice(const Request&);
  Response counter(const Request&);
  Response fiber(const Request&);
  Response trace_json(const Request&);
  Response trace_pftrace(const Request&);
  Response goroutines(const Request&);
  Response profile(const Request&);
  Response pprof(const Request&);
  Response tasks(const Request&);

  // Caches a computed body (by key) so repeated requests are served from memory.
  Response cached(const std::string& key, const std::function<Response()>& make);

  struct CacheEntry {
    std::once_flag once;
    Response response;
  };

  const exporter::Model& m_;
  ApiOptions opt_;
  std::mutex cache_mu_;  // guards the map only; entries fill under their once_flag
  std::map<std::string, std::unique_ptr<CacheEntry>> cache_;
};

// For handlers: a 400 answer with a reason.
struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ft::server
