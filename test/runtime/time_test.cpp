// Timers: sleep order, after().
#include <catch2/catch.hpp>

#include <ft/ft.hpp>

#include <mutex>
#include <vector>

using namespace std::chrono_literals;

TEST_CASE("sleepers wake in deadline order") {
  std::vector<int> order;
  ft::run([&] {
    ft::Mutex mu;
    ft::WaitGroup wg;
    const int ms[] = {40, 10, 30, 0, 20};
    wg.add(5);
    for (int d : ms)
      ft::go([&, d] {
        ft::sleep(std::chrono::milliseconds(d));
        std::lock_guard<ft::Mutex> g(mu);
        order.push_back(d);
        wg.done();
      });
    wg.wait();
  });
  REQUIRE(order == std::vector<int>{0, 10, 20, 30, 40});
}

TEST_CASE("sleep lasts at least its duration and blocks only the fiber") {
  ft::run(
      [] {
        std::atomic<long> spins{0};
        std::atomic<bool> stop{false};
        ft::go([&] {
          while (!stop) {
            ++spins;
            ft::yield();
          }
        });
        auto t0 = ft::Clock::now();
        ft::sleep(15ms);
        REQUIRE(ft::Clock::now() - t0 >= 15ms);
        stop = true;
        REQUIRE(spins > 0);  // the other fiber ran on the one worker meanwhile
      },
      ft::Config{.procs = 1});
}

TEST_CASE("after delivers the time once") {
  ft::run([] {
    auto t0 = ft::Clock::now();
    auto c = ft::after(5ms);
    auto t = c.recv();
    REQUIRE(t - t0 >= 5ms);
    REQUIRE_FALSE(c.try_recv().has_value());
  });
}
