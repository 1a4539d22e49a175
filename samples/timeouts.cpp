// select with timeouts. `server` answers a request after the delay the request asks for; main
// gives each request 5 ms (ft::case_timeout), so the slow ones time out. Reply channels are
// buffered, so a late server still finishes: main collects the late replies afterwards in a
// loop bounded by ft::after, Go's time.After. In the trace, main blocks in `select` and is woken
// by a server fiber (a reply) or by the timer (a timeout).
//
//   FT_TRACE=timeouts.trace ./timeouts   prints one line per request, then the late replies
#include <chrono>
#include <cstdio>
#include <vector>

#include <ft/ft.hpp>

using namespace std::chrono;
using namespace std::chrono_literals;

void server(milliseconds delay, ft::Chan<int> reply) {
  ft::sleep(delay);
  reply.send(static_cast<int>(delay.count()));
}

int main() {
  return ft::run([] {
    const std::vector<milliseconds> delays = {0ms, 1ms, 20ms, 40ms};
    std::vector<ft::Chan<int>> late;
    for (milliseconds d : delays) {
      ft::Chan<int> reply(1);
      ft::go(server, d, reply);
      ft::select(ft::case_recv(reply, [](int ms) { std::printf("request %2d ms: reply\n", ms); }),
                 ft::case_timeout(5ms, [&] {
                   std::printf("request %2d ms: timed out after 5 ms\n",
                               static_cast<int>(d.count()));
                   late.push_back(reply);
                 }));
    }
    // Collect the late replies, but wait 200 ms at most for all of them.
    auto deadline = ft::after(200ms);
    ft::Chan<int> replies(late.size());
    for (auto& r : late) ft::go([r, replies]() mutable { replies.send(r.recv()); });
    for (size_t got = 0; got < late.size();) {
      bool timed_out = false;
      ft::select(ft::case_recv(replies,
                               [&](int ms) {
                                 std::printf("late reply %d ms\n", ms);
                                 ++got;
                               }),
                 ft::case_recv(deadline, [&] { timed_out = true; }));
      if (timed_out) {
        std::printf("gave up on %zu late replies\n", late.size() - got);
        return 1;
      }
    }
    return 0;
  });
}
