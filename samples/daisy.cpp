// The chapter's daisy chain: n `pass` fibers linked by channels; `sendFirst` puts 0 in at the
// right end, each pass adds one, main receives n at the left end.
//
//   ./daisy > trace.out      prints 3 on stderr and writes the trace to stdout
//   ./daisy 100000           a longer chain (the chapter's exercise)
//   FT_MAXPROCS=1 ./daisy    one worker (Go's GOMAXPROCS=1)
//   (ft::sleep inside pass, the chapter's other exercise, is daisy_sleep.cpp)
//   FT_TRACE=t.out ./daisy   the trace goes to t.out instead (stdout stays empty)
#include <cstdio>
#include <cstdlib>

#include <ft/ft.hpp>

void pass(ft::Chan<int> left, ft::Chan<int> right) {
  int v = 1 + right.recv();
  left.send(v);
}

void sendFirst(ft::Chan<int> ch) {
  ch.send(0);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 3;
  if (n < 0) {
    std::fprintf(stderr, "usage: daisy [n >= 0]\n");
    return 1;
  }
  return ft::run([n] {
    if (!std::getenv("FT_TRACE")) ft::trace::start(stdout);
    ft::Chan<int> leftmost;
    ft::Chan<int> right = leftmost;
    ft::Chan<int> left = leftmost;
    for (long i = 0; i < n; ++i) {
      right = ft::Chan<int>();
      ft::go(pass, left, right);
      left = right;
    }
    ft::go(sendFirst, right);
    std::fprintf(stderr, "%d\n", leftmost.recv());
    if (!std::getenv("FT_TRACE")) ft::trace::stop();
  });
}
