// Flushes for a process that ends without stop(): an atexit hook (a full, orderly stop) and
// handlers for fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT).
//
// The signal handler is async-signal-safe: it takes the sink lock (waiting at most ~0.5 s for the
// writer to finish the chunk it is writing, so chunks never interleave), keeps it forever, turns
// recording off, writes every handed-off batch and a snapshot of every thread's partial batch
// (recorder.hpp snapshot protocol) with write(2), then re-raises the signal under the action
// that was installed before ours. Table entries added since the writer's last cycle are lost:
// readers show those stacks and names as unknown. The flight recorder writes nothing on a crash.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>

#include "recorder.hpp"
#include "session.hpp"

namespace ft::trace::detail {

void stop_session();

namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
struct sigaction g_old[sizeof kSignals / sizeof kSignals[0]];
std::atomic<bool> g_crashing{false};
uint8_t g_snap[Buffer::kData];  // only the first crashing thread uses it

bool try_sink_lock(SessionState& s) {
  timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  while (s.sink_busy.exchange(true, std::memory_order_acquire)) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) > 500000000L)
      return false;
  }
  return true;
}

void flush_for_crash() {
  SessionState& s = session();
  int fd = s.crash_fd.load(std::memory_order_acquire);
  if (fd < 0 || !try_sink_lock(s)) return;
  rec::g_active.store(false, std::memory_order_seq_cst);
  Buffer* list = g_rec.full.exchange(nullptr, std::memory_order_acquire);
  Buffer* fifo = nullptr;
  while (list) {
    Buffer* next = list->next;
    list->next = fifo;
    fifo = list;
    list = next;
  }
  for (Buffer* b = fifo; b; b = b->next)
    if (b->len) write_batch(fd, b->info, b->data, b->len);
  BatchInfo info;
  for (uint32_t i = 0; i < kMaxThreads; i++) {
    ThreadState* t = g_rec.threads[i].load(std::memory_order_acquire);
    if (!t) continue;
    int64_t n = snapshot_thread(*t, info, g_snap);
    if (n > 0) write_batch(fd, info, g_snap, uint32_t(n));
  }
  // The sink lock stays taken: the writer must not add to the file any more.
}

void on_fatal(int sig, siginfo_t*, void*) {
  int saved = errno;
  if (!g_crashing.exchange(true)) flush_for_crash();
  for (size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; i++)
    if (kSignals[i] == sig) sigaction(sig, &g_old[i], nullptr);
  errno = saved;
  // A fault re-executes the faulting instruction under the restored action; a raised signal
  // (abort, kill) must be raised again.
  if (sig == SIGABRT || sig == SIGFPE) raise(sig);
}

void at_exit() {
  stop_session();
}

}  // namespace

// Called by every start(): installs the signal handlers again when someone replaced them since
// (a test framework, the program), keeping the replacement as the action to chain to.
void install_crash_handlers() {
  static bool registered = false;
  if (!registered) {
    registered = true;
    atexit(at_exit);
  }
  for (size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; i++) {
    struct sigaction cur = {};
    sigaction(kSignals[i], nullptr, &cur);
    if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_fatal) continue;
    struct sigaction sa = {};
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(kSignals[i], &sa, &g_old[i]);
  }
}

}  // namespace ft::trace::detail
