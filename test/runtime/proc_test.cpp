// Scheduler policies that are observable from fibers.
#include <catch2/catch.hpp>

#include <ft/ft.hpp>

#include <algorithm>
#include <atomic>

TEST_CASE("a loop creating fibers faster than they run keeps its backlog bounded") {
  // Without back-pressure the creator runs ahead and nearly all 200 000 fibers wait in the
  // global queue at once (a record each). With it, the creator yields to the back of the
  // global queue once the backlog passes 2048 per worker, so at most a few thousand wait.
  const int procs = GENERATE(1, 2);
  const long n = 200'000;
  long most_waiting = 0;
  std::atomic<long> finished{0};
  ft::run(
      [&] {
        ft::WaitGroup wg;
        wg.add(n);
        for (long i = 0; i < n; ++i) {
          ft::go([&] {
            finished.fetch_add(1, std::memory_order_relaxed);
            wg.done();
          });
          most_waiting = std::max(most_waiting, i + 1 - finished.load());
        }
        wg.wait();
      },
      ft::Config{.procs = procs});
  REQUIRE(finished == n);
  REQUIRE(most_waiting < 20'000);
}
