// select: readiness, fairness, default, timeout, close, send cases.
#include <catch2/catch.hpp>

#include <ft/ft.hpp>

using namespace std::chrono_literals;

TEST_CASE("select picks uniformly among ready cases: none starves over 10 000 rounds") {
  int hits[3] = {0, 0, 0};
  ft::run([&] {
    ft::Chan<int> a(1), b(1), c(1);
    for (int i = 0; i < 10000; ++i) {
      a.try_send(1);
      b.try_send(2);
      c.try_send(3);
      int r = ft::select(ft::case_recv(a), ft::case_recv(b), ft::case_recv(c));
      ++hits[r];
    }
  });
  // Each case should win ~3333 times; 2500 is more than 17 standard deviations away.
  for (int h : hits) REQUIRE(h > 2500);
  REQUIRE(hits[0] + hits[1] + hits[2] == 10000);
}

TEST_CASE("select default runs when nothing is ready") {
  ft::run([] {
    ft::Chan<int> c;
    bool def = false;
    int r = ft::select(ft::case_recv(c, [](int) { FAIL("nothing was sent"); }),
                       ft::case_default([&] { def = true; }));
    REQUIRE(r == 1);
    REQUIRE(def);
  });
}

TEST_CASE("select timeout fires when nothing arrives, and not when something does") {
  ft::run([] {
    ft::Chan<int> c;
    auto t0 = ft::Clock::now();
    int r = ft::select(ft::case_recv(c), ft::case_timeout(20ms));
    REQUIRE(r == 1);
    REQUIRE(ft::Clock::now() - t0 >= 20ms);

    ft::go([c]() mutable {
      ft::sleep(1ms);
      c.send(9);
    });
    int got = 0;
    r = ft::select(ft::case_recv(c, [&](int v) { got = v; }), ft::case_timeout(10s));
    REQUIRE(r == 0);
    REQUIRE(got == 9);
  });
}

TEST_CASE("select blocks until one of several channels is ready, then runs its body") {
  ft::run([] {
    ft::Chan<int> a, b;
    ft::go([b]() mutable { b.send(42); });
    int got = 0;
    int r = ft::select(ft::case_recv(a, [&](int v) { got = -v; }),
                       ft::case_recv(b, [&](int v) { got = v; }));
    REQUIRE(r == 1);
    REQUIRE(got == 42);
  });
}

TEST_CASE("select send case hands the value to a waiting receiver") {
  ft::run([] {
    ft::Chan<std::string> out;
    ft::Chan<int> never;
    ft::Chan<std::string> seen(1);
    ft::go([out, seen]() mutable { seen.send(out.recv()); });
    bool sent = false;
    int r = ft::select(ft::case_recv(never), ft::case_send(out, "hello", [&] { sent = true; }));
    REQUIRE(r == 1);
    REQUIRE(sent);
    REQUIRE(seen.recv() == "hello");
  });
}

TEST_CASE("close wakes a select; its receive case sees closed") {
  ft::run([] {
    ft::Chan<int> a, b;
    ft::go([a]() mutable {
      ft::sleep(1ms);
      a.close();
    });
    std::optional<int> got = 5;
    int r = ft::select(ft::case_recv(a, [&](std::optional<int> v) { got = v; }), ft::case_recv(b));
    REQUIRE(r == 0);
    REQUIRE_FALSE(got.has_value());
  });
}

TEST_CASE("many selects racing on shared channels lose no value") {
  long sum = 0;
  ft::run(
      [&] {
        ft::Chan<int> a, b;
        ft::Chan<long> res(8);
        const int producers = 4, per = 2000;
        for (int p = 0; p < producers; ++p)
          ft::go([a, b, p]() mutable {
            for (int i = 1; i <= per; ++i) {
              if ((i + p) % 2)
                a.send(i);
              else
                b.send(i);
            }
          });
        for (int k = 0; k < 4; ++k)
          ft::go([a, b, res]() mutable {
            long s = 0;
            for (int i = 0; i < producers * per / 4; ++i)
              ft::select(ft::case_recv(a, [&](int v) { s += v; }),
                         ft::case_recv(b, [&](int v) { s += v; }));
            res.send(s);
          });
        for (int k = 0; k < 4; ++k) sum += res.recv();
      },
      ft::Config{.procs = 2});
  REQUIRE(sum == 4L * (2000L * 2001 / 2));
}
