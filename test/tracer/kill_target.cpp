// The program tracer_kill_test kills with SIGKILL: ping-pong over two channels forever (traced
// with FT_TRACE), after writing "ready\n" to stdout once the main fiber runs (tracing is on).
#include <unistd.h>

#include <ft/ft.hpp>

__attribute__((noinline)) void kill_target_ponger(ft::Chan<long> ping, ft::Chan<long> pong) {
  for (;;) pong.send(ping.recv() + 1);
}

int main() {
  return ft::run([] {
    ft::Chan<long> ping, pong;
    ft::go(kill_target_ponger, ping, pong);
    if (write(1, "ready\n", 6) != 6) return 1;
    for (long v = 0;;) {
      ping.send(v);
      v = pong.recv();
    }
    return 0;
  });
}
