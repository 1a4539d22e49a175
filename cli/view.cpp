// fibertrace view: parse a trace once, then serve the bundled viewer for it over HTTP
// (server/viewer.hpp) until Ctrl-C. The counterpart of the chapter's `go tool trace trace.out`.
#ifdef FT_HAS_SERVER
#include <iostream>

#include "command.hpp"
#include "server/viewer.hpp"

namespace ft::cli {
namespace {

constexpr std::string_view kUsageLine =
    "view TRACE [--http=ADDR:PORT] [--no-browser]\n\n"
    "Parses TRACE, then serves the trace viewer (View trace, Goroutine analysis, blocking\n"
    "profiles, user tasks) on http://ADDR:PORT and opens it in the default browser when one\n"
    "can be opened. Port 0 (the default) picks a free port. A damaged trace is shown up to the\n"
    "damage, with a warning. Ctrl-C stops the server.";

std::string display_name(const std::string& path) {
  if (path == "-") return "stdin";
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int run(int argc, const char* const* argv) {
  std::string trace, http = "127.0.0.1:0";
  bool no_browser = false;
  po::options_description opts("Options");
  opts.add_options()("http", po::value(&http)->value_name("ADDR:PORT"),
                     "listen address (default 127.0.0.1:0, a free port)")(
      "no-browser", po::bool_switch(&no_browser), "print the URL, do not open a browser");
  // No --partial: the viewer always shows what was valid before any damage.
  opts.add_options()("help,h", "show this help");
  po::variables_map vm;
  bool done;
  if (int rc = parse("view", kUsageLine, opts, argc, argv, vm, trace, &done); rc || done) return rc;
  server::ViewerOptions vo;
  if (!server::parse_http_flag(http, vo.address, vo.port))
    return fail("view", kUsage, "--http wants ADDR:PORT (e.g. 127.0.0.1:8080), got '" + http + "'");
  vo.trace_name = display_name(trace);
  vo.open_browser = !no_browser;

  std::cout << "Parsing trace..." << std::endl;
  exporter::Model m;
  if (int rc = load("view", trace, /*partial=*/true, m)) return rc;
  return server::serve_viewer(m, vo, std::cout, std::cerr);
}

const Register reg{{"view", "serve the trace viewer in a browser", run}};

}  // namespace
}  // namespace ft::cli
#endif
