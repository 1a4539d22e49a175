// fibertrace export: a trace to Chrome Trace Event JSON (exporter/chrome_json.hpp).
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "command.hpp"
#include "exporter/chrome_json.hpp"

namespace ft::cli {
namespace {

constexpr std::string_view kUsageLine =
    "export TRACE [-o OUT.json] [--view=proc|thread|goroutine] [--goid=N] [--gzip] [--partial]\n\n"
    "Writes the trace as Chrome Trace Event JSON, for the Perfetto UI (ui.perfetto.dev), the\n"
    "classic chrome://tracing viewer and other tools. TRACE and OUT may be '-' for stdin and\n"
    "stdout; OUT defaults to stdout.";

int run(int argc, const char* const* argv) {
  std::string trace, out = "-", view = "proc";
  uint64_t goid = 0;
  bool gzip = false, partial = false;
  po::options_description opts("Options");
  opts.add_options()("output,o", po::value(&out), "output file ('-' = stdout, the default)")(
      "view", po::value(&view),
      "rows: proc (one per worker, default), thread (one per OS thread) or goroutine (one per "
      "fiber)")("goid", po::value(&goid),
                "goroutine view of this fiber and those it created, woke or was woken by")(
      "gzip", po::bool_switch(&gzip), "gzip the output");
  add_common(opts, partial);
  po::variables_map vm;
  bool done;
  if (int rc = parse("export", kUsageLine, opts, argc, argv, vm, trace, &done); rc || done)
    return rc;

  exporter::JsonOptions jo;
  auto v = exporter::parse_view(view);
  if (!v)
    return fail("export", kUsage, "--view must be proc, thread or goroutine, not '" + view + "'");
  jo.view = *v;
  if (vm.count("goid")) {
    if (vm.count("view") && jo.view != exporter::View::Goroutine)
      return fail("export", kUsage,
                  "--goid shows the goroutine view; it cannot go with --view=" + view);
    jo.view = exporter::View::Goroutine;
    jo.goid = goid;
  }

  auto t0 = std::chrono::steady_clock::now();
  exporter::Model m;
  if (int rc = load("export", trace, partial, m)) return rc;
  if (jo.goid && m.fiber_index(*jo.goid) == exporter::kNone)
    return fail("export", kUsage, "no fiber with id " + std::to_string(*jo.goid) + " in the trace");

  // Progress only where someone watches, and only for exports that take a while.
  bool show = ::isatty(2) && m.slices.size() > 2'000'000;
  if (show)
    jo.progress = [](double f) { std::fprintf(stderr, "\rExporting... %3d%%", int(f * 100)); };
  Output o;
  if (int rc = o.open("export", out, gzip)) return rc;
  exporter::JsonSummary sum = exporter::write_chrome_json(m, jo, o.sink());
  if (int rc = o.close("export")) return rc;
  if (show) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "\rExported %llu events (%llu slices, %llu flows) in %.2f s\n",
                 (unsigned long long)sum.events, (unsigned long long)sum.slices,
                 (unsigned long long)sum.flows, s);
  }
  return kOk;
}

const Register reg{{"export", "write Chrome Trace Event JSON (Perfetto, chrome://tracing)", run}};

}  // namespace
}  // namespace ft::cli
