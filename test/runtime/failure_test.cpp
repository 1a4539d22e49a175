// Failure behaviour, checked in a subprocess: the report's text and a non-zero exit.
#include <sys/mman.h>
#include <sys/wait.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

namespace {
struct Outcome {
  int status;
  std::string err;
};

Outcome probe(const std::string& mode, const std::string& env = "") {
  std::string cmd = env + " " + std::string(FT_PROBE) + " " + mode + " 2>&1 >/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), out};
}
// The probes that park 20 000 fibers cannot run under TSan, which counts each fiber as a
// thread and stops at 8 128 (the tsan label runs runtime_stress, not these).
bool skipped_under_tsan() {
#if defined(FT_TSAN)
  WARN("skipped under TSan: 20 000 fibers exceed its 8 128 threads");
  return true;
#else
  return false;
#endif
}
bool has(const std::string& s, const char* part) {
  return s.find(part) != std::string::npos;
}
}  // namespace

TEST_CASE("all fibers blocked: dead-lock report with every fiber, non-zero exit") {
  Outcome o = probe("deadlock");
  INFO(o.err);
  REQUIRE(o.status == 2);
  REQUIRE(has(o.err, "fatal error: all fibers are asleep - deadlock!"));
  REQUIRE(has(o.err, "blocked_forever"));
  REQUIRE(has(o.err, "[chan recv"));
  REQUIRE(has(o.err, "(main)"));
}

TEST_CASE("an exception escaping a fiber names the fiber, its function and what()") {
  Outcome o = probe("exception");
  INFO(o.err);
  REQUIRE(o.status == 2);
  REQUIRE(has(o.err, "exception escaped fiber"));
  REQUIRE(has(o.err, "thrower"));
  REQUIRE(has(o.err, "boom from a fiber"));
}

TEST_CASE("misuse is named, never undefined behaviour") {
  Outcome o = probe("close-closed");
  REQUIRE(o.status == 2);
  REQUIRE(has(o.err, "close of closed channel"));
  o = probe("outside");
  REQUIRE(o.status == 2);
  REQUIRE(has(o.err, "outside a fiber"));
  o = probe("unlock-unlocked");
  REQUIRE(o.status == 2);
  REQUIRE(has(o.err, "unlock of unlocked ft::Mutex"));
}

TEST_CASE("stack overflow is reported, not silent") {
  Outcome o = probe("overflow");
  INFO(o.err);
  REQUIRE(o.status == 2);
  REQUIRE(has(o.err, "stack overflow"));
}

TEST_CASE("stack overflow on the 20 001st stack hits a guard page where the kernel has markers") {
  // Without MADV_GUARD_INSTALL (Linux < 6.13) slots past the first 16 384 have a canary only,
  // which a frame that skips it does not trip (documented in runtime/stack.hpp).
  void* p = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(p != MAP_FAILED);
  const bool markers = ::madvise(p, 4096, 102 /* MADV_GUARD_INSTALL */) == 0;
  ::munmap(p, 4096);
  if (!markers) {
    WARN("this kernel has no guard markers: late stacks are guarded by a canary only");
    return;
  }
  if (skipped_under_tsan()) return;
  Outcome o = probe("overflow-late");
  INFO(o.err);
  REQUIRE(o.status == 2);
  REQUIRE(has(o.err, "fatal error: stack overflow in a fiber (raise FT_STACK_SIZE)"));
}

TEST_CASE("the guard fallback of kernels without markers: mprotect'ed pages, then canaries") {
  // FT_STACK_MARKERS=0 takes the path of kernels before 6.13 on any kernel.
  if (skipped_under_tsan()) return;
  Outcome o = probe("overflow", "FT_STACK_MARKERS=0");
  INFO(o.err);
  REQUIRE(o.status == 2);
  REQUIRE(has(o.err, "stack overflow in a fiber"));
  o = probe("many-parked", "FT_STACK_MARKERS=0");
  INFO(o.err);
  REQUIRE(o.status == 0);
  o = probe("many-parked", "FT_STACK_MARKERS=maybe");
  REQUIRE(o.status == 0);
  REQUIRE(has(o.err, "ignoring FT_STACK_MARKERS=maybe (want 0 or 1)"));
}

TEST_CASE("a pending timer is not a dead lock") {
  Outcome o = probe("sleep-deadlock-free");
  INFO(o.err);
  REQUIRE(o.status == 0);
}

TEST_CASE("a runtime thread that cannot start is a fatal error with a sentence") {
  Outcome o = probe("no-threads");
  INFO(o.err);
  REQUIRE(o.status == 2);
  REQUIRE(has(o.err, "fatal error: cannot start a runtime monitor thread"));
  REQUIRE(!has(o.err, "terminate called"));
}
