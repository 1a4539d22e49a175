// Two fibers passing a counter back and forth over unbuffered channels.
#include <cstdio>
#include <cstdlib>

#include <ft/ft.hpp>

void pong(ft::Chan<int> in, ft::Chan<int> out) {
  for (int v : in) out.send(v + 1);
  out.close();
}

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 100;
  return ft::run([n] {
    ft::Chan<int> ping, back;
    ft::go(pong, ping, back);
    int v = 0;
    for (int i = 0; i < n; ++i) {
      ping.send(v);
      v = back.recv();
    }
    ping.close();
    back.recv_ok();  // pong closes back once ping is closed: it has ended
    std::printf("ping-pong: %d round trips, last value %d\n", n, v);
  });
}
