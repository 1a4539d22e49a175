// A minimal HTTP/1.1 server on ft::net: one fiber per connection, keep-alive, every request
// answered "hello, world". Enough for a load generator:
//
//   ./hello_http --serve [addr=127.0.0.1:8080]   serves until killed, e.g. for
//                                                wrk -c64 -d5s http://127.0.0.1:8080/
//   FT_TRACE=http.trace ./hello_http [requests=200]
//       serves on 127.0.0.1:0 and makes that many requests itself over 4 keep-alive
//       connections, checks every response, prints "hello_http: N responses"
//
// Only what a benchmark needs: requests without a body (GET, HEAD), "Connection: close" honoured.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <ft/ft.hpp>

namespace {
constexpr std::string_view kBody = "hello, world\n";

bool has_close(std::string_view head) {
  for (size_t i = 0; (i = head.find("\r\n", i)) != std::string_view::npos; i += 2) {
    std::string_view line = head.substr(i + 2, head.find("\r\n", i + 2) - (i + 2));
    if (line.size() >= 17 && strncasecmp(line.data(), "connection: close", 17) == 0) return true;
  }
  return false;
}

void handle(ft::net::Conn c) {
  std::string in;
  char buf[4096];
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                         std::to_string(kBody.size()) + "\r\n\r\n" + std::string(kBody);
  try {
    for (;;) {
      size_t end;
      while ((end = in.find("\r\n\r\n")) == std::string::npos) {
        if (in.size() > 64 * 1024)
          return c.write("HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n");
        size_t n = c.read(buf, sizeof buf);
        if (n == 0) return;  // the client closed
        in.append(buf, n);
      }
      const bool close = has_close(std::string_view(in).substr(0, end + 2));
      in.erase(0, end + 4);
      c.write(ok);
      if (close) return;
    }
  } catch (const ft::net::Error&) {
    // A reset by the client: the connection is over, the server goes on.
  }
}

void serve(ft::net::Listener* l) {
  for (;;) {
    try {
      ft::go(handle, l->accept());
    } catch (const ft::net::Error& e) {
      if (e.code() == EBADF) return;  // closed
      std::fprintf(stderr, "hello_http: %s\n", e.what());
    }
  }
}

// One client connection: n requests, each response read whole and checked.
long client(const std::string& addr, long n) {
  ft::net::Conn c = ft::net::dial(addr);
  const std::string req = "GET / HTTP/1.1\r\nHost: " + addr + "\r\n\r\n";
  std::string in;
  char buf[4096];
  long good = 0;
  for (long i = 0; i < n; ++i) {
    c.write(req);
    size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos || in.size() < end + 4 + kBody.size()) {
      size_t k = c.read(buf, sizeof buf);
      if (k == 0) return good;
      in.append(buf, k);
    }
    if (in.compare(0, 15, "HTTP/1.1 200 OK") == 0 && in.compare(end + 4, kBody.size(), kBody) == 0)
      ++good;
    in.erase(0, end + 4 + kBody.size());
  }
  return good;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--serve") != 0) {
    char* end = nullptr;
    long requests = argc > 1 ? std::strtol(argv[1], &end, 10) : 200;
    if (requests <= 0 || requests > 10000000 || (end && *end != '\0')) {
      std::fprintf(stderr, "usage: hello_http [requests=200] | hello_http --serve [addr]\n");
      return 2;
    }
    return ft::run([requests] {
      ft::net::Listener l = ft::net::listen("127.0.0.1:0");
      const std::string addr = l.addr();
      ft::go(serve, &l);
      constexpr int kConns = 4;
      ft::Chan<long> got(kConns);
      for (int i = 0; i < kConns; ++i) {
        long n = requests / kConns + (i < requests % kConns ? 1 : 0);
        ft::go([addr, n, got]() mutable { got.send(client(addr, n)); });
      }
      long total = 0;
      for (int i = 0; i < kConns; ++i) total += got.recv();
      l.close();
      std::printf("hello_http: %ld responses\n", total);
    });
  }
  const std::string addr = argc > 2 ? argv[2] : "127.0.0.1:8080";
  return ft::run([addr] {
    ft::net::Listener l;
    try {
      l = ft::net::listen(addr);
    } catch (const ft::net::Error& e) {
      std::fprintf(stderr, "hello_http: %s\n", e.what());
      std::exit(1);
    }
    std::printf("hello_http: listening on http://%s/\n", l.addr().c_str());
    std::fflush(stdout);
    serve(&l);
  });
}
