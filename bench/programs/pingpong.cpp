// Unbuffered ping-pong: the main fiber and one other fiber bounce a counter over two unbuffered
// channels, n round trips (each round trip: two handoffs, two blocks, two wake-ups).
//   pingpong [n=1000000]
#include <ft/ft.hpp>

#include "bench_util.hpp"

static void ponger(ft::Chan<long> ping, ft::Chan<long> pong, long n) {
  for (long i = 0; i < n; ++i) pong.send(ping.recv() + 1);
}

int main(int argc, char** argv) {
  long n = bench::arg_or(argc, argv, 1, 1000000);
  return ft::run([n] {
    bench::Stopwatch sw;
    ft::Chan<long> ping, pong;
    ft::go(ponger, ping, pong, n);
    long v = 0;
    for (long i = 0; i < n; ++i) {
      ping.send(v);
      v = pong.recv();
    }
    return bench::report("pingpong", v, n, sw.ns());
  });
}
