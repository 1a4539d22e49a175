// The chapter's first exercise: daisy with a sleep inside `pass`. Each pass fiber sleeps 1 ms
// before it receives, so the trace shows every pass blocked on "sleep" at once (the sleeps
// overlap: the chain still takes about 1 ms, not n ms), then woken by the timer, not by a fiber.
//
//   FT_TRACE=sleep.trace ./daisy_sleep        prints 3 on stderr
//   FT_TRACE=sleep.trace ./daisy_sleep 1000   a longer chain: still about 1 ms of sleeping
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <ft/ft.hpp>

using namespace std::chrono_literals;

void pass(ft::Chan<int> left, ft::Chan<int> right) {
  ft::sleep(1ms);
  int v = 1 + right.recv();
  left.send(v);
}

void sendFirst(ft::Chan<int> ch) {
  ch.send(0);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 3;
  if (n < 0) {
    std::fprintf(stderr, "usage: daisy_sleep [n >= 0]\n");
    return 1;
  }
  return ft::run([n] {
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
  });
}
