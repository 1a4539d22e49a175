// Skynet: a 10-ary tree of fibers, 1 000 000 leaves (1 111 111 fibers in all); each leaf sends
// its number up an unbuffered channel, each inner fiber sums its 10 children and sends the sum
// up. Result: sum of 0..size-1 (499999500000 for 1 000 000).
//   skynet [size=1000000] [div=10]
#include <ft/ft.hpp>

#include "bench_util.hpp"

static void skynet(ft::Chan<long> c, long num, long size, long div) {
  if (size == 1) {
    c.send(num);
    return;
  }
  ft::Chan<long> rc;
  long sum = 0;
  for (long i = 0; i < div; ++i) {
    long sub = num + i * (size / div);
    ft::go(skynet, rc, sub, size / div, div);
  }
  for (long i = 0; i < div; ++i) sum += rc.recv();
  c.send(sum);
}

int main(int argc, char** argv) {
  long size = bench::arg_or(argc, argv, 1, 1000000);
  long div = bench::arg_or(argc, argv, 2, 10);
  return ft::run([size, div] {
    bench::Stopwatch sw;
    ft::Chan<long> c;
    ft::go(skynet, c, 0L, size, div);
    long got = c.recv();
    return bench::report("skynet", got, size * (size - 1) / 2, sw.ns());
  });
}
