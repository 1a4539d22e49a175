// fibertrace's execution tracer: the public API (Go's runtime/trace, for fibers).
//
//   ft::trace::start(stdout);   ...   ft::trace::stop();
//   { ft::trace::Session s("trace.out"); ... }          // RAII
//   FT_TRACE=trace.out ./prog                              // no code change (ft::run calls
//                                                          // start_from_env / stop_from_env)
//
// One session at a time per process: a streaming trace or a flight recorder. start() while a
// session runs returns false. start/stop may be repeated; each session writes a complete,
// self-contained trace. A program that exits with tracing on is stopped by an atexit hook; a
// fatal signal writes the batches it can before the process dies.
//
// User annotations (tasks, regions, logs) are recorded only while a session runs and cost
// nothing but a relaxed load otherwise. Regions nest per fiber; end them in reverse order (RAII
// does). The format is documented in docs/trace-format.md; read traces with tracer/reader.hpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

namespace ft::trace {

struct Options {
  bool stacks = true;  // frame-pointer stacks on create/block/unblock/syscall/user events
};

// Streaming sessions. The sink receives the trace as it is recorded, in chunks of ~64 KiB, from a
// writer thread. start(FILE*) flushes the FILE and then writes to its descriptor directly.
bool start(FILE* out, const Options& opts = {});
bool start(int fd, const Options& opts = {});
bool start(const std::string& path, const Options& opts = {});  // created/truncated, closed by stop
void stop();     // flushes every thread's partial batch, writes the end marker; no-op when off
bool tracing();  // a session (streaming or flight recorder) is running

// FT_TRACE=path (or "-" for stdout): starts a session if the variable is set and none runs.
// Returns true when it started one. stop_from_env() stops only a session it started.
bool start_from_env();
void stop_from_env();

class Session {
 public:
  explicit Session(FILE* out, const Options& o = {}) : ok_(start(out, o)) {}
  explicit Session(int fd, const Options& o = {}) : ok_(start(fd, o)) {}
  explicit Session(const std::string& path, const Options& o = {}) : ok_(start(path, o)) {}
  ~Session() {
    if (ok_) stop();
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  bool ok() const { return ok_; }

 private:
  bool ok_;
};

// Keeps the most recent window of the trace in memory (whole ~64 KiB batches: the window is at
// least max_bytes or max_age long when that much was recorded, and at most one batch per thread
// more). write_to() dumps a complete, valid trace of the window plus every thread's events up to
// the call, without stopping the recording.
class FlightRecorder {
 public:
  struct Config {
    size_t max_bytes = size_t(16) << 20;
    std::chrono::nanoseconds max_age = std::chrono::seconds(10);
    bool stacks = true;
  };
  FlightRecorder() : FlightRecorder(Config{}) {}
  explicit FlightRecorder(Config cfg) : cfg_(cfg) {}
  ~FlightRecorder() { stop(); }
  FlightRecorder(const FlightRecorder&) = delete;
  FlightRecorder& operator=(const FlightRecorder&) = delete;

  bool start();  // false when another session runs
  void stop();
  bool write_to(int fd) const;  // false when not running or the write failed
  bool running() const { return running_; }

 private:
  Config cfg_;
  bool running_ = false;
};

// A logical operation spanning fibers (Go's trace.NewTask). Ends at destruction or end().
class Task {
 public:
  explicit Task(std::string_view name);
  Task(const Task& parent, std::string_view name);
  ~Task() { end(); }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  void end();
  uint64_t id() const { return id_; }  // 0 when created while not tracing

 private:
  uint64_t id_ = 0;
};

// A time interval of the current fiber (Go's trace.StartRegion / WithRegion).
class Region {
 public:
  explicit Region(std::string_view name);
  Region(const Task& task, std::string_view name);
  ~Region();
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;

 private:
  uint64_t task_ = 0;
  uint32_t name_ = 0;
  bool on_ = false;
};

template <class F>
decltype(auto) with_region(std::string_view name, F&& f) {
  Region r(name);
  return std::forward<F>(f)();
}

// A one-off message (Go's trace.Log). Messages longer than 4000 bytes are cut.
void log(std::string_view category, std::string_view message);
void log(const Task& task, std::string_view category, std::string_view message);

}  // namespace ft::trace
