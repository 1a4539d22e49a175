// `fibertrace view`: serve the viewer for a loaded trace and open the browser. The CLI's
// cli/view.cpp parses the arguments, loads the trace (printing "Parsing trace...") and calls
// serve_viewer(); the rest lives here so it is testable without the CLI.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "exporter/perfetto/writer.hpp"

namespace ft::server {

struct ViewerOptions {
  std::string trace_name;  // shown in the viewer ("daisy.out"), names downloads
  // Several traces: all of them, for the merged Perfetto timeline (ApiOptions::merged).
  std::vector<exporter::perfetto::Source> merged;
  std::string address = "127.0.0.1";
  uint16_t port = 0;         // 0: a free port
  bool open_browser = true;  // run xdg-open when it exists
  int threads = 2;
  // A non-loopback address serves the network: then a random access token is required in the
  // URL (guard.hpp) unless no_token, and either way a warning is printed.
  bool no_token = false;
  // Called once the server listens, with its URL (tests use it to know where to connect).
  std::function<void(const std::string& url)> on_listening;
};

// "ADDR:PORT", ":PORT" or "PORT" -> address and port; false when malformed. IPv6 addresses go
// in brackets: "[::1]:8080".
bool parse_http_flag(const std::string& flag, std::string& address, uint16_t& port);

// Prints "Serializing trace..." and "Trace viewer is listening on URL" to `out` (the URL
// carries ?token=... when one is needed), warnings and problems to `err`, and serves until
// SIGINT/SIGTERM. Returns the process exit code: 0 after a clean stop, 1 when the address cannot be
// bound. The model must outlive the call.
int serve_viewer(const exporter::Model& model, const ViewerOptions& opt, std::ostream& out,
                 std::ostream& err);

}  // namespace ft::server
