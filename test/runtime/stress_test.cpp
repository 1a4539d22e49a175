// Stress for ThreadSanitizer: >= 1 000 000 channel operations across two workers, with
// unbuffered handoffs, buffered queues, select and close all mixed. Runs in every build; the
// TSan build (label tsan) is where it earns its keep.
#include <catch2/catch.hpp>

#include <ft/ft.hpp>

TEST_CASE("a million channel operations across workers lose nothing") {
  const int pairs = 8, per = 70'000;  // 8 pairs x 70 000 x 2 ops = 1.12 M operations
  long total = 0;
  ft::run(
      [&] {
        ft::Chan<long> results(pairs);
        for (int p = 0; p < pairs; ++p) {
          ft::Chan<int> c(p % 2 ? 0 : 16);
          ft::Chan<int> side;
          ft::go([c, side]() mutable {
            for (int i = 0; i < per; ++i) {
              if (i % 7 == 0)
                ft::select(ft::case_send(c, i), ft::case_send(side, i));
              else
                c.send(i);
            }
            c.close();
            side.close();
          });
          ft::go([c, side, results]() mutable {
            long sum = 0;
            bool c_open = true, side_open = true;
            while (c_open || side_open) {
              ft::select(ft::case_recv(c,
                                       [&](std::optional<int> v) {
                                         if (v)
                                           sum += *v;
                                         else
                                           c_open = false;
                                       }),
                         ft::case_recv(side, [&](std::optional<int> v) {
                           if (v)
                             sum += *v;
                           else
                             side_open = false;
                         }));
              if (!c_open) c = ft::Chan<int>();  // closed: stop selecting on it
              if (!side_open) side = ft::Chan<int>();
            }
            results.send(sum);
          });
        }
        for (int p = 0; p < pairs; ++p) total += results.recv();
      },
      ft::Config{.procs = 2});
  REQUIRE(total == pairs * (long(per) * (per - 1) / 2));
}

TEST_CASE("many senders and receivers on one small buffered channel lose nothing") {
  // Capacity 1 keeps the ring at full/empty all the time, so nearly every operation goes
  // through the waiter protocol (register, re-check, park, wake); capacity 7 exercises the
  // lock-free path with wrap-around. Half the receivers use select with a timeout case.
  const long cap = GENERATE(1L, 7L);
  const int senders = 4, receivers = 4, per = 40'000;
  long total = 0, count = 0;
  ft::run(
      [&] {
        ft::Chan<long> c(cap);
        ft::Chan<long> sums(receivers), counts(receivers);
        ft::WaitGroup wg;
        wg.add(senders);
        for (int s = 0; s < senders; ++s)
          ft::go([c, s, &wg]() mutable {
            for (long i = 0; i < per; ++i) {
              if (i % 5 == 0)
                ft::select(ft::case_send(c, s * long(per) + i));
              else
                c.send(s * long(per) + i);
            }
            wg.done();
          });
        for (int r = 0; r < receivers; ++r)
          ft::go([c, sums, counts, r]() mutable {
            long sum = 0, n = 0;
            for (bool open = true; open;) {
              if (r % 2) {
                ft::select(ft::case_recv(c,
                                         [&](std::optional<long> v) {
                                           if (v) {
                                             sum += *v;
                                             ++n;
                                           } else {
                                             open = false;
                                           }
                                         }),
                           ft::case_timeout(std::chrono::milliseconds(50), [] {}));
              } else if (auto v = c.recv_ok()) {
                sum += *v;
                ++n;
              } else {
                open = false;
              }
            }
            sums.send(sum);
            counts.send(n);
          });
        wg.wait();
        c.close();
        for (int r = 0; r < receivers; ++r) {
          total += sums.recv();
          count += counts.recv();
        }
      },
      ft::Config{.procs = 2});
  const long n = long(senders) * per;
  REQUIRE(count == n);
  REQUIRE(total == n * (n - 1) / 2);
}
