// fibertrace pprof: a blocking profile as gzipped profile.proto (exporter/pprof.hpp).
#include "exporter/pprof.hpp"
#include "command.hpp"

namespace ft::cli {
namespace {

constexpr std::string_view kUsageLine =
    "pprof TRACE --profile=sync|syscall|sched|io|sleep -o FILE [--partial]\n\n"
    "Writes where fibers waited, aggregated by stack, as a gzipped pprof profile.proto for\n"
    "`go tool pprof` and other pprof tools: sync (channels, select, mutex, cond, wait group),\n"
    "syscall, sched (runnable but not running), io, sleep.";

int run(int argc, const char* const* argv) {
  std::string trace, out, profile;
  bool partial = false;
  po::options_description opts("Options");
  opts.add_options()("profile", po::value(&profile)->required(),
                     "sync, syscall, sched, io or sleep")("output,o", po::value(&out)->required(),
                                                          "output file ('-' = stdout)");
  add_common(opts, partial);
  po::variables_map vm;
  bool done;
  if (int rc = parse("pprof", kUsageLine, opts, argc, argv, vm, trace, &done); rc || done)
    return rc;
  auto kind = exporter::parse_profile(profile);
  if (!kind)
    return fail("pprof", kUsage,
                "--profile must be sync, syscall, sched, io or sleep, not '" + profile + "'");
  exporter::Model m;
  if (int rc = load("pprof", trace, partial, m)) return rc;
  std::string bytes = exporter::pprof_profile(m, *kind);
  Output o;
  if (int rc = o.open("pprof", out, false)) return rc;
  o.sink().write(bytes);
  return o.close("pprof");
}

const Register reg{{"pprof", "write a blocking profile as pprof profile.proto (gzip)", run}};

}  // namespace
}  // namespace ft::cli
