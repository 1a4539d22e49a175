// fibertrace events: every decoded event as one line of text, for debugging traces and tools.
#include <cinttypes>
#include <cstdio>

#include "command.hpp"
#include "exporter/stats.hpp"
#include "tracer/reader.hpp"

namespace ft::cli {
namespace {

constexpr std::string_view kUsageLine =
    "events TRACE [--partial]\n\n"
    "Prints every event in timestamp order: time (ns), kind, thread, proc, fiber, arguments and\n"
    "stack id; then the damage, if any.";

// One line per event; the arguments are named by the event table (tracer/events.hpp), with
// Block reasons and fiber statuses by name: "reason=chan recv object=3 waker=7".
void print_event(const ft::trace::Event& e) {
  using ft::trace::Arg;
  std::string_view kind = exporter::event_type_name(uint8_t(e.type));
  std::printf("%12" PRIu64 " %-12.*s th=%u p=%d g=%" PRIu64, e.ts, int(kind.size()), kind.data(),
              e.thread, e.proc, e.g);
  if (const ft::trace::EventSpec* spec = ft::trace::event_spec(e.type)) {
    for (size_t i = 0; i < spec->args.size() && spec->args[i] != Arg::None; i++) {
      std::string_view name = ft::trace::arg_name(spec->args[i]);
      if (spec->args[i] == Arg::Reason) {
        std::string_view r = ft::trace::block_name(e.reason());
        std::printf(" %.*s=%.*s", int(name.size()), name.data(), int(r.size()), r.data());
      } else if (spec->args[i] == Arg::Status) {
        std::string_view st = ft::trace::fiber_status_name(e.status());
        std::printf(" %.*s=%.*s", int(name.size()), name.data(), int(st.size()), st.data());
      } else {
        std::printf(" %.*s=%" PRIu64, int(name.size()), name.data(), e.arg(i));
      }
    }
  }
  std::printf(" stk=%u\n", e.stack);
}

int run(int argc, const char* const* argv) {
  Invocation in("events", kUsageLine);
  // The model is loaded first (by the Invocation) so a bad trace fails the same way as
  // everywhere else; the events are then read again, since the model keeps intervals.
  return in.run(argc, argv, [&](exporter::Model& m) {
    const std::string& trace = in.traces().front();
    std::FILE* f = trace == "-" ? nullptr : std::fopen(trace.c_str(), "rb");
    if (!f) return in.error(kBadTrace, "stdin can be read only once; give a file");
    std::string bytes;
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, n);
    std::fclose(f);
    ft::trace::Tables tables;
    ft::trace::read(std::as_bytes(std::span(bytes.data(), bytes.size())), tables, print_event);
    if (!m.read.ok) std::printf("damage: %s\n", m.read.error.c_str());
    return int(kOk);
  });
}

const Register reg{{"events", "print the decoded events, one per line (debugging)", run}};

}  // namespace
}  // namespace ft::cli
