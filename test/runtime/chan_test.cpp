// Channel semantics: order, buffering, close, the range-for, try operations.
#include <catch2/catch.hpp>

#include <ft/ft.hpp>

#include <string>
#include <vector>

TEST_CASE("unbuffered channel hands values over in order") {
  std::vector<int> got;
  ft::run([&] {
    ft::Chan<int> c;
    ft::go([c]() mutable {
      for (int i = 0; i < 100; ++i) c.send(i);
      c.close();
    });
    for (int v : c) got.push_back(v);
  });
  REQUIRE(got.size() == 100);
  for (int i = 0; i < 100; ++i) REQUIRE(got[i] == i);
}

TEST_CASE("buffered channel holds exactly its capacity") {
  ft::run([] {
    ft::Chan<std::string> c(3);
    REQUIRE(c.capacity() == 3);
    REQUIRE(c.try_send("a"));
    REQUIRE(c.try_send("b"));
    REQUIRE(c.try_send("c"));
    REQUIRE_FALSE(c.try_send("d"));
    REQUIRE(c.size() == 3);
    REQUIRE(c.recv() == "a");
    REQUIRE(c.try_send("d"));
    REQUIRE(c.recv() == "b");
    REQUIRE(c.recv() == "c");
    REQUIRE(c.recv() == "d");
    REQUIRE_FALSE(c.try_recv().has_value());
  });
}

TEST_CASE("a full buffer blocks the sender until a receive, keeping FIFO order") {
  std::vector<int> got;
  ft::run([&] {
    ft::Chan<int> c(2);
    ft::Chan<bool> done(1);  // the sender's last act never blocks: it ends before main does
    ft::go([c, done]() mutable {
      for (int i = 0; i < 10; ++i) c.send(i);  // blocks on the 3rd until main receives
      done.send(true);
    });
    ft::sleep(std::chrono::milliseconds(5));
    REQUIRE(c.size() == 2);
    for (int i = 0; i < 10; ++i) got.push_back(c.recv());
    done.recv();
  });
  for (int i = 0; i < 10; ++i) REQUIRE(got[i] == i);
}

TEST_CASE("close wakes every waiting receiver with the zero value") {
  const int n = 50;
  std::atomic<int> woken{0}, zeros{0};
  ft::run([&] {
    ft::Chan<int> c;
    ft::WaitGroup wg;
    wg.add(n);
    for (int i = 0; i < n; ++i)
      ft::go([&, c]() mutable {
        auto v = c.recv_ok();
        if (!v) ++woken;
        if (ft::Chan<int>(c).recv() == 0) ++zeros;  // closed and drained: value-initialized
        wg.done();
      });
    ft::sleep(std::chrono::milliseconds(5));  // let them all block
    c.close();
    wg.wait();
  });
  REQUIRE(woken == n);
  REQUIRE(zeros == n);
}

TEST_CASE("close wakes blocked senders, which throw ChanClosed") {
  std::atomic<int> threw{0};
  ft::run([&] {
    ft::Chan<int> c;
    ft::WaitGroup wg;
    wg.add(3);
    for (int i = 0; i < 3; ++i)
      ft::go([&, c]() mutable {
        try {
          c.send(1);
        } catch (const ft::ChanClosed&) {
          ++threw;
        }
        wg.done();
      });
    ft::sleep(std::chrono::milliseconds(5));
    c.close();
    wg.wait();
  });
  REQUIRE(threw == 3);
}

TEST_CASE("send on a closed channel throws; receive drains then reports closed") {
  ft::run([] {
    ft::Chan<int> c(2);
    c.send(7);
    c.close();
    REQUIRE_THROWS_AS(c.send(1), ft::ChanClosed);
    REQUIRE_THROWS_AS(c.try_send(1), ft::ChanClosed);
    REQUIRE(c.recv_ok() == std::optional<int>(7));
    REQUIRE_FALSE(c.recv_ok().has_value());
    REQUIRE(c.recv() == 0);
  });
}

TEST_CASE("negative buffer size is rejected") {
  REQUIRE_THROWS_AS(ft::Chan<int>(-1), std::invalid_argument);
}

TEST_CASE("values with resources move through without copies or leaks") {
  ft::run([] {
    ft::Chan<std::unique_ptr<int>> c(1);
    ft::go([c]() mutable { c.send(std::make_unique<int>(5)); });
    auto p = c.recv();
    REQUIRE(p);
    REQUIRE(*p == 5);
    c.send(std::make_unique<int>(6));  // left in the buffer: freed with the channel
  });
}

TEST_CASE("channel handles are shared values") {
  ft::run([] {
    ft::Chan<int> a(1);
    ft::Chan<int> b = a;
    REQUIRE(a == b);
    REQUIRE(a.id() == b.id());
    b.send(3);
    REQUIRE(a.recv() == 3);
  });
}

TEST_CASE("ft::run returns main's result and can run again") {
  REQUIRE(ft::run([] { return 7; }) == 7);
  REQUIRE(ft::run([] {}) == 0);
  int total = 0;
  for (int r = 0; r < 3; ++r)
    total += ft::run([] {
      ft::Chan<int> c;
      ft::go([c]() mutable { c.send(1); });
      return c.recv();
    });
  REQUIRE(total == 3);
}

namespace {
int main_as_a_function() {
  ft::Chan<int> c(1);
  c.send(5);
  return c.recv();
}
}  // namespace

TEST_CASE("ft::run takes a function, or a closure passed by name") {
  REQUIRE(ft::run(main_as_a_function) == 5);
  int calls = 0;
  auto named = [&calls] { return ++calls; };
  REQUIRE(ft::run(named) == 1);
  const auto constant = [] { return 9; };
  REQUIRE(ft::run(constant) == 9);
}

TEST_CASE("a buffered channel's ring wraps around at any capacity, in FIFO order") {
  const long cap = GENERATE(1, 3, 5, 8);
  ft::run([cap] {
    ft::Chan<long> c(cap);
    long next_in = 0, next_out = 0;
    for (int lap = 0; lap < 10; ++lap) {
      // Fill partway and drain partway so that head and tail cross the end at every offset.
      for (long i = 0; i <= lap % cap && c.size() < static_cast<size_t>(cap); ++i)
        REQUIRE(c.try_send(next_in++));
      REQUIRE(c.size() == static_cast<size_t>(next_in - next_out));
      while (c.size() > static_cast<size_t>(lap % 2)) REQUIRE(c.recv() == next_out++);
    }
    while (c.size() > 0) REQUIRE(c.recv() == next_out++);
    while (c.try_send(next_in)) ++next_in;
    REQUIRE(c.size() == static_cast<size_t>(cap));
    while (auto v = c.try_recv()) REQUIRE(*v == next_out++);
    REQUIRE(next_out == next_in);
  });
}

TEST_CASE("close of a full buffered channel: blocked senders throw, buffered values still arrive") {
  std::atomic<int> threw{0};
  std::vector<int> got;
  ft::run([&] {
    ft::Chan<int> c(2);
    c.send(1);
    c.send(2);
    ft::WaitGroup wg;
    wg.add(3);
    for (int i = 0; i < 3; ++i)
      ft::go([&, c]() mutable {
        try {
          c.send(9);
        } catch (const ft::ChanClosed&) {
          ++threw;
        }
        wg.done();
      });
    ft::sleep(std::chrono::milliseconds(5));  // all three block on the full buffer
    c.close();
    wg.wait();
    for (int v : c) got.push_back(v);
  });
  REQUIRE(threw == 3);
  REQUIRE(got == std::vector<int>{1, 2});
}

TEST_CASE("close of an empty buffered channel wakes every waiting receiver") {
  const int n = 20;
  std::atomic<int> closed_seen{0};
  ft::run([&] {
    ft::Chan<int> c(4);
    ft::WaitGroup wg;
    wg.add(n);
    for (int i = 0; i < n; ++i)
      ft::go([&, c]() mutable {
        if (!c.recv_ok()) ++closed_seen;
        wg.done();
      });
    ft::sleep(std::chrono::milliseconds(5));
    c.close();
    wg.wait();
  });
  REQUIRE(closed_seen == n);
}
