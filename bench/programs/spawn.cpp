// Fiber creation: main starts n trivial fibers (each adds its index to an atomic sum and calls
// WaitGroup::done) and waits for all of them. Measures create + schedule + run + exit + join.
// Result: sum of 0..n-1.
//   spawn [n=1000000]
#include <atomic>

#include <ft/ft.hpp>

#include "bench_util.hpp"

int main(int argc, char** argv) {
  long n = bench::arg_or(argc, argv, 1, 1000000);
  return ft::run([n] {
    bench::Stopwatch sw;
    std::atomic<long> sum{0};
    ft::WaitGroup wg;
    wg.add(n);
    for (long i = 0; i < n; ++i) {
      ft::go([i, &sum, &wg] {
        sum.fetch_add(i, std::memory_order_relaxed);
        wg.done();
      });
    }
    wg.wait();
    return bench::report("spawn", sum.load(), n * (n - 1) / 2, sw.ns());
  });
}
