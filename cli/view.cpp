// fibertrace view: parse a trace once, then serve the bundled viewer for it over HTTP
// (server/viewer.hpp) until Ctrl-C. The counterpart of the chapter's `go tool trace trace.out`.
#ifdef FT_HAS_SERVER
#include <iostream>

#include "command.hpp"
#include "server/viewer.hpp"

namespace ft::cli {
namespace {

constexpr std::string_view kUsageLine =
    "view TRACE... [--http=ADDR:PORT] [--no-browser] [--no-token]\n\n"
    "Parses TRACE, then serves the trace viewer (View trace, Goroutine analysis, blocking\n"
    "profiles, user tasks) on http://ADDR:PORT and opens it in the default browser when one\n"
    "can be opened. Port 0 (the default) picks a free port. A damaged trace is shown up to the\n"
    "damage, with a warning. Ctrl-C stops the server. A non-loopback ADDR (0.0.0.0, a LAN\n"
    "address) serves the network: a warning is printed and the URL carries a random access\n"
    "token that every request needs (a cookie keeps it after the first page). With several\n"
    "TRACEs the pages show the first, and Open in Perfetto UI / Download Perfetto trace give\n"
    "all of them on one timeline, aligned by the wall-clock time each started.";

std::string display_name(const std::string& path) {
  if (path == "-") return "stdin";
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int run(int argc, const char* const* argv) {
  // No --partial: the viewer always shows what is intact, with a warning.
  Invocation in("view", kUsageLine, {.damage = Damage::Accept, .max_traces = 0});
  std::string http = "127.0.0.1:0";
  bool no_browser = false, no_token = false;
  in.options()("http", po::value(&http)->value_name("ADDR:PORT"),
               "listen address (default 127.0.0.1:0, a free port)")(
      "no-browser", po::bool_switch(&no_browser), "print the URL, do not open a browser")(
      "no-token", po::bool_switch(&no_token),
      "with a non-loopback --http address: serve without an access token (anyone on the "
      "network can read the trace)");
  server::ViewerOptions vo;
  auto check = [&] {
    if (!server::parse_http_flag(http, vo.address, vo.port))
      return in.usage_error("--http wants ADDR:PORT (e.g. 127.0.0.1:8080), got '" + http + "'");
    vo.trace_name = display_name(in.traces().front());
    vo.open_browser = !no_browser;
    vo.no_token = no_token;
    std::cout << "Parsing trace..." << std::endl;
    return int(kOk);
  };
  // Several traces: the pages show the first; the Perfetto hand-over is the merged timeline
  // (by wall-clock start, as `export a.out b.out -o merged.pftrace`).
  return in.run_all(
      argc, argv,
      [&](std::vector<exporter::Model>& ms) {
        if (ms.size() > 1) {
          std::vector<std::string> names;
          for (const std::string& t : in.traces()) names.push_back(display_name(t));
          vo.merged = exporter::perfetto::timeline(ms, names, false);
        }
        return server::serve_viewer(ms.front(), vo, std::cout, std::cerr);
      },
      check);
}

const Register reg{{"view", "serve the trace viewer in a browser", run}};

}  // namespace
}  // namespace ft::cli
#endif
