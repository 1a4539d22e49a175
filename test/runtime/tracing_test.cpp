// The runtime's side of tracing (runtime/tracing.cpp): a trace started while fibers already
// exist and channels already have names still describes them.
#include <catch2/catch.hpp>

#include <ft/ft.hpp>

#include <string>

#include "../tracer/trace_util.hpp"

using namespace ft::trace;

TEST_CASE("a trace started late names earlier channels and shows fibers already blocked") {
  uint64_t jobs_id = 0, idle_id = 0;
  // The session writes to a file and the file is read after ft::run: reading it inside a fiber
  // would put slurp()'s 64 KiB buffer on a 64 KiB fiber stack.
  const std::string path = ft_test::temp_path("late");
  ft::run([&] {
    ft::Chan<int> jobs(4);
    jobs.name("jobs");
    jobs_id = jobs.id();
    {
      ft::Chan<int> gone;
      gone.name("gone");  // destroyed before the trace starts: not described
    }
    ft::Chan<int> idle;
    idle_id = idle.id();
    ft::WaitGroup wg;
    wg.add(1);
    ft::go([jobs, &wg]() mutable {
      jobs.recv();  // blocked on a named channel when the trace starts
      wg.done();
    });
    ft::sleep(std::chrono::milliseconds(5));
    REQUIRE(ft::trace::start(path));
    jobs.send(1);
    wg.wait();
    ft::trace::stop();
  });
  auto r = ft_test::read_bytes(ft_test::slurp(path));
  unlink(path.c_str());
  INFO(r.res.error);
  REQUIRE(r.res.ok);
  std::vector<std::string> named;
  bool blocked_on_recv = false;
  for (const Event& e : r.events) {
    if (e.type == EventType::ChanName) {
      named.push_back(r.tables.strings.at(e.name()));
      CHECK(e.chan_id() == jobs_id);
    }
    if (e.type == EventType::GoStatus && e.status() == ft::trace::FiberStatus::Blocked &&
        e.reason() == Block::ChanRecv)
      blocked_on_recv = true;
  }
  CHECK(named == std::vector<std::string>{"jobs"});
  CHECK(blocked_on_recv);
  CHECK(idle_id != jobs_id);  // unnamed channels get no ChanName
}
