// fibertrace stats: the figures of a trace (exporter/stats.hpp), as text or one JSON object.
#include <iostream>

#include "command.hpp"
#include "exporter/stats.hpp"

namespace ft::cli {
namespace {

constexpr std::string_view kUsageLine =
    "stats TRACE [--json] [--partial]\n\n"
    "Time span, events by kind, fibers by start function, per-proc utilization and trace bytes\n"
    "per event. --json prints one object (keys in docs/cli.md) for scripts to assert on.";

int run(int argc, const char* const* argv) {
  Invocation in("stats", kUsageLine);
  bool json = false;
  in.options()("json", po::bool_switch(&json), "print one JSON object");
  return in.run(argc, argv, [&](exporter::Model& m) {
    if (json)
      std::cout << exporter::stats_json(m).dump(2) << "\n";
    else
      std::cout << exporter::stats_text(m);
    std::cout.flush();
    return std::cout ? kOk : in.error(kOutput, "writing <stdout> failed");
  });
}

const Register reg{{"stats", "print the figures of a trace (text or --json)", run}};

}  // namespace
}  // namespace ft::cli
