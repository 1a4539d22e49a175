// Echo round trips over loopback TCP: `conns` connections at once, each `rounds` round trips
// of a 64-byte request and its 64-byte echo; server and clients in this process, one fiber per
// connection on each side. Twin of bench/go/echo (Go's net). Driver: bench/net.py.
//   echo [conns=64] [rounds=2000]
#include <cstring>
#include <string>

#include <ft/ft.hpp>

#include "bench_util.hpp"

namespace {
constexpr size_t kMsg = 64;

void read_full(ft::net::Conn& c, char* p, size_t n) {
  while (n > 0) {
    size_t k = c.read(p, n);
    if (k == 0) std::exit(1);
    p += k;
    n -= k;
  }
}
}  // namespace

int main(int argc, char** argv) {
  const long conns = bench::arg_or(argc, argv, 1, 64), rounds = bench::arg_or(argc, argv, 2, 2000);
  return ft::run([conns, rounds] {
    ft::net::Listener l = ft::net::listen("127.0.0.1:0");
    const std::string addr = l.addr();
    ft::go([&l, conns] {
      for (long i = 0; i < conns; ++i)
        ft::go(
            [](ft::net::Conn c) {
              char buf[kMsg];
              for (;;) {
                size_t n = c.read(buf, sizeof buf);
                if (n == 0) return;
                c.write(buf, n);
              }
            },
            l.accept());
    });
    bench::Stopwatch sw;
    ft::Chan<long> done(conns);
    for (long i = 0; i < conns; ++i)
      ft::go([&addr, rounds, done]() mutable {
        ft::net::Conn c = ft::net::dial(addr);
        char out[kMsg], in[kMsg];
        std::memset(out, 'x', sizeof out);
        long ok = 0;
        for (long r = 0; r < rounds; ++r) {
          c.write(out, kMsg);
          read_full(c, in, kMsg);
          ok += std::memcmp(in, out, kMsg) == 0;
        }
        done.send(ok);
      });
    long total = 0;
    for (long i = 0; i < conns; ++i) total += done.recv();
    return bench::report("echo", total, conns * rounds, sw.ns());
  });
}
