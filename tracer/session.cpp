// Sessions: start/stop, the writer thread, the streaming sink and the flight recorder's ring.
//
// Writer cycle (every ~2 ms, and once more at stop): sample the heap and the clock every 10 ms,
// take every handed-off batch, serialize new table entries (raw: no symbol lookup), then write
// table chunks followed by the batches (streaming) or move the batches into the ring (flight
// recorder). The last cycle of a streaming session, and a flight-recorder dump, also write the
// symbols of the session's addresses.
//
// stop(): g_active=false; membarrier; steal every thread's partial batch (recorder.hpp protocol);
// ask the writer for a last cycle; join; write the end chunk. The api mutex serializes
// start/stop/write_to; the ring mutex guards the flight recorder's ring against write_to.
//
// Heap in use is sampled with mallinfo2() (uordblks + hblkhd: bytes in allocated chunks,
// including mmapped ones) from the writer thread every 10 ms. It costs the writer a walk of
// malloc's arenas (microseconds) and costs the recording threads nothing; allocation hooks
// would make every malloc pay.
#include <fcntl.h>
#include <linux/membarrier.h>
#include <malloc.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "ft/trace.hpp"
#include "recorder.hpp"
#include "session.hpp"
#include "tables.hpp"

namespace ft::trace {
namespace detail {

void emit_heap(uint64_t bytes);

uint64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

namespace {
uint64_t unix_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}
}  // namespace

SessionState& session() {
  static auto* s = new SessionState;  // never destroyed: the atexit flush runs late
  return *s;
}

bool write_all(int fd, const iovec* iov, int n) {
  iovec v[4];
  for (int i = 0; i < n; i++) v[i] = iov[i];
  int first = 0;
  while (first < n) {
    ssize_t w = writev(fd, v + first, n - first);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    size_t left = size_t(w);
    while (first < n && left >= v[first].iov_len) left -= v[first++].iov_len;
    if (first < n) {
      v[first].iov_base = static_cast<char*>(v[first].iov_base) + left;
      v[first].iov_len -= left;
    }
  }
  return true;
}

size_t batch_prefix(const BatchInfo& b, uint8_t out[64]) {
  uint8_t* p = out;
  p = fmt::put_uv(p, b.thread);
  p = fmt::put_uv(p, b.seq);
  p = fmt::put_uv(p, b.base_q);
  p = fmt::put_uv(p, fmt::zigzag(b.proc));
  p = fmt::put_uv(p, b.cur_g);
  p = fmt::put_uv(p, b.last_g);
  p = fmt::put_uv(p, b.last_obj);
  return size_t(p - out);
}

bool write_batch(int fd, const BatchInfo& b, const uint8_t* data, uint32_t len) {
  uint8_t prefix[64];
  size_t np = batch_prefix(b, prefix);
  uint8_t hdr[fmt::kChunkHeaderBytes];
  fmt::encode_chunk_header(hdr, fmt::kEvents, prefix, np, data, len);
  iovec iov[3] = {{hdr, sizeof hdr}, {prefix, np}, {const_cast<uint8_t*>(data), len}};
  return write_all(fd, iov, 3);
}

bool write_bytes(int fd, const void* data, size_t n) {
  iovec iov{const_cast<void*>(data), n};
  return n == 0 || write_all(fd, &iov, 1);
}

std::string clock_chunk(uint64_t tick, uint64_t mono) {
  uint8_t payload[20];
  uint8_t* p = fmt::put_uv(fmt::put_uv(payload, tick), mono);
  uint8_t hdr[fmt::kChunkHeaderBytes];
  fmt::encode_chunk_header(hdr, fmt::kClock, payload, size_t(p - payload));
  std::string s(reinterpret_cast<char*>(hdr), sizeof hdr);
  s.append(reinterpret_cast<char*>(payload), size_t(p - payload));
  return s;
}

std::string end_chunk(uint64_t lost) {
  uint8_t payload[10];
  uint8_t* p = fmt::put_uv(payload, lost);
  uint8_t hdr[fmt::kChunkHeaderBytes];
  fmt::encode_chunk_header(hdr, fmt::kEnd, payload, size_t(p - payload));
  std::string s(reinterpret_cast<char*>(hdr), sizeof hdr);
  s.append(reinterpret_cast<char*>(payload), size_t(p - payload));
  return s;
}

// Who recorded the trace: pid and argv (from /proc/self/cmdline, cut at kMaxInfoBytes), so
// that traces of several processes merged on one timeline can be told apart.
std::string info_chunk() {
  char cmd[fmt::kMaxInfoBytes];
  size_t n = 0;
  int fd = ::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    for (ssize_t r; n < sizeof cmd && (r = ::read(fd, cmd + n, sizeof cmd - n)) != 0;) {
      if (r < 0) {
        if (errno == EINTR) continue;
        break;
      }
      n += size_t(r);
    }
    ::close(fd);
  }
  std::vector<std::string_view> args;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && cmd[j]) j++;
    args.emplace_back(cmd + i, j - i);
    i = j + 1;
  }
  std::string payload(20, '\0');
  uint8_t* p = reinterpret_cast<uint8_t*>(payload.data());
  p = fmt::put_uv(fmt::put_uv(p, uint64_t(getpid())), args.size());
  payload.resize(size_t(p - reinterpret_cast<uint8_t*>(payload.data())));
  for (std::string_view a : args) {
    uint8_t len[10];
    payload.append(reinterpret_cast<char*>(len), size_t(fmt::put_uv(len, a.size()) - len));
    payload.append(a);
  }
  uint8_t hdr[fmt::kChunkHeaderBytes];
  fmt::encode_chunk_header(hdr, fmt::kInfo, payload.data(), payload.size());
  return std::string(reinterpret_cast<char*>(hdr), sizeof hdr) + payload;
}

void sink_lock(SessionState& s) {
  while (s.sink_busy.exchange(true, std::memory_order_acquire)) {
    timespec ts{0, 100000};
    nanosleep(&ts, nullptr);
  }
}
void sink_unlock(SessionState& s) {
  s.sink_busy.store(false, std::memory_order_release);
}

namespace {

Buffer* take_full_fifo() {
  Buffer* list = g_rec.full.exchange(nullptr, std::memory_order_acquire);
  Buffer* fifo = nullptr;
  while (list) {  // pushed LIFO; reverse so each thread's batches stay in order
    Buffer* next = list->next;
    list->next = fifo;
    fifo = list;
    list = next;
  }
  return fifo;
}

void sink_write(SessionState& s, const std::string& bytes) {
  if (!s.sink_failed && !write_bytes(s.fd, bytes.data(), bytes.size())) s.sink_failed = true;
}

// Flight recorder: drop whole batches from the old end beyond the byte or age budget.
void evict(SessionState& s, uint64_t now) {
  uint64_t max_age = uint64_t(s.flight_max_age.count());
  while (!s.ring.empty()) {
    Buffer* b = s.ring.front();
    bool too_big = s.ring_bytes > s.flight_max_bytes;
    bool too_old = now > b->recv_mono_ns && now - b->recv_mono_ns > max_age;
    if (!too_big && !too_old) break;
    s.ring.pop_front();
    s.ring_bytes -= b->len;
    release_buffer(b);
  }
}

// Flight recorder: the batches that filled since the last call join the ring, oldest first
// (so each thread's batches stay contiguous), then the budget is applied. ring_mu held.
void ring_take_full(SessionState& s, uint64_t now) {
  for (Buffer* b = take_full_fifo(); b;) {
    Buffer* next = b->next;
    b->recv_mono_ns = now;
    s.ring.push_back(b);
    s.ring_bytes += b->len;
    b = next;
  }
  evict(s, now);
}

void cycle(SessionState& s, bool last) {
  uint64_t now = mono_ns();
  if (now - s.last_sample_ns >= 10'000'000 || last) {
    s.last_sample_ns = now;
    struct mallinfo2 mi = mallinfo2();
    emit_heap(uint64_t(mi.uordblks + mi.hblkhd));
    s.clock_tick = now_tick();
    s.clock_mono = mono_ns();
    s.clock_dirty = true;
  }
  std::string out;
  serialize_new(s.marks, out);
  // Symbols only when the program is done with the trace: looking them up reads the modules'
  // files, which must not compete with the recording threads (tracer/symbolize.hpp).
  if (last && !s.flight) symbols_chunks(s.marks, out);
  if (s.flight) {
    std::lock_guard<std::mutex> lk(s.ring_mu);
    s.flight_tables += out;
    ring_take_full(s, now);
    return;
  }
  if (s.clock_dirty) {
    out += clock_chunk(s.clock_tick, s.clock_mono);
    s.clock_dirty = false;
  }
  // Batches are taken only with the sink lock held: a fatal-signal flush, which takes the lock
  // too, then either finds them in the hand-off list or waits until they are written.
  sink_lock(s);
  sink_write(s, out);
  for (Buffer* b = take_full_fifo(); b;) {
    Buffer* next = b->next;
    if (!s.sink_failed && b->len && !write_batch(s.fd, b->info, b->data, b->len))
      s.sink_failed = true;
    release_buffer(b);
    b = next;
  }
  sink_unlock(s);
}

void writer_main(SessionState* s) {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);  // fatal-signal flushes run on the faulting thread
  std::unique_lock<std::mutex> lk(s->writer_mu);
  // Not woken for writer_go: a wake-up would preempt the starting thread on a busy machine
  // while the first cycle symbolizes (a 1.5 ms hole after the snapshot); it looks every 2 ms.
  while (!s->writer_go && !s->stop_req) s->writer_cv.wait_for(lk, std::chrono::milliseconds(2));
  for (;;) {
    bool stopping = s->stop_req;
    lk.unlock();
    cycle(*s, stopping);
    lk.lock();
    if (stopping) break;
    s->writer_cv.wait_for(lk, std::chrono::milliseconds(2), [&] { return s->stop_req; });
  }
}

bool have_membarrier() {
  static const bool ok =
      syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
  return ok;
}

// Makes every thread's earlier stores (writing=1) visible before our later loads, and ours
// (g_active=false) before theirs: the asymmetric half of the Dekker pair in recorder.hpp.
void publish_inactive() {
  if (have_membarrier() && syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
    return;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  timespec ts{0, 20'000'000};  // no membarrier: give every window time to end and be seen
  nanosleep(&ts, nullptr);
}

// Ticks per second: measured once over ~2 ms at the first start, then refined against the
// process's first measurement. The clock chunks let readers refine it further.
uint64_t tsc_hz_estimate() {
  static uint64_t t0 = 0, m0 = 0;
  if (!t0) {
    m0 = mono_ns();
    t0 = now_tick();
    timespec ts{0, 2'000'000};
    nanosleep(&ts, nullptr);
  }
  uint64_t m1 = mono_ns(), t1 = now_tick();
  if (m1 <= m0 || t1 <= t0) return 1'000'000'000;
  return uint64_t(double(t1 - t0) * 1e9 / double(m1 - m0));
}

}  // namespace

bool start_session(int fd, bool own_fd, bool flight, bool stacks, size_t max_bytes,
                   std::chrono::nanoseconds max_age) {
  SessionState& s = session();
  std::lock_guard<std::mutex> api(s.api_mu);
  if (s.running) {
    if (own_fd) close(fd);
    return false;
  }
  have_membarrier();
  install_crash_handlers();
  // Time 0 is the first event's moment, not the start of the set-up work: what used to sit
  // between the two (a blank 300-400 us lead-in on a short trace) is done before it or after
  // the snapshot: this thread's registration with the recorder (glibc reads /proc/self/maps
  // for the main thread's stack), its first buffer, the info chunk and the heap figure before;
  // the file's first write (tens of us on a slow file system) after; the writer thread is
  // created before but waits for writer_go. The header must still be the file's first bytes:
  // nothing writes to fd until it is out (crash_fd is set, and the writer let go, only then).
  register_thread(t_state);
  if (Buffer* b = take_buffer()) {  // the first batch's memory, allocated and faulted in now
    memset(b->data, 0, Buffer::kData);
    release_buffer(b);
  }
  std::string info = info_chunk();
  struct mallinfo2 mi = mallinfo2();
  s.own_fd = own_fd;
  s.flight = flight;
  s.flight_max_bytes = max_bytes;
  s.flight_max_age = max_age;
  s.sink_failed = false;
  s.marks = TableMarks{};
  s.flight_tables.clear();
  s.info = std::move(info);
  s.clock_dirty = false;
  s.stop_req = false;
  s.lost_at_start = g_rec.lost.load();
  g_rec.stacks.store(stacks, std::memory_order_relaxed);
  s.writer_go = false;
  s.fd = -1;
  s.writer = std::thread(writer_main, &s);
  fmt::Header h;
  h.tick_shift = g_rec.tick_shift;
  h.tsc_hz = tsc_hz_estimate();
  h.start_mono_ns = mono_ns();
  h.start_tick = now_tick();
  h.start_unix_ns = unix_ns();
  s.header = h;
  s.first_clock = clock_chunk(h.start_tick, h.start_mono_ns);
  rec::g_active.store(true, std::memory_order_release);
  if (s.world) s.world();  // GoStatus for every existing fiber, on this thread
  emit_heap(uint64_t(mi.uordblks + mi.hblkhd));  // every trace starts with a heap sample
  uint8_t hb[fmt::kHeaderBytes];
  fmt::encode_header(h, hb);
  iovec head[3] = {{hb, sizeof hb},
                   {s.info.data(), s.info.size()},
                   {s.first_clock.data(), s.first_clock.size()}};
  if (!flight && !write_all(fd, head, 3)) {
    // Nothing of this session reached the file: stop recording and drop what was recorded.
    // The writer's one last cycle finds the sink failed and only releases the batches.
    rec::g_active.store(false, std::memory_order_seq_cst);
    publish_inactive();
    steal_partial_buffers();
    s.sink_failed = true;
    {
      std::lock_guard<std::mutex> lk(s.writer_mu);
      s.stop_req = true;
    }
    s.writer_cv.notify_all();
    s.writer.join();
    if (own_fd) close(fd);
    return false;
  }
  s.fd = flight ? -1 : fd;
  s.crash_fd.store(s.fd, std::memory_order_release);
  s.running = true;
  s.last_sample_ns = mono_ns();
  {
    std::lock_guard<std::mutex> lk(s.writer_mu);
    s.writer_go = true;
  }
  return true;
}

void stop_session() {
  SessionState& s = session();
  std::lock_guard<std::mutex> api(s.api_mu);
  if (!s.running) return;
  rec::g_active.store(false, std::memory_order_seq_cst);
  s.crash_fd.store(-1, std::memory_order_release);
  publish_inactive();
  steal_partial_buffers();
  {
    std::lock_guard<std::mutex> lk(s.writer_mu);
    s.stop_req = true;
  }
  s.writer_cv.notify_all();
  s.writer.join();
  if (s.flight) {
    std::lock_guard<std::mutex> lk(s.ring_mu);
    for (Buffer* b : s.ring) release_buffer(b);
    s.ring.clear();
    s.ring_bytes = 0;
  } else {
    sink_lock(s);
    sink_write(s, end_chunk(g_rec.lost.load() - s.lost_at_start));
    sink_unlock(s);
    if (s.own_fd) close(s.fd);
  }
  s.fd = -1;
  s.running = false;
}

bool flight_dump(int fd) {
  SessionState& s = session();
  std::lock_guard<std::mutex> api(s.api_mu);
  if (!s.running || !s.flight) return false;
  // Pull in what the writer has not taken yet, so each thread's batches stay contiguous.
  std::lock_guard<std::mutex> lk(s.ring_mu);
  uint64_t now = mono_ns();
  ring_take_full(s, now);
  std::string tables = s.flight_tables;
  {
    TableMarks m = s.marks;  // entries the writer has not serialized yet
    serialize_new(m, tables);
    symbols_chunks(m, tables);
  }
  // Time 0 of the dump is its oldest batch; the wall and monotonic clocks follow the tsc.
  fmt::Header h = s.header;
  uint64_t oldest = UINT64_MAX;
  for (Buffer* b : s.ring) oldest = std::min(oldest, b->info.base_q << h.tick_shift);
  if (oldest != UINT64_MAX && oldest > h.start_tick) {
    uint64_t dns = uint64_t(double(oldest - h.start_tick) * 1e9 / double(h.tsc_hz));
    h.start_tick = oldest;
    h.start_mono_ns += dns;
    h.start_unix_ns += dns;
  }
  uint8_t hb[fmt::kHeaderBytes];
  fmt::encode_header(h, hb);
  bool ok = write_bytes(fd, hb, sizeof hb) && write_bytes(fd, tables.data(), tables.size());
  ok = ok && write_bytes(fd, s.info.data(), s.info.size());
  ok = ok && write_bytes(fd, s.first_clock.data(), s.first_clock.size());
  std::string clk = clock_chunk(now_tick(), mono_ns());
  ok = ok && write_bytes(fd, clk.data(), clk.size());
  for (Buffer* b : s.ring)
    if (ok && b->len) ok = write_batch(fd, b->info, b->data, b->len);
  if (ok)
    ok = snapshot_all_threads([&](const BatchInfo& info, const uint8_t* data, uint32_t len) {
      return write_batch(fd, info, data, len);
    });
  std::string end = end_chunk(0);
  return ok && write_bytes(fd, end.data(), end.size());
}

}  // namespace detail

namespace rec {
void set_world_provider(WorldFn fn) {
  detail::session().world = fn;
}
}  // namespace rec

// ---- public API ----

bool start(int fd, const Options& o) {
  return detail::start_session(fd, false, false, o.stacks, 0, {});
}

bool start(FILE* out, const Options& o) {
  if (!out) return false;
  fflush(out);
  return start(fileno(out), o);
}

bool start(const std::string& path, const Options& o) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  return detail::start_session(fd, true, false, o.stacks, 0, {});
}

void stop() {
  detail::stop_session();
}

bool tracing() {
  return rec::active();
}

namespace {
bool g_env_started = false;
}

bool start_from_env() {
  const char* path = getenv("FT_TRACE");
  if (!path || !*path) return false;
  bool ok = std::string_view(path) == "-" ? start(1) : start(std::string(path));
  if (ok) g_env_started = true;
  return ok;
}

void stop_from_env() {
  if (!g_env_started) return;
  g_env_started = false;
  stop();
}

bool FlightRecorder::start() {
  if (running_) return false;
  running_ = detail::start_session(-1, false, true, cfg_.stacks, cfg_.max_bytes, cfg_.max_age);
  return running_;
}

void FlightRecorder::stop() {
  if (!running_) return;
  running_ = false;
  detail::stop_session();
}

bool FlightRecorder::write_to(int fd) const {
  return running_ && detail::flight_dump(fd);
}

}  // namespace ft::trace
