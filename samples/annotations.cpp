// User annotations, Go's runtime/trace NewTask / WithRegion / Log: each order of coffee is a
// task spanning three fibers (grind, brew, steam), each step a region inside it, and logs say
// which order is which. The viewer's "User-defined tasks and regions" page lists the tasks with
// their durations; in View trace the regions sit on the fibers that ran them.
//
//   FT_TRACE=annotations.trace ./annotations     3 orders
//   FT_TRACE=annotations.trace ./annotations 10  10 orders
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <ft/ft.hpp>

using namespace std::chrono_literals;

void step(const ft::trace::Task* order, const char* name, std::chrono::microseconds t,
          ft::WaitGroup* wg) {
  {
    ft::trace::Region region(*order, name);
    ft::sleep(t);
  }
  wg->done();
}

void make_coffee(int i, ft::Chan<int> served) {
  ft::trace::Task order("make coffee");
  ft::trace::log(order, "order", "coffee #" + std::to_string(i));
  ft::WaitGroup wg;
  wg.add(2);
  ft::go(step, &order, "grind", 300us, &wg);
  ft::go(step, &order, "steam milk", 200us, &wg);
  wg.wait();
  {
    ft::trace::Region brew(order, "brew");
    ft::sleep(400us);
  }
  ft::trace::log(order, "served", "coffee #" + std::to_string(i));
  served.send(i);
}

int main(int argc, char** argv) {
  long n = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 3;
  if (n < 0) {
    std::fprintf(stderr, "usage: annotations [orders >= 0]\n");
    return 1;
  }
  return ft::run([n] {
    ft::Chan<int> served;
    ft::trace::with_region("take orders", [&] {
      for (int i = 1; i <= n; ++i) ft::go(make_coffee, i, served);
    });
    for (long i = 0; i < n; ++i) served.recv();
    std::printf("%ld coffees served\n", n);
  });
}
