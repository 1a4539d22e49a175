// Fatal errors, misuse reports, the dead-lock dump and the stack-overflow signal handler.
#include "fatal.hpp"

#include <cxxabi.h>
#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "sched.hpp"
#include "tracing.hpp"
#include "vocab/fibers.hpp"

namespace ft::rt {
namespace {

[[noreturn]] void die() {
  // A trace being written is ended properly, so that it reads back up to this point.
  trace_stop_on_fatal();
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(2);
}

void vreport(const char* prefix, const char* fmt, va_list ap) {
  std::fputs(prefix, stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
}

// "int main()" -> "main"; "void ns::f(int)" -> "ns::f"; "main()::<lambda()>" -> "main".
std::string short_function(const char* sig) {
  std::string s(sig ? sig : "?");
  size_t paren = s.find('(');
  if (paren != std::string::npos) s.resize(paren);
  size_t space = s.rfind(' ');
  if (space != std::string::npos) s.erase(0, space + 1);
  return s;
}

void on_segv(int sig, siginfo_t* info, void*) {
  // Async-signal-safe: fixed strings and write(2) only.
  const char* msg = sched.stacks.in_guard(info->si_addr)
                        ? "fatal error: stack overflow in a fiber (raise FT_STACK_SIZE)\n"
                        : nullptr;
  if (msg) {
    ssize_t r = ::write(2, msg, std::strlen(msg));
    (void)r;
    std::_Exit(2);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

const char* state_name(const Fiber* f) {
  switch (f->state.load()) {
    case State::Runnable:
      return "runnable";
    case State::Running:
      return "running";
    case State::Syscall:
      return "syscall";
    case State::Waiting:
      return nullptr;
    default:
      return "free";
  }
}

}  // namespace

void fatal(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport("fatal error: ", fmt, ap);
  va_end(ap);
  die();
}

void rule_broken(const char* rule) {
  fatal("runtime rule broken: %s (a fibertrace bug; please report it)", rule);
}

void misuse(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport("fatal error: misuse of fibertrace: ", fmt, ap);
  va_end(ap);
  die();
}

std::string describe_start(const trace::StartFn* fn) {
  if (!fn) return "?";
  if (fn->pc) {
    Dl_info info;
    if (dladdr(fn->pc, &info) && info.dli_sname) {
      int status = 0;
      char* d = abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status);
      std::string name = short_function(status == 0 && d ? d : info.dli_sname);
      std::free(d);
      return name;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%p", fn->pc);
    return buf;
  }
  return short_function(fn->func) + ":" + std::to_string(fn->line);
}

void report_deadlock() {
  std::fputs("fatal error: all fibers are asleep - deadlock!\n", stderr);
  std::vector<Fiber*> live;
  sched.fibers.for_each([&](Fiber* f) {
    if (f->state.load() != State::Free) live.push_back(f);
  });
  std::sort(live.begin(), live.end(), [](Fiber* a, Fiber* b) { return a->id < b->id; });
  for (Fiber* f : live) {
    const char* st = state_name(f);
    std::string why = st ? st : std::string(trace::block_name(f->reason));
    if (!st && f->obj && (f->reason == Block::ChanRecv || f->reason == Block::ChanSend))
      why += ", chan " + std::to_string(f->obj);
    std::fprintf(stderr, "\nfiber %llu [%s]:\n\t%s%s\n", static_cast<unsigned long long>(f->id),
                 why.c_str(), describe_start(f->fn).c_str(), f->is_main ? " (main)" : "");
  }
  die();
}

void install_altstack() {
  // Per thread: the SIGSEGV handler runs here, since the faulting stack is exhausted.
  static thread_local char* altstack = nullptr;
  if (altstack) return;
  stack_t old{};
  // One may be there already (ASan installs its own and unmaps it at thread exit): keep it.
  if (sigaltstack(nullptr, &old) == 0 && !(old.ss_flags & SS_DISABLE)) return;
  altstack = new char[64 * 1024];
  stack_t ss{};
  ss.ss_sp = altstack;
  ss.ss_size = 64 * 1024;
  sigaltstack(&ss, nullptr);
}

void install_fatal_handlers() {
  install_altstack();
  static bool done = false;
  if (done) return;
  done = true;
  struct sigaction sa {};
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(SIGSEGV, &sa, nullptr);
}

}  // namespace ft::rt
