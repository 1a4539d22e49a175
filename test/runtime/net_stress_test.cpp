// Stress for ThreadSanitizer, network side: the poller's semaphores, deadline timers and close
// racing wake-ups, across two workers and sysmon. 32 echo connections, each 300 round trips,
// while a fiber keeps moving a read deadline on a silent connection and another closes
// connections with reads parked on them. Runs in every build; the TSan build is where it
// earns its keep.
#include <catch2/catch.hpp>
#include <cstring>

#include <ft/ft.hpp>

using namespace std::chrono_literals;

TEST_CASE("echo, moving deadlines and close racing parked reads lose nothing") {
  constexpr int kConns = 32, kRounds = 300, kClosers = 50;
  long echoed = 0, closed_wakeups = 0, timeouts = 0;
  ft::run(
      [&] {
        ft::net::Listener l = ft::net::listen("127.0.0.1:0");
        const std::string addr = l.addr();
        ft::go([&l] {
          for (;;) {
            ft::net::Conn c;
            try {
              c = l.accept();
            } catch (const ft::net::Error&) {
              return;
            }
            ft::go(
                [](ft::net::Conn c) {
                  char buf[128];
                  try {
                    while (size_t n = c.read(buf, sizeof buf)) c.write(buf, n);
                  } catch (const ft::net::Error&) {
                  }
                },
                std::move(c));
          }
        });
        ft::Chan<long> done(kConns + kClosers + 1);
        for (int i = 0; i < kConns; ++i)
          ft::go([&addr, done]() mutable {
            ft::net::Conn c = ft::net::dial(addr);
            char out[64] = "stress", back[64];
            long ok = 0;
            for (int r = 0; r < kRounds; ++r) {
              c.write(out, sizeof out);
              size_t got = 0;
              while (got < sizeof back) got += c.read(back + got, sizeof back - got);
              ok += std::memcmp(out, back, sizeof out) == 0;
            }
            done.send(ok);
          });
        // Reads parked on connections that a second fiber closes at once.
        for (int i = 0; i < kClosers; ++i)
          ft::go([&addr, done]() mutable {
            ft::net::Conn c = ft::net::dial(addr);
            ft::Chan<long> r(1);
            ft::go([&c, r]() mutable {
              char b;
              try {
                c.read(&b, 1);
                r.send(0);
              } catch (const ft::net::Error& e) {
                r.send(e.code() == EBADF);
              }
            });
            ft::yield();
            c.close();
            done.send(-r.recv());  // negative: counted apart
          });
        // A silent connection whose deadline moves while its reader waits.
        ft::go([&addr, done]() mutable {
          ft::net::Conn c = ft::net::dial(addr);
          long t = 0;
          for (int i = 0; i < 40; ++i) {
            c.set_read_deadline(ft::net::Clock::now() + 1ms);
            try {
              char b;
              c.read(&b, 1);
            } catch (const ft::net::Timeout&) {
              ++t;
            }
          }
          done.send(1000000 + t);
        });
        for (int i = 0; i < kConns + kClosers + 1; ++i) {
          long v = done.recv();
          if (v >= 1000000)
            timeouts = v - 1000000;
          else if (v <= 0)
            closed_wakeups -= v;
          else
            echoed += v;
        }
        l.close();
      },
      ft::Config{2, 0});
  REQUIRE(echoed == long(kConns) * kRounds);
  REQUIRE(closed_wakeups == kClosers);
  REQUIRE(timeouts == 40);
}
