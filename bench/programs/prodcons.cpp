// Buffered producer/consumer: P producers send `items` values in all (producer p sends
// p*per .. p*per+per-1) into one channel of capacity `cap`; C consumers drain it until it is
// closed and send their partial sums to main. Result: sum of 0..items-1.
//   prodcons [items=4000000] [producers=4] [consumers=4] [cap=128]
#include <ft/ft.hpp>

#include "bench_util.hpp"

int main(int argc, char** argv) {
  long items = bench::arg_or(argc, argv, 1, 4000000);
  long np = bench::arg_or(argc, argv, 2, 4);
  long nc = bench::arg_or(argc, argv, 3, 4);
  long cap = bench::arg_or(argc, argv, 4, 128);
  return ft::run([=] {
    bench::Stopwatch sw;
    long per = items / np;
    ft::Chan<long> ch(cap);
    ft::Chan<long> sums(nc);
    ft::WaitGroup wg;
    wg.add(np);
    for (long p = 0; p < np; ++p) {
      ft::go([ch, p, per, &wg]() mutable {
        for (long i = p * per, end = p * per + per; i < end; ++i) ch.send(i);
        wg.done();
      });
    }
    for (long c = 0; c < nc; ++c) {
      ft::go([ch, sums]() mutable {
        long s = 0;
        for (long v : ch) s += v;
        sums.send(s);
      });
    }
    wg.wait();
    ch.close();
    long total = 0;
    for (long c = 0; c < nc; ++c) total += sums.recv();
    long n = per * np;
    return bench::report("prodcons", total, n * (n - 1) / 2, sw.ns());
  });
}
