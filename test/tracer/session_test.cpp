// Sessions: all threads recording at once, start/stop twice, FT_TRACE, the flight recorder, and
// traces of processes that exit or crash without stop().
#include <sys/wait.h>

#include <unistd.h>
#include <csignal>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <thread>

#include "trace_util.hpp"
#include "tracer/record.hpp"

using namespace ft::trace;
using ft_test::capture;
using ft_test::read_bytes;

namespace {

// Emits n Threads events whose total counts 0..n-1: easy to check for gaps and order.
void count_events(uint32_t n) {
  for (uint32_t i = 0; i < n; i++) rec::threads(i, 7);
}

std::vector<uint64_t> counts_of(const std::vector<Event>& evs, uint32_t thread) {
  std::vector<uint64_t> out;
  for (const auto& e : evs)
    if (e.type == EventType::Threads && e.thread == thread) out.push_back(e.threads_total());
  return out;
}

}  // namespace

TEST_CASE("all threads tracing at once") {
  constexpr int kThreads = 4;
  constexpr uint64_t kRounds = 30000;
  auto bytes = capture([] {
    std::vector<std::thread> ths;
    for (int t = 0; t < kThreads; t++) {
      ths.emplace_back([t] {
        rec::proc_start(uint32_t(t));
        uint64_t g = 1000 * uint64_t(t + 1);
        for (uint64_t i = 0; i < kRounds; i++) {
          rec::go_start(g + i % 3, nullptr, nullptr);
          rec::go_unblock(g + (i + 1) % 3, Block::ChanSend, uint64_t(t) * 10 + i % 2);
          rec::go_block(Block::ChanRecv, uint64_t(t) * 10 + i % 2);
        }
        rec::proc_stop(uint32_t(t));
      });
    }
    for (auto& th : ths) th.join();
  });
  auto r = read_bytes(bytes);
  INFO(r.res.error);
  REQUIRE(r.res.ok);
  std::map<uint32_t, std::vector<Event>> per_thread;
  for (size_t i = 0; i < r.events.size(); i++) {
    if (i) REQUIRE(r.events[i - 1].ts <= r.events[i].ts);
    per_thread[r.events[i].thread].push_back(r.events[i]);
  }
  int seen = 0;
  for (auto& [thread, evs] : per_thread) {
    if (evs.empty() || evs[0].type != EventType::ProcStart) continue;  // the writer thread
    seen++;
    REQUIRE(evs.size() == 2 + 3 * kRounds);
    uint32_t proc = evs[0].proc_id();
    uint64_t g = 1000 * uint64_t(proc + 1);
    for (uint64_t i = 0; i < kRounds; i++) {
      const Event& s = evs[1 + 3 * i];
      const Event& u = evs[2 + 3 * i];
      const Event& b = evs[3 + 3 * i];
      REQUIRE(s.type == EventType::GoStart);
      REQUIRE(s.g == g + i % 3);
      REQUIRE(s.proc == int32_t(proc));
      REQUIRE(u.type == EventType::GoUnblock);
      REQUIRE(u.g == g + (i + 1) % 3);
      REQUIRE(u.object() == proc * 10 + i % 2);
      REQUIRE(u.waker() == g + i % 3);
      REQUIRE(b.type == EventType::GoBlock);
      REQUIRE(b.g == g + i % 3);
      REQUIRE(b.object() == proc * 10 + i % 2);
    }
    CHECK(evs.back().type == EventType::ProcStop);
  }
  CHECK(seen == kThreads);
}

TEST_CASE("start and stop twice in one process") {
  for (int round = 0; round < 2; round++) {
    auto bytes = capture([&] {
      rec::chan_name(5, "same-name");
      count_events(1000 + uint32_t(round));
      rec::go_create(9, nullptr);
    });
    auto r = read_bytes(bytes);
    INFO(r.res.error);
    REQUIRE(r.res.ok);
    uint32_t thread = UINT32_MAX;
    for (const auto& e : r.events)
      if (e.type == EventType::ChanName) {
        thread = e.thread;
        CHECK(r.tables.strings.at(e.name()) == "same-name");  // self-contained each time
      }
    auto c = counts_of(r.events, thread);
    REQUIRE(c.size() == 1000 + size_t(round));
    for (size_t i = 0; i < c.size(); i++) CHECK(c[i] == i);
    // The creator's stack is symbolized in both traces.
    for (const auto& e : r.events)
      if (e.type == EventType::GoCreate) CHECK(!r.tables.stacks.at(e.stack).empty());
  }
  CHECK(!tracing());
  CHECK(start(ft_test::temp_path("x")) == true);
  CHECK(start(ft_test::temp_path("y")) == false);  // one session at a time
  stop();
  unlink(ft_test::temp_path("x").c_str());
  unlink(ft_test::temp_path("y").c_str());
}

TEST_CASE("FT_TRACE starts and stops a session") {
  std::string path = ft_test::temp_path("env");
  setenv("FT_TRACE", path.c_str(), 1);
  REQUIRE(start_from_env());
  count_events(10);
  stop_from_env();
  unsetenv("FT_TRACE");
  CHECK(!start_from_env());
  auto r = read_bytes(ft_test::slurp(path));
  unlink(path.c_str());
  REQUIRE(r.res.ok);
  size_t n = 0;
  for (const auto& e : r.events) n += e.type == EventType::Threads;
  CHECK(n == 10);
}

TEST_CASE("flight recorder keeps the last window by bytes") {
  FlightRecorder::Config cfg;
  cfg.max_bytes = 512 * 1024;
  FlightRecorder fr(cfg);
  REQUIRE(fr.start());
  CHECK(!start(ft_test::temp_path("z")));  // the recorder is the session
  constexpr uint32_t kN = 2'000'000;       // ~4 bytes each: far beyond the window
  count_events(kN);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::string path = ft_test::temp_path("flight");
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(fr.write_to(fd));
  close(fd);
  count_events(5);  // still recording after the dump
  fr.stop();
  auto bytes = ft_test::slurp(path);
  unlink(path.c_str());
  auto r = read_bytes(bytes);
  INFO(r.res.error);
  REQUIRE(r.res.ok);
  CHECK(bytes.size() < cfg.max_bytes + 4 * 65536);
  uint32_t thread = UINT32_MAX;
  for (const auto& e : r.events)
    if (e.type == EventType::Threads) thread = e.thread;
  auto c = counts_of(r.events, thread);
  REQUIRE(!c.empty());
  CHECK(c.back() == kN - 1);  // up to the moment of the dump, partial batch included
  CHECK(c.front() > kN / 2);  // the old part is gone
  for (size_t i = 1; i < c.size(); i++) REQUIRE(c[i] == c[i - 1] + 1);  // contiguous
  CHECK(r.events.front().ts < 1'000'000'000);  // time 0 is the window's start
}

TEST_CASE("flight recorder keeps the last window by age") {
  FlightRecorder::Config cfg;
  cfg.max_age = std::chrono::milliseconds(30);
  FlightRecorder fr(cfg);
  REQUIRE(fr.start());
  count_events(300000);  // many whole batches, handed off
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  count_events(10);
  std::string path = ft_test::temp_path("flight_age");
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fr.write_to(fd));
  close(fd);
  fr.stop();
  CHECK(!fr.write_to(1));
  auto r = read_bytes(ft_test::slurp(path));
  unlink(path.c_str());
  REQUIRE(r.res.ok);
  uint32_t thread = UINT32_MAX;
  for (const auto& e : r.events)
    if (e.type == EventType::Threads) thread = e.thread;
  auto c = counts_of(r.events, thread);
  REQUIRE(!c.empty());
  // Only the batch that was still open (at most one batch of the first burst) plus the rest.
  CHECK(c.size() < 20000);
  CHECK(c.back() == 9);
}

namespace {
// Runs body in a child process and returns the child's wait status.
template <class F>
int in_child(F&& body) {
  fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}
}  // namespace

TEST_CASE("exit() without stop leaves a complete trace") {
  std::string path = ft_test::temp_path("exit");
  int status = in_child([&] {
    start(path);
    std::thread([] {  // still recording while the process exits
      for (uint32_t i = 0;; i++) rec::proc_start(i % 8);
    })
        .detach();
    count_events(100000);
    exit(0);
  });
  CHECK(WIFEXITED(status));
  auto r = read_bytes(ft_test::slurp(path));
  unlink(path.c_str());
  INFO(r.res.error);
  CHECK(r.res.ok);
  uint32_t thread = UINT32_MAX;
  for (const auto& e : r.events)
    if (e.type == EventType::Threads) thread = e.thread;
  CHECK(counts_of(r.events, thread).size() == 100000);
}

TEST_CASE("a fatal signal flushes the recorded batches") {
  std::string path = ft_test::temp_path("crash");
  int status = in_child([&] {
    signal(SIGABRT, SIG_DFL);  // chain to the default action, not to Catch's reporter
    Options o;
    o.stacks = false;
    start(path, o);
    count_events(100000);
    abort();
  });
  CHECK(WIFSIGNALED(status));
  auto r = read_bytes(ft_test::slurp(path));
  unlink(path.c_str());
  INFO(r.res.error);
  uint32_t thread = UINT32_MAX;
  for (const auto& e : r.events)
    if (e.type == EventType::Threads) thread = e.thread;
  auto c = counts_of(r.events, thread);
  CHECK(c.size() == 100000);
}
