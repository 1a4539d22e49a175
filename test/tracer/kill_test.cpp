// Issue 14 item 9: a traced program killed with SIGKILL ~75 ms after tracing started leaves a
// readable trace: its events up to the writer's last cycle, its stacks as module+offset (the
// symbols are written only by a clean stop), named from the binary by resolve_symbols.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "trace_util.hpp"

TEST_CASE("SIGKILL 75 ms after start leaves a readable trace with events and stacks") {
  std::string path = ft_test::temp_path("kill");
  int out[2];
  REQUIRE(pipe(out) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    setenv("FT_TRACE", path.c_str(), 1);
    execl(FT_KILL_TARGET, FT_KILL_TARGET, nullptr);
    _exit(127);
  }
  close(out[1]);
  char buf[6] = {};
  REQUIRE(read(out[0], buf, sizeof buf) == 6);  // tracing runs; the main fiber ping-pongs
  usleep(75'000);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(out[0]);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  auto r = ft_test::read_bytes(ft_test::slurp(path));
  unlink(path.c_str());
  INFO(r.res.error);
  CHECK(!r.res.ok);  // no end marker: the program died
  CHECK(r.res.error.find("end marker") != std::string::npos);
  REQUIRE(!r.events.empty());  // batches reached the file, not a header alone
  bool blocks = false;
  uint32_t stack = 0;
  for (const auto& e : r.events)
    if (e.type == ft::trace::EventType::GoBlock && e.stack) blocks = true, stack = e.stack;
  REQUIRE(blocks);
  REQUIRE(stack < r.tables.stacks.size());
  // No symbols chunk (stop never ran): frames are module+offset until the binary names them.
  bool unsymbolized = false;
  for (const auto& f : r.tables.stacks[stack]) unsymbolized |= !f.symbolized;
  CHECK(unsymbolized);
  ft::trace::resolve_symbols(r.tables);
  bool parked = false;  // the runtime's frame every block passes through, now by name
  for (const auto& f : r.tables.stacks[stack]) parked |= f.func == "ft::rt::park" && f.symbolized;
  CHECK(parked);
  bool named = false;  // the start function, named from its entry address
  for (const auto& f : r.tables.funcs) named |= f == "kill_target_ponger";
  CHECK(named);
}
