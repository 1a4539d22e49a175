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
