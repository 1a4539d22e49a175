// The viewer's HTTP server, with Beast kept out of this header: requests and responses are plain
// structs, and one Handler maps a Request to a Response. Only http_server.cpp includes Beast
// (it is heavy to compile), so everything else in server/ builds quickly.
//
// What the server guarantees before and after the handler runs:
//   - only GET and HEAD reach the handler; anything else gets 405 with "Allow: GET, HEAD";
//     HEAD gets the GET response's headers and no body;
//   - a request whose header block exceeds Options::header_limit gets 431, a body over
//     Options::body_limit gets 413, a malformed request 400; each then closes the connection;
//   - a handler that throws gives 500 for that request only;
//   - Response::etag answers If-None-Match with 304; JSON-like bodies (compressible, or with a
//     precompressed gzip_body) go out gzipped when Accept-Encoding allows it;
//   - a connection idle longer than Options::idle_timeout is closed.
// No failure of one connection affects another; the server stops only through stop().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ft::server {

struct Request {
  std::string method;                        // "GET" or "HEAD"
  std::string target;                        // as sent: "/api/window?start=0&end=10"
  std::string path;                          // target's path part, still percent-encoded
  std::map<std::string, std::string> query;  // decoded
  bool accepts_gzip = false;  // lets a handler offer a cached gzip_body instead of the core
                              // compressing a large body on every request
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::shared_ptr<const std::string> body;       // may be shared with a cache; never mutated
  std::shared_ptr<const std::string> gzip_body;  // optional precompressed variant of body
  bool compressible = false;                     // gzip on the fly when the client accepts it
  std::string etag;                              // with quotes: "\"abc\""
  std::string cache_control = "no-store";
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Content-Disposition

  static Response text(int status, std::string body);
  static Response json(std::string body);
};

using Handler = std::function<Response(const Request&)>;

class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 0;  // 0: the kernel picks a free port (see port())
    int threads = 2;    // threads serving requests, run() included
    std::chrono::milliseconds idle_timeout{30'000};
    std::chrono::milliseconds write_timeout{300'000};  // a whole response body
    size_t header_limit = 16 * 1024;
    size_t body_limit = 64 * 1024;
  };

  // Binds and listens at once (throws std::system_error when the address is unusable), so
  // port() is known before run() and the URL can be printed first.
  HttpServer(Options options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  const std::string& address() const;

  // Serves until stop() (or SIGINT/SIGTERM when stop_on_signals was set), then returns after
  // every thread has left. Call once.
  void run(bool stop_on_signals = false);
  // Thread-safe; run() returns soon after.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ft::server
