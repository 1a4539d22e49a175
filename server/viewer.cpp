#include "viewer.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <ostream>
#include <thread>

#include "api.hpp"
#include "guard.hpp"
#include "http.hpp"

extern char** environ;

namespace ft::server {

bool parse_http_flag(const std::string& flag, std::string& address, uint16_t& port) {
  std::string host;
  std::string port_str;
  if (!flag.empty() && flag.front() == '[') {
    size_t close = flag.find(']');
    if (close == std::string::npos || close + 1 >= flag.size() || flag[close + 1] != ':')
      return false;
    host = flag.substr(1, close - 1);
    port_str = flag.substr(close + 2);
  } else {
    size_t colon = flag.rfind(':');
    if (colon == std::string::npos) {
      port_str = flag;
    } else {
      host = flag.substr(0, colon);
      port_str = flag.substr(colon + 1);
      if (host.find(':') != std::string::npos) return false;  // bare IPv6 needs brackets
    }
  }
  unsigned value = 0;
  auto r = std::from_chars(port_str.data(), port_str.data() + port_str.size(), value);
  if (port_str.empty() || r.ec != std::errc() || r.ptr != port_str.data() + port_str.size() ||
      value > 65535)
    return false;
  if (!host.empty()) address = host == "localhost" ? "127.0.0.1" : host;
  port = static_cast<uint16_t>(value);
  return true;
}

namespace {

bool on_path(const char* exe) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::string_view p(path);
  while (!p.empty()) {
    size_t colon = p.find(':');
    std::string dir(p.substr(0, colon));
    p = colon == std::string_view::npos ? std::string_view{} : p.substr(colon + 1);
    if (dir.empty()) continue;
    if (access((dir + "/" + exe).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Starts xdg-open without waiting on the browser, and reaps it on a detached thread so no
// zombie is left. Returns false when there is no xdg-open or it could not start.
bool open_browser(const std::string& url) {
  if (!on_path("xdg-open")) return false;
  // Without a display there is no browser to open (CI, ssh): print the URL only.
  if (!std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY")) return false;
  pid_t pid;
  std::string exe = "xdg-open";
  char* argv[] = {exe.data(), const_cast<char*>(url.c_str()), nullptr};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  int rc = posix_spawnp(&pid, "xdg-open", &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return false;
  std::thread([pid] {
    int status;
    waitpid(pid, &status, 0);
  }).detach();
  return true;
}

}  // namespace

int serve_viewer(const exporter::Model& model, const ViewerOptions& opt, std::ostream& out,
                 std::ostream& err) {
  out << "Serializing trace..." << std::endl;
  Api api(model, {opt.trace_name, opt.merged});
  api.warm_up();

  HttpServer::Options so;
  so.address = opt.address;
  so.port = opt.port;
  so.threads = opt.threads;
  bool loopback = is_loopback_address(opt.address);
  if (!loopback) {
    err << "fibertrace view: warning: " << opt.address
        << " is not a loopback address: anyone who can reach this machine can connect"
        << (opt.no_token ? ", and --no-token lets them read the trace without a token"
                         : "; they need the token in the URL below")
        << std::endl;
    if (!opt.no_token) so.token = random_token();
  }
  std::unique_ptr<HttpServer> server;
  try {
    server = std::make_unique<HttpServer>(so, [&api](const Request& r) { return api.handle(r); });
  } catch (const std::exception& e) {
    err << "fibertrace view: cannot listen on " << opt.address << ":" << opt.port << ": "
        << e.what() << std::endl;
    return 1;
  }
  std::string host = opt.address;
  if (is_wildcard_address(host)) {
    // Every interface: name this machine, which is how others will reach it.
    char name[256] = {};
    host = ::gethostname(name, sizeof name - 1) == 0 && name[0] ? name : "127.0.0.1";
  }
  bool v6 = host.find(':') != std::string::npos;
  std::string url =
      "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(server->port());
  if (!so.token.empty()) url += "/?token=" + so.token;
  out << "Trace viewer is listening on " << url << std::endl;
  if (opt.open_browser) open_browser(url);
  if (opt.on_listening) opt.on_listening(url);
  server->run(/*stop_on_signals=*/true);
  return 0;
}

}  // namespace ft::server
