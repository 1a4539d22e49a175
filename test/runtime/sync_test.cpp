// Mutex, WaitGroup, CondVar: exclusion and wake-ups with several workers.
#include <catch2/catch.hpp>

#include <ft/ft.hpp>

#include <deque>
#include <mutex>

TEST_CASE("mutex excludes across workers") {
  long counter = 0;  // deliberately not atomic: the mutex must protect it
  ft::run(
      [&] {
        ft::Mutex mu;
        ft::WaitGroup wg;
        const int fibers = 8, iters = 5000;
        wg.add(fibers);
        for (int f = 0; f < fibers; ++f)
          ft::go([&] {
            for (int i = 0; i < iters; ++i) {
              std::lock_guard<ft::Mutex> g(mu);
              long v = counter;
              if (i % 64 == 0) ft::yield();  // hold the lock across a switch
              counter = v + 1;
            }
            wg.done();
          });
        wg.wait();
      },
      ft::Config{.procs = 2});
  REQUIRE(counter == 8 * 5000);
}

TEST_CASE("try_lock fails while held") {
  ft::run([] {
    ft::Mutex mu;
    REQUIRE(mu.try_lock());
    REQUIRE_FALSE(mu.try_lock());
    mu.unlock();
    REQUIRE(mu.try_lock());
    mu.unlock();
  });
}

TEST_CASE("waitgroup waits for every done, and a zero group does not block") {
  std::atomic<int> finished{0};
  ft::run([&] {
    ft::WaitGroup wg;
    wg.wait();
    wg.add(20);
    for (int i = 0; i < 20; ++i)
      ft::go([&, i] {
        ft::sleep(std::chrono::microseconds(100 * (i % 5)));
        ++finished;
        wg.done();
      });
    wg.wait();
    REQUIRE(finished == 20);
  });
}

TEST_CASE("condvar: a bounded queue with producers and consumers") {
  long consumed = 0;
  ft::run(
      [&] {
        ft::Mutex mu;
        ft::CondVar not_empty, not_full;
        std::deque<int> q;
        ft::WaitGroup wg;
        const int items = 4000;
        wg.add(2);
        for (int p = 0; p < 2; ++p)
          ft::go([&] {
            for (int i = 0; i < items / 2; ++i) {
              std::unique_lock<ft::Mutex> g(mu);
              not_full.wait(mu, [&] { return q.size() < 4; });
              q.push_back(1);
              not_empty.notify_one();
            }
            wg.done();
          });
        for (int i = 0; i < items; ++i) {
          std::unique_lock<ft::Mutex> g(mu);
          not_empty.wait(mu, [&] { return !q.empty(); });
          consumed += q.front();
          q.pop_front();
          not_full.notify_all();
        }
        wg.wait();
      },
      ft::Config{.procs = 2});
  REQUIRE(consumed == 4000);
}
