// Daisy chain (the chapter's daisy.go): n `pass` fibers linked by unbuffered channels; sendFirst
// puts 0 in at the right end, each pass adds one, main receives n at the left end.
// Measured: building the chain (n fiber creations) and passing the value through it.
//   daisy [n=100000]
#include <ft/ft.hpp>

#include "bench_util.hpp"

static void pass(ft::Chan<long> left, ft::Chan<long> right) {
  long v = 1 + right.recv();
  left.send(v);
}

static void sendFirst(ft::Chan<long> ch) {
  ch.send(0);
}

int main(int argc, char** argv) {
  long n = bench::arg_or(argc, argv, 1, 100000);
  return ft::run([n] {
    bench::Stopwatch sw;
    ft::Chan<long> leftmost;
    ft::Chan<long> right = leftmost;
    ft::Chan<long> left = leftmost;
    for (long i = 0; i < n; ++i) {
      right = ft::Chan<long>();
      ft::go(pass, left, right);
      left = right;
    }
    ft::go(sendFirst, right);
    long got = leftmost.recv();
    return bench::report("daisy", got, n, sw.ns());
  });
}
