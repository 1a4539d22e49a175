// Fatal errors: Go's `fatal error:` and panics that nobody recovers. They print one clear line
// (plus detail), flush the trace if one is being written, and exit with status 2.
#pragma once

#include <string>
#include <system_error>
#include <thread>

namespace ft::trace {
struct StartFn;
}

namespace ft::rt {

[[noreturn]] __attribute__((format(printf, 1, 2))) void fatal(const char* fmt, ...);

// A misuse of the API (an ft:: blocking call outside ft::run, closing a closed channel, ...).
[[noreturn]] __attribute__((format(printf, 1, 2))) void misuse(const char* fmt, ...);

// A runtime rule (FT_RULE in sched.hpp) found broken: a bug in the runtime, not the program.
[[noreturn]] void rule_broken(const char* rule);

// "fatal error: all fibers are asleep - deadlock!" and every fiber's state; exits.
[[noreturn]] void report_deadlock();

// "pass", "main:23" (a lambda at that line), for messages; the tracer symbolizes its own.
std::string describe_start(const trace::StartFn* fn);

// A runtime thread (`what`: "worker", "monitor") running fn; a thread that cannot start
// (out of memory or of the thread limit) is a fatal error with a sentence, not an uncaught
// std::system_error.
template <class Fn>
std::thread start_thread(const char* what, Fn&& fn) {
  try {
    return std::thread(std::forward<Fn>(fn));
  } catch (const std::system_error& e) {
    fatal(
        "cannot start a runtime %s thread: %s (out of memory or over the thread limit: "
        "check ulimit -v and ulimit -u)",
        what, e.what());
  }
}

// SIGSEGV on a stack guard page -> a stack overflow report instead of a bare crash.
void install_fatal_handlers();
void install_altstack();  // on every worker thread

}  // namespace ft::rt
