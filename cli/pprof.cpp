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
  Invocation in("pprof", kUsageLine);
  std::string out, profile;
  in.options()("profile", po::value(&profile)->required(), "sync, syscall, sched, io or sleep")(
      "output,o", po::value(&out)->required(), "output file ('-' = stdout)");
  std::optional<exporter::ProfileKind> kind;
  auto check = [&] {
    kind = exporter::parse_profile(profile);
    return kind ? kOk
                : in.usage_error("--profile must be sync, syscall, sched, io or sleep, not '" +
                                 profile + "'");
  };
  return in.run(
      argc, argv,
      [&](exporter::Model& m) {
        std::string bytes = exporter::pprof_profile(m, *kind);
        Output o;
        if (int rc = o.open(in.cmd(), out, false)) return rc;
        o.sink().write(bytes);
        return o.close(in.cmd());
      },
      check);
}

const Register reg{{"pprof", "write a blocking profile as pprof profile.proto (gzip)", run}};

}  // namespace
}  // namespace ft::cli
