// fibertrace export: traces to Chrome Trace Event JSON (exporter/chrome_json.hpp) or to
// Perfetto's native protobuf format (exporter/perfetto/writer.hpp), one trace or several on one
// timeline (Perfetto). The format follows OUT's extension unless --format says it.
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "command.hpp"
#include "exporter/chrome_json.hpp"
#include "exporter/perfetto/writer.hpp"

namespace ft::cli {
namespace {

constexpr std::string_view kUsageLine =
    "export TRACE... [-o OUT] [--format=json|perfetto] [--view=proc|thread|goroutine] [--goid=N]\n"
    "       [--align=wall|zero] [--gzip] [--partial]\n\n"
    "Writes the trace as Chrome Trace Event JSON (OUT.json, or OUT.json.gz gzipped) or as\n"
    "Perfetto's native protobuf trace (OUT.pftrace or OUT.perfetto-trace: smaller and much\n"
    "faster to load in the Perfetto UI, ui.perfetto.dev, and its trace processor). TRACE and OUT\n"
    "may be '-' for stdin and stdout; OUT defaults to stdout, in JSON unless --format says.\n"
    "Several TRACEs (Perfetto only) go on one timeline, one process per trace, aligned by the\n"
    "wall-clock time each started (--align=zero: each from its own start).";

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string base_name(const std::string& path) {
  if (path == "-") return "stdin";
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int run(int argc, const char* const* argv) {
  Invocation in("export", kUsageLine, {.max_traces = 0});
  std::string out = "-", view = "proc", format, align = "wall";
  uint64_t goid = 0;
  bool gzip = false;
  in.options()("output,o", po::value(&out), "output file ('-' = stdout, the default)")(
      "format", po::value(&format),
      "json or perfetto (default: from OUT's extension: .pftrace and .perfetto-trace are "
      "Perfetto, anything else JSON)")(
      "view", po::value(&view),
      "rows: proc (one per worker, default), thread (one per OS thread) or goroutine (one per "
      "fiber)")("goid", po::value(&goid),
                "goroutine view of this fiber and those it created, woke or was woken by")(
      "align", po::value(&align),
      "several traces: wall (default: by the wall-clock time each started) or zero (each "
      "from its own start, to overlay runs)")("gzip", po::bool_switch(&gzip),
                                              "gzip the output (implied by OUT.json.gz)");

  exporter::View v = exporter::View::Proc;
  std::optional<uint64_t> focus;
  bool perfetto = false;
  auto check = [&] {
    auto pv = exporter::parse_view(view);
    if (!pv) return in.usage_error("--view must be proc, thread or goroutine, not '" + view + "'");
    v = *pv;
    if (in.given("goid")) {
      if (in.given("view") && v != exporter::View::Goroutine)
        return in.usage_error("--goid shows the goroutine view; it cannot go with --view=" + view);
      v = exporter::View::Goroutine;
      focus = goid;
    }
    if (in.given("format")) {
      if (format != "json" && format != "perfetto")
        return in.usage_error("--format must be json or perfetto, not '" + format + "'");
      perfetto = format == "perfetto";
    } else {
      perfetto = ends_with(out, ".pftrace") || ends_with(out, ".perfetto-trace");
    }
    if (!perfetto && ends_with(out, ".gz")) gzip = true;
    if (align != "wall" && align != "zero")
      return in.usage_error("--align must be wall or zero, not '" + align + "'");
    if (in.traces().size() > 1 && !perfetto)
      return in.usage_error(
          "several traces go on one timeline in the Perfetto format only "
          "(-o OUT.pftrace or --format=perfetto)");
    if (in.traces().size() > 1 && focus)
      return in.usage_error("--goid names a fiber of one trace; it cannot go with several");
    return int(kOk);
  };

  auto t0 = std::chrono::steady_clock::now();
  auto body = [&](std::vector<exporter::Model>& models) {
    if (focus && models.front().fiber_index(*focus) == exporter::kNone)
      return in.usage_error("no fiber with id " + std::to_string(*focus) + " in the trace");
    size_t slices = 0;
    for (const auto& m : models) slices += m.slices.size();
    // Progress only where someone watches, and only for exports that take a while.
    bool show = ::isatty(2) && slices > 2'000'000;
    std::function<void(double)> progress;
    if (show)
      progress = [](double f) { std::fprintf(stderr, "\rExporting... %3d%%", int(f * 100)); };
    Output o;
    if (int rc = o.open(in.cmd(), out, gzip)) return rc;
    uint64_t events = 0, nslices = 0, flows = 0;
    if (perfetto) {
      std::vector<std::string> names;
      for (const std::string& t : in.traces()) names.push_back(base_name(t));
      auto src = exporter::perfetto::timeline(models, names, align == "zero");
      exporter::perfetto::Options po;
      po.view = v;
      po.goid = focus;
      po.progress = progress;
      auto sum = exporter::perfetto::write_perfetto(src, po, o.sink());
      events = sum.packets, nslices = sum.slices, flows = sum.flows;
    } else {
      exporter::JsonOptions jo;
      jo.view = v;
      jo.goid = focus;
      jo.progress = progress;
      auto sum = exporter::write_chrome_json(models.front(), jo, o.sink());
      events = sum.events, nslices = sum.slices, flows = sum.flows;
    }
    if (int rc = o.close(in.cmd())) return rc;
    if (show) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "\rExported %llu %s (%llu slices, %llu flows) in %.2f s\n",
                   (unsigned long long)events, perfetto ? "packets" : "events",
                   (unsigned long long)nslices, (unsigned long long)flows, s);
    }
    return int(kOk);
  };
  return in.run_all(argc, argv, body, check);
}

const Register reg{
    {"export", "write Chrome Trace Event JSON or a Perfetto trace (ui.perfetto.dev)", run}};

}  // namespace
}  // namespace ft::cli
