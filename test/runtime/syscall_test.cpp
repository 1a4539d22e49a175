// ft::syscall: a long blocking call does not stop the other fibers, even on one worker.
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>

#include <ft/ft.hpp>

using namespace std::chrono_literals;

TEST_CASE("a fiber in a 200 ms syscall does not stop others on a 1-worker runtime") {
  ft::Clock::time_point others_done, syscall_done;
  long rounds = 0;
  ft::run(
      [&] {
        ft::Chan<int> done(2);
        ft::go([&, done]() mutable {
          ft::syscall([] { ::usleep(200'000); });
          syscall_done = ft::Clock::now();
          done.send(1);
        });
        ft::go([&, done]() mutable {
          // A ping-pong with a helper: needs the worker the syscall thread gave up.
          ft::Chan<int> ping, pong;
          ft::go([ping, pong]() mutable {
            for (int v : ping) pong.send(v + 1);
          });
          for (int i = 0; i < 1000; ++i) {
            ping.send(i);
            rounds += pong.recv() - i;
          }
          ping.close();
          others_done = ft::Clock::now();
          done.send(2);
        });
        done.recv();
        done.recv();
      },
      ft::Config{.procs = 1});
  REQUIRE(rounds == 1000);
  REQUIRE(others_done < syscall_done);
}

TEST_CASE("the thread count grows: four fibers are in blocking calls at once on 1 worker") {
  // Each call blocks until all four are inside one: that needs four threads at the same time.
  // Without growth the first call would wait alone, and give up after 10 s.
  std::atomic<int> inside{0};
  int together = 0;
  ft::run(
      [&] {
        ft::WaitGroup wg;
        ft::Mutex mu;
        for (int i = 0; i < 4; ++i) {
          wg.add(1);
          ft::go([&] {
            bool all = ft::syscall([&] {
              inside.fetch_add(1);
              for (int k = 0; k < 10'000 && inside.load() < 4; ++k) ::usleep(1000);
              return inside.load() == 4;
            });
            std::lock_guard<ft::Mutex> g(mu);
            together += all;
            wg.done();
          });
        }
        wg.wait();
      },
      ft::Config{.procs = 1});
  REQUIRE(together == 4);
}

TEST_CASE("syscall returns the callable's result; short calls keep their worker") {
  ft::run(
      [] {
        long sum = 0;
        for (int i = 0; i < 10000; ++i) sum += ft::syscall([i] { return i; });
        REQUIRE(sum == 10000L * 9999 / 2);
        int fd[2];
        REQUIRE(ft::syscall([&] { return ::pipe(fd); }) == 0);
        ft::go([w = fd[1]] {
          ft::sleep(2ms);
          ft::syscall([&] { return ::write(w, "x", 1); });
        });
        char c = 0;
        REQUIRE(ft::syscall([&] { return ::read(fd[0], &c, 1); }) == 1);
        REQUIRE(c == 'x');
        ::close(fd[0]);
        ::close(fd[1]);
      },
      ft::Config{.procs = 1});
}
