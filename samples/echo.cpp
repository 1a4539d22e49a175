// An echo server and its clients in one process, over loopback TCP (ft::net). The server
// fiber accepts; each connection gets a fiber that writes back what it reads. `clients` client
// fibers each make `rounds` round trips of a 64-byte message and check the echo. No thread
// waits on a socket: every read parks its fiber on the network poller. In the trace the
// clients and handlers block on the network (the Network blocking profile) and are woken by
// the poller, a wake-up without a fiber behind it, as a timer's.
//
//   FT_TRACE=echo.trace ./echo [clients=16] [rounds=1000]    prints "echo: N round trips"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <ft/ft.hpp>

namespace {
constexpr size_t kMsg = 64;

void handle(ft::net::Conn c) {
  char buf[4096];
  while (size_t n = c.read(buf, sizeof buf)) c.write(buf, n);  // until the client's EOF
}

void serve(ft::net::Listener* l) {
  for (;;) {
    ft::net::Conn c;
    try {
      c = l->accept();
    } catch (const ft::net::Error&) {
      return;  // the listener was closed: the run is over
    }
    ft::go(handle, std::move(c));
  }
}

// Reads exactly n bytes (a TCP read may return part of a message).
bool read_full(ft::net::Conn& c, char* p, size_t n) {
  while (n > 0) {
    size_t k = c.read(p, n);
    if (k == 0) return false;
    p += k;
    n -= k;
  }
  return true;
}

void client(const std::string& addr, int id, long rounds, ft::WaitGroup* wg, long* done) {
  ft::net::Conn c = ft::net::dial(addr);
  char out[kMsg], in[kMsg];
  for (long r = 0; r < rounds; ++r) {
    std::snprintf(out, sizeof out, "client %d round %ld", id, r);
    c.write(out, kMsg);
    if (!read_full(c, in, kMsg) || std::memcmp(in, out, kMsg) != 0) {
      std::fprintf(stderr, "echo: client %d got a wrong echo in round %ld\n", id, r);
      std::exit(1);
    }
    ++*done;
  }
  c.close_write();  // the handler sees EOF and ends
  wg->done();
}

long arg(int argc, char** argv, int i, long dflt) {
  if (argc <= i) return dflt;
  char* end = nullptr;
  long v = std::strtol(argv[i], &end, 10);
  if (*end != '\0' || v <= 0 || v > 1000000) {
    std::fprintf(stderr, "usage: echo [clients=16] [rounds=1000] (positive integers)\n");
    std::exit(2);
  }
  return v;
}
}  // namespace

int main(int argc, char** argv) {
  const long clients = arg(argc, argv, 1, 16), rounds = arg(argc, argv, 2, 1000);
  return ft::run([clients, rounds] {
    ft::net::Listener l = ft::net::listen("127.0.0.1:0");
    const std::string addr = l.addr();
    ft::go(serve, &l);
    ft::WaitGroup wg;
    std::vector<long> done(static_cast<size_t>(clients), 0);
    wg.add(clients);
    for (long i = 0; i < clients; ++i) {
      long* d = &done[static_cast<size_t>(i)];
      ft::go([=, &wg] { client(addr, static_cast<int>(i), rounds, &wg, d); });
    }
    wg.wait();
    l.close();
    long total = 0;
    for (long d : done) total += d;
    std::printf("echo: %ld round trips\n", total);
  });
}
