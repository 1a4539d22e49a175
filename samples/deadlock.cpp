// A deliberate deadlock: main waits for a result from `worker`, and the worker waits for a
// go-ahead that main never sends. Every fiber is blocked and no timer is pending, so the runtime
// does what Go does: it prints "fatal error: all fibers are asleep - deadlock!" with each fiber's
// state and start function, and exits with status 2 (instead of hanging). With FT_TRACE the
// trace is flushed before the exit and ends with both fibers blocked on a channel receive.
//
//   FT_TRACE=deadlock.trace ./deadlock   exits 2 with the report on stderr
#include <cstdio>

#include <ft/ft.hpp>

void worker(ft::Chan<int> go_ahead, ft::Chan<int> result) {
  int x = go_ahead.recv();  // never arrives
  result.send(x * 2);
}

int main() {
  return ft::run([] {
    ft::Chan<int> go_ahead, result;
    ft::go(worker, go_ahead, result);
    std::printf("result: %d\n", result.recv());  // the bug: main should send on go_ahead first
  });
}
