// The concurrent prime sieve: `generate` sends 2, 3, 4, ... down a channel; each prime found
// starts one more `filter` fiber that drops that prime's multiples, so the chain grows by one
// fiber per prime. The goroutine analysis shows `filter N=<primes>`, and a number reaching the
// end of the chain has gone through one channel handoff per filter on its way.
//
//   FT_TRACE=sieve.trace ./sieve       prints the first 10 primes, one per line
//   FT_TRACE=sieve.trace ./sieve 100   the first 100 (100 filter fibers)
#include <cstdio>
#include <cstdlib>

#include <ft/ft.hpp>

// Sends 2, 3, 4, ... until the channel is closed by its reader, then says so on done.
void generate(ft::Chan<int> out, ft::Chan<bool> done) {
  try {
    for (int i = 2;; ++i) out.send(i);
  } catch (const ft::ChanClosed&) {
  }
  done.send(true);
}

// Copies in to out, dropping multiples of prime. When its reader closes out, it closes in:
// the shutdown travels right to left, down to generate.
void filter(ft::Chan<int> in, ft::Chan<int> out, int prime) {
  try {
    for (;;) {
      int v = in.recv();
      if (v % prime != 0) out.send(v);
    }
  } catch (const ft::ChanClosed&) {
  }
  in.close();
}

int main(int argc, char** argv) {
  long n = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 10;
  if (n < 1 || n > 100000) {
    std::fprintf(stderr, "usage: sieve [1 <= primes <= 100000]\n");
    return 1;
  }
  return ft::run([n] {
    ft::Chan<int> ch;
    ft::Chan<bool> done;
    ft::go(generate, ch, done);
    for (long i = 0; i < n; ++i) {
      int prime = ch.recv();
      std::printf("%d\n", prime);
      ft::Chan<int> next;
      ft::go(filter, ch, next, prime);
      ch = next;
    }
    ch.close();
    done.recv();  // every filter has closed its input: the chain is down
  });
}
