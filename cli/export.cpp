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
  Invocation in("export", kUsageLine);
  std::string out = "-", view = "proc";
  uint64_t goid = 0;
  bool gzip = false;
  in.options()("output,o", po::value(&out), "output file ('-' = stdout, the default)")(
      "view", po::value(&view),
      "rows: proc (one per worker, default), thread (one per OS thread) or goroutine (one per "
      "fiber)")("goid", po::value(&goid),
                "goroutine view of this fiber and those it created, woke or was woken by")(
      "gzip", po::bool_switch(&gzip), "gzip the output");

  exporter::JsonOptions jo;
  auto check = [&] {
    auto v = exporter::parse_view(view);
    if (!v) return in.usage_error("--view must be proc, thread or goroutine, not '" + view + "'");
    jo.view = *v;
    if (in.given("goid")) {
      if (in.given("view") && jo.view != exporter::View::Goroutine)
        return in.usage_error("--goid shows the goroutine view; it cannot go with --view=" + view);
      jo.view = exporter::View::Goroutine;
      jo.goid = goid;
    }
    return int(kOk);
  };
  auto t0 = std::chrono::steady_clock::now();
  auto body = [&](exporter::Model& m) {
    if (jo.goid && m.fiber_index(*jo.goid) == exporter::kNone)
      return in.usage_error("no fiber with id " + std::to_string(*jo.goid) + " in the trace");
    // Progress only where someone watches, and only for exports that take a while.
    bool show = ::isatty(2) && m.slices.size() > 2'000'000;
    if (show)
      jo.progress = [](double f) { std::fprintf(stderr, "\rExporting... %3d%%", int(f * 100)); };
    Output o;
    if (int rc = o.open(in.cmd(), out, gzip)) return rc;
    exporter::JsonSummary sum = exporter::write_chrome_json(m, jo, o.sink());
    if (int rc = o.close(in.cmd())) return rc;
    if (show) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "\rExported %llu events (%llu slices, %llu flows) in %.2f s\n",
                   (unsigned long long)sum.events, (unsigned long long)sum.slices,
                   (unsigned long long)sum.flows, s);
    }
    return int(kOk);
  };
  return in.run(argc, argv, body, check);
}

const Register reg{{"export", "write Chrome Trace Event JSON (Perfetto, chrome://tracing)", run}};

}  // namespace
}  // namespace ft::cli
