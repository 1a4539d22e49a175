// Fatal errors: Go's `fatal error:` and panics that nobody recovers. They print one clear line
// (plus detail), flush the trace if one is being written, and exit with status 2.
#pragma once

#include <string>

namespace ft::trace {
struct StartFn;
}

namespace ft::rt {

[[noreturn]] __attribute__((format(printf, 1, 2))) void fatal(const char* fmt, ...);

// A misuse of the API (an ft:: blocking call outside ft::run, closing a closed channel, ...).
[[noreturn]] __attribute__((format(printf, 1, 2))) void misuse(const char* fmt, ...);

// "fatal error: all fibers are asleep - deadlock!" and every fiber's state; exits.
[[noreturn]] void report_deadlock();

// "pass", "main:23" (a lambda at that line), for messages; the tracer symbolizes its own.
std::string describe_start(const trace::StartFn* fn);

// SIGSEGV on a stack guard page -> a stack overflow report instead of a bare crash.
void install_fatal_handlers();
void install_altstack();  // on every worker thread

}  // namespace ft::rt
