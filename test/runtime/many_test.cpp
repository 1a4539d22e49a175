// Scale: a daisy chain of 1 000 000 live fibers (the chapter's "many more goroutines").
#include <catch2/catch.hpp>

#include <ft/ft.hpp>

static void chain_link(ft::Chan<int> left, ft::Chan<int> right) {
  left.send(1 + right.recv());
}

TEST_CASE("1 000 000 live fibers in a daisy chain") {
  const int n = 1'000'000;
  int got = ft::run([] {
    ft::Chan<int> leftmost;
    ft::Chan<int> left = leftmost, right = leftmost;
    for (int i = 0; i < n; ++i) {
      right = ft::Chan<int>();
      ft::go(chain_link, left, right);
      left = right;
    }
    ft::go([right]() mutable { right.send(0); });
    return leftmost.recv();
  });
  REQUIRE(got == n);
}
