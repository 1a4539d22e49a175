// Session state shared by session.cpp (start/stop/writer/flight recorder) and crash.cpp (atexit
// and fatal-signal flushes). One session at a time per process.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "format.hpp"
#include "recorder.hpp"
#include "tables.hpp"

namespace ft::trace::detail {

struct SessionState {
  std::mutex api_mu;  // serializes start / stop / flight dumps
  bool running = false;
  rec::WorldFn world = nullptr;
  fmt::Header header;
  uint64_t lost_at_start = 0;
  // Streaming sink. sink_busy is a lock (not a mutex: the signal handler takes it too).
  int fd = -1;
  bool own_fd = false;
  bool sink_failed = false;
  std::atomic<bool> sink_busy{false};
  std::atomic<int> crash_fd{-1};  // fd the fatal-signal flush may write to, -1 = none
  // Writer thread.
  std::thread writer;
  std::mutex writer_mu;
  std::condition_variable writer_cv;
  bool stop_req = false;
  bool writer_go = false;  // the header is out: the writer may write (start_session)
  TableMarks marks;
  std::string first_clock;  // the clock chunk of the session's start
  std::string info;         // the process-info chunk: pid and command line
  uint64_t clock_tick = 0, clock_mono = 0, last_sample_ns = 0;
  bool clock_dirty = false;
  // Flight recorder.
  bool flight = false;
  size_t flight_max_bytes = 0;
  std::chrono::nanoseconds flight_max_age{0};
  std::mutex ring_mu;
  std::deque<Buffer*> ring;
  size_t ring_bytes = 0;
  std::string flight_tables;  // every table chunk of the session
};
SessionState& session();

uint64_t mono_ns();
bool write_batch(int fd, const BatchInfo& b, const uint8_t* data, uint32_t len);
bool write_bytes(int fd, const void* data, size_t n);
void sink_lock(SessionState& s);
void sink_unlock(SessionState& s);
void install_crash_handlers();

// Copies the complete events of t's current batch without stopping t (recorder.hpp protocol).
// Returns the length copied into `data` (Buffer::kData bytes), or -1 when t has no batch or
// kept swapping it. Async-signal-safe.
int64_t snapshot_thread(ThreadState& t, BatchInfo& info, uint8_t* data);
// Calls fn for the snapshot of every registered thread, under the registry lock.
bool snapshot_all_threads(
    const std::function<bool(const BatchInfo& info, const uint8_t* data, uint32_t len)>& fn);

}  // namespace ft::trace::detail
