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
//   - a connection idle longer than Options::idle_timeout is closed, and so is one whose
//     response makes no progress for Options::stall_timeout (a client that stopped reading);
//   - before the handler, the Guard (guard.hpp) checks the Host header (421) and, when
//     Options::token is set, the access token (403); every answer refuses framing;
//   - a streamed body (Response::stream) is produced on a thread of its own into a bounded
//     pipe (kStreamBuffer bytes), so its memory does not grow with the body; at most
//     Options::max_streams run at once, more get 503.
// No failure of one connection affects another; the server stops only through stop().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
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

  // A body produced while it is sent (chunked), instead of body: `stream` calls write() with
  // the bytes in order; write() blocks while the client is behind and returns false once the
  // connection is gone (then the producer should stop). Runs on a thread of its own.
  std::function<void(const std::function<bool(std::string_view)>& write)> stream;

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
    // A response whose bytes make no progress this long is dropped (the client stopped reading).
    std::chrono::milliseconds stall_timeout{10'000};
    size_t header_limit = 16 * 1024;
    size_t body_limit = 64 * 1024;
    std::string token;    // non-empty: every request needs it (guard.hpp)
    int max_streams = 4;  // streamed responses running at once
  };
  static constexpr size_t kStreamBuffer = 1 << 20;  // bytes of a streamed body in flight

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

  struct Impl;  // http_server.cpp's; named here so its connections can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ft::server
