// ft::net and the network poller: connections, EOF, deadlines, close and reset, a user's own
// descriptor, threads while fibers wait, and the dead-lock check. Loopback addresses only.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <ft/ft.hpp>

using namespace std::chrono_literals;
using ft::net::Conn;
using ft::net::Listener;

namespace {
ft::net::Deadline in(std::chrono::milliseconds d) {
  return ft::net::Clock::now() + d;
}

int os_threads() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  return -1;
}

void read_full(Conn& c, char* p, size_t n) {
  while (n > 0) {
    size_t k = c.read(p, n);
    REQUIRE(k > 0);
    p += k;
    n -= k;
  }
}

int port_of(const std::string& addr) {
  return std::stoi(addr.substr(addr.rfind(':') + 1));
}

// n clients at once, each `rounds` echoes of 64 bytes through its own server fiber.
long echo_many(int procs, int n, int rounds) {
  long total = 0;
  ft::run(
      [&] {
        Listener l = ft::net::listen("127.0.0.1:0");
        const std::string addr = l.addr();
        ft::go([&l, n] {
          for (int i = 0; i < n; ++i)
            ft::go(
                [](Conn c) {
                  char buf[256];
                  while (size_t k = c.read(buf, sizeof buf)) c.write(buf, k);
                },
                l.accept());
        });
        ft::Chan<long> done(n);
        for (int i = 0; i < n; ++i)
          ft::go([&addr, i, rounds, done]() mutable {
            Conn c = ft::net::dial(addr);
            char out[64], back[64];
            long ok = 0;
            for (int r = 0; r < rounds; ++r) {
              std::snprintf(out, sizeof out, "%d/%d", i, r);
              c.write(out, sizeof out);
              read_full(c, back, sizeof back);
              ok += std::memcmp(out, back, sizeof out) == 0;
            }
            done.send(ok);
          });
        for (int i = 0; i < n; ++i) total += done.recv();
      },
      ft::Config{procs, 0});
  return total;
}

void raise_fd_limit() {
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
}
}  // namespace

TEST_CASE("a listener on port 0 gets a real port; both ends name each other") {
  ft::run([] {
    Listener l = ft::net::listen("127.0.0.1:0");
    const std::string addr = l.addr();
    REQUIRE(addr.rfind("127.0.0.1:", 0) == 0);
    REQUIRE(port_of(addr) > 0);
    Conn s;
    ft::go([&] { s = l.accept(); });
    Conn c = ft::net::dial(addr);
    c.write("ping", 4);
    while (!s) ft::yield();
    char buf[4];
    read_full(s, buf, 4);
    REQUIRE(std::string(buf, 4) == "ping");
    REQUIRE(c.remote_addr() == addr);
    REQUIRE(s.remote_addr() == c.local_addr());
    REQUIRE(s.local_addr() == addr);
  });
}

TEST_CASE("many connections at once, on 1 and on 2 workers") {
  raise_fd_limit();
  REQUIRE(echo_many(1, 200, 20) == 200 * 20);
  REQUIRE(echo_many(2, 200, 20) == 200 * 20);
}

TEST_CASE("EOF: close_write and close reach the peer as a read of 0") {
  ft::run([] {
    Listener l = ft::net::listen("127.0.0.1:0");
    Conn c = ft::net::dial(l.addr());
    Conn s = l.accept();
    c.write("abc", 3);
    c.close_write();
    char buf[8];
    read_full(s, buf, 3);
    REQUIRE(s.read(buf, sizeof buf) == 0);
    s.write("back", 4);  // the other direction still works after close_write
    read_full(c, buf, 4);
    REQUIRE(std::string(buf, 4) == "back");
    s.close();
    REQUIRE(c.read(buf, sizeof buf) == 0);
    REQUIRE(!s);
    REQUIRE(s.fd() == -1);
  });
}

TEST_CASE("deadlines: read, write, accept and dial fail with Timeout") {
  ft::run([] {
    Listener l = ft::net::listen("127.0.0.1:0");
    Conn c = ft::net::dial(l.addr());
    Conn s = l.accept();
    char buf[16];

    const auto t0 = ft::net::Clock::now();
    c.set_read_deadline(in(20ms));
    try {
      c.read(buf, sizeof buf);
      FAIL("read returned without data");
    } catch (const ft::net::Timeout& e) {
      REQUIRE(e.code() == ETIMEDOUT);
      REQUIRE(std::string(e.what()).find("i/o timeout") != std::string::npos);
    }
    REQUIRE(ft::net::Clock::now() - t0 >= 20ms);  // not before its deadline
    // A deadline in the past fails at once; none again lets the read wait for data.
    c.set_read_deadline(ft::net::Clock::now() - 1ms);
    REQUIRE_THROWS_AS(c.read(buf, sizeof buf), ft::net::Timeout);
    c.set_read_deadline({});
    s.write("x", 1);
    REQUIRE(c.read(buf, sizeof buf) == 1);

    // The peer never reads: the socket buffers fill, then write waits until its deadline.
    c.set_write_deadline(in(50ms));
    std::vector<char> big(1 << 20, 'y');
    long written = 0;
    try {
      for (;;) {
        c.write(big.data(), big.size());
        written += static_cast<long>(big.size());
        REQUIRE(written < (1L << 30));
      }
    } catch (const ft::net::Timeout&) {
    }
    REQUIRE(written >= 0);

    l.set_deadline(in(20ms));
    REQUIRE_THROWS_AS(l.accept(), ft::net::Timeout);

    // A listener whose accept queue is full drops new SYNs: the dial waits until its timeout.
    int raw = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(raw, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(raw, 0) == 0);
    socklen_t len = sizeof a;
    ::getsockname(raw, reinterpret_cast<sockaddr*>(&a), &len);
    const std::string full = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    std::vector<Conn> queued;
    bool timed_out = false;
    for (int i = 0; i < 8 && !timed_out; ++i) {
      try {
        queued.push_back(ft::net::dial(full, 100ms));
      } catch (const ft::net::Timeout& e) {
        timed_out = true;
        REQUIRE(std::string(e.what()).find("dial tcp " + full) == 0);
      }
    }
    REQUIRE(timed_out);
    ::close(raw);
  });
}

TEST_CASE("close wakes a blocked read and a blocked accept with an error") {
  ft::run([] {
    Listener l = ft::net::listen("127.0.0.1:0");
    Conn c = ft::net::dial(l.addr());
    Conn s = l.accept();
    ft::Chan<int> errs(2);
    ft::go([&c, errs]() mutable {
      char buf[8];
      try {
        c.read(buf, sizeof buf);
        errs.send(0);
      } catch (const ft::net::Error& e) {
        errs.send(e.code());
      }
    });
    ft::go([&l, errs]() mutable {
      try {
        l.accept();
        errs.send(0);
      } catch (const ft::net::Error& e) {
        errs.send(e.code());
      }
    });
    ft::sleep(10ms);  // both are parked on the poller by now (if not, they fail the same way)
    c.close();
    l.close();
    REQUIRE(errs.recv() == EBADF);
    REQUIRE(errs.recv() == EBADF);
    REQUIRE_THROWS_AS(c.write("x", 1), ft::net::Error);
    REQUIRE_THROWS_AS(ft::net::dial("127.0.0.1:" + std::to_string(port_of(s.local_addr()))),
                      ft::net::Error);
  });
}

TEST_CASE("a peer's reset is an Error with ECONNRESET; a refused dial ECONNREFUSED") {
  ft::run([] {
    Listener l = ft::net::listen("127.0.0.1:0");
    const std::string addr = l.addr();
    Conn c = ft::net::dial(addr);
    Conn s = l.accept();
    linger lg{1, 0};  // close with RST
    REQUIRE(::setsockopt(s.fd(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
    s.close();
    char buf[8];
    try {
      c.read(buf, sizeof buf);
      FAIL("read after a reset returned");
    } catch (const ft::net::Error& e) {
      REQUIRE(e.code() == ECONNRESET);
      REQUIRE(std::string(e.what()).find("read tcp 127.0.0.1:") == 0);
    }
    l.close();
    try {
      ft::net::dial(addr);
      FAIL("dial to a closed listener succeeded");
    } catch (const ft::net::Error& e) {
      REQUIRE(e.code() == ECONNREFUSED);
    }
    REQUIRE_THROWS_AS(ft::net::listen("127.0.0.1"), ft::net::Error);
    REQUIRE_THROWS_AS(ft::net::listen("127.0.0.1:99999"), ft::net::Error);
    REQUIRE_THROWS_AS(ft::net::dial("[::1"), ft::net::Error);
  });
}

TEST_CASE("wait_readable on a pipe and an eventfd of the user's own") {
  ft::run([] {
    int p[2];
    REQUIRE(::pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
    std::atomic<bool> woke{false};
    ft::go([&] {
      ft::net::wait_readable(p[0]);
      woke = true;
    });
    ft::sleep(5ms);
    REQUIRE(!woke);  // nothing to read yet: it waits
    REQUIRE(::write(p[1], "z", 1) == 1);
    while (!woke) ft::sleep(1ms);
    char ch;
    REQUIRE(::read(p[0], &ch, 1) == 1);
    REQUIRE(ch == 'z');
    REQUIRE_THROWS_AS(ft::net::wait_readable(p[0], in(10ms)), ft::net::Timeout);
    ft::net::wait_writable(p[1]);  // an empty pipe is writable at once
    ::close(p[0]);
    ::close(p[1]);

    int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    ft::go([efd] {
      ft::sleep(2ms);
      uint64_t one = 1;
      REQUIRE(::write(efd, &one, sizeof one) == sizeof one);
    });
    ft::net::wait_readable(efd);
    uint64_t v = 0;
    REQUIRE(::read(efd, &v, sizeof v) == sizeof v);
    REQUIRE(v == 1);
    ::close(efd);
  });
}

TEST_CASE("1 000 fibers blocked on sockets hold no threads") {
  raise_fd_limit();
  constexpr int kN = 1000;
  int during = 0, procs = 0;
  ft::run(
      [&] {
        procs = ft::procs();
        Listener l = ft::net::listen("127.0.0.1:0");
        std::vector<Conn> clients, servers;
        for (int i = 0; i < kN; ++i) {
          clients.push_back(ft::net::dial(l.addr()));
          servers.push_back(l.accept());
        }
        ft::WaitGroup parked, finished;
        parked.add(kN);
        finished.add(kN);
        for (int i = 0; i < kN; ++i)
          ft::go([&, i] {
            char b;
            parked.done();
            REQUIRE(servers[i].read(&b, 1) == 1);  // parks on the poller
            finished.done();
          });
        parked.wait();
        ft::sleep(20ms);  // every reader reaches its read and parks
        during = os_threads();
        for (auto& c : clients) c.write("!", 1);
        finished.wait();
      },
      ft::Config{2, 0});
  INFO("threads while 1 000 fibers wait: " << during);
  // The workers, the monitor, the test's main thread, and at most a couple of spares.
  REQUIRE(during > 0);
  REQUIRE(during <= procs + 4);
}

TEST_CASE("a fiber waiting on the network is not a dead lock") {
  // Main blocks in accept and then in read with nothing else to run and no timer pending;
  // a plain thread connects and writes 30 ms later. A dead-lock report would exit the test.
  std::string got;
  ft::run(
      [&] {
        Listener l = ft::net::listen("127.0.0.1:0");
        const int port = port_of(l.addr());
        std::thread peer([port] {
          std::this_thread::sleep_for(30ms);
          int fd = ::socket(AF_INET, SOCK_STREAM, 0);
          sockaddr_in a{};
          a.sin_family = AF_INET;
          a.sin_port = htons(static_cast<uint16_t>(port));
          a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
            std::this_thread::sleep_for(30ms);
            (void)!::write(fd, "late", 4);
          }
          ::close(fd);
        });
        Conn s = l.accept();
        char buf[4];
        read_full(s, buf, 4);
        got.assign(buf, 4);
        ft::syscall([&] { peer.join(); });
      },
      ft::Config{1, 0});
  REQUIRE(got == "late");
}

TEST_CASE("a busy worker never idles, so the monitor polls for the fiber waiting on a socket") {
  // One worker, and main never lets it go idle (it yields in a loop): no worker polls, so only
  // the monitor's 10 ms poll can wake the reader. Without it this loop would never end.
  std::atomic<bool> got{false};
  ft::run(
      [&] {
        Listener l = ft::net::listen("127.0.0.1:0");
        const int port = port_of(l.addr());
        std::thread peer([port] {
          int fd = ::socket(AF_INET, SOCK_STREAM, 0);
          sockaddr_in a{};
          a.sin_family = AF_INET;
          a.sin_port = htons(static_cast<uint16_t>(port));
          a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
            std::this_thread::sleep_for(20ms);  // the reader is parked by then
            (void)!::write(fd, "!", 1);
            std::this_thread::sleep_for(50ms);
          }
          ::close(fd);
        });
        Conn s = l.accept();
        ft::go([&] {
          char b;
          if (s.read(&b, 1) == 1) got = true;
        });
        while (!got) ft::yield();
        ft::syscall([&] { peer.join(); });
      },
      ft::Config{1, 0});
  REQUIRE(got);
}
