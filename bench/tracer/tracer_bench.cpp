// Tracer micro-benchmark (a plain program, not a test): the cost of recording on the hot path and
// the size of the trace.
//
//   ft_tracer_bench [rounds]
//
// 1. Emulated ping-pong on one plain thread: each round records what one channel hand-off records
//    in the runtime (GoUnblock of the peer, GoBlock of self, GoStart of the peer), guarded by
//    rec::active() as the runtime does. Reports ns/event untraced, traced without stacks and with
//    stacks, and bytes/event of the trace.
// 2. With the runtime (built when ft::runtime exists): a real unbuffered-channel ping-pong between
//    two fibers, untraced vs traced, and the events and bytes/event of its trace.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "ft/trace.hpp"
#include "tracer/reader.hpp"
#include "tracer/record.hpp"
#ifdef FT_BENCH_RUNTIME
#include <ft/ft.hpp>
#endif

using namespace ft::trace;
using Clock = std::chrono::steady_clock;

namespace {

std::string tmp_path() {
  return "/tmp/ft_tracer_bench_" + std::to_string(getpid()) + ".trace";
}

uint64_t file_size(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 ? uint64_t(st.st_size) : 0;
}

uint64_t count_events(const std::string& path) {
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) return 0;
  std::vector<std::byte> data(file_size(path));
  size_t got = fread(data.data(), 1, data.size(), f);
  fclose(f);
  data.resize(got);
  Tables t;
  auto r = read(data, t, [](const Event&) {});
  if (!r.ok) fprintf(stderr, "  (reader: %s)\n", r.error.c_str());
  return r.events;
}

__attribute__((noinline)) void chan_op(uint64_t self, uint64_t peer, uint64_t ch) {
  if (rec::active()) rec::go_unblock(peer, Block::ChanSend, ch);
  if (rec::active()) rec::go_block(Block::ChanRecv, ch);
  if (rec::active()) rec::go_start(peer, nullptr, nullptr);
  (void)self;
}

// A few frames of depth, like a fiber's user code calling into a channel operation.
__attribute__((noinline)) void user_code(uint64_t i) {
  chan_op(1 + (i & 1), 2 - (i & 1), 42);
  asm volatile("");
}

double thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

// The recording thread's CPU time (not wall time: the machine is shared, and the writer thread
// competes for the same cores), best of 5 runs.
double run_emulated(uint64_t rounds) {
  double best = 1e300;
  for (int rep = 0; rep < 5; rep++) {
    double t0 = thread_cpu_ns();
    for (uint64_t i = 0; i < rounds; i++) user_code(i);
    best = std::min(best, thread_cpu_ns() - t0);
  }
  return best;
}

void emulated(uint64_t rounds) {
  const double events = 3.0 * double(rounds);  // per run
  run_emulated(rounds / 10);                   // warm up
  double base = run_emulated(rounds);
  printf("emulated ping-pong, %llu rounds x 3 events, one thread, best of 5:\n",
         static_cast<unsigned long long>(rounds));
  printf("  untraced            %6.2f ns/event (the call sites only)\n", base / events);
  for (bool stacks : {false, true}) {
    std::string path = tmp_path();
    Options o;
    o.stacks = stacks;
    start(path, o);
    double t = run_emulated(rounds);
    stop();
    uint64_t n = count_events(path);
    printf("  traced, stacks %-4s %6.2f ns/event (+%.2f), %.2f bytes/event (%llu events)\n",
           stacks ? "on" : "off", t / events, (t - base) / events,
           double(file_size(path)) / double(n ? n : 1), static_cast<unsigned long long>(n));
    unlink(path.c_str());
  }
}

#ifdef FT_BENCH_RUNTIME
double pingpong(long n) {
  double ns = 0;
  ft::run([&] {
    ft::Chan<int> a, b;
    ft::go([a, b, n]() mutable {
      for (long i = 0; i < n; i++) b.send(a.recv() + 1);
    });
    auto t0 = Clock::now();
    for (long i = 0; i < n; i++) {
      a.send(int(i));
      b.recv();
    }
    ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  });
  return ns;
}

void runtime_pingpong(long n) {
  pingpong(n / 10);
  double base = pingpong(n);
  printf("runtime ping-pong, %ld round trips:\n", n);
  printf("  untraced            %8.1f ns/round trip\n", base / double(n));
  for (bool stacks : {false, true}) {
    std::string path = tmp_path();
    Options o;
    o.stacks = stacks;
    double t = 0;
    start(path, o);
    t = pingpong(n);
    stop();
    uint64_t ev = count_events(path);
    printf(
        "  traced, stacks %-4s %8.1f ns/round trip = %.2fx, %.1f events/round trip, "
        "%.2f bytes/event\n",
        stacks ? "on" : "off", t / double(n), t / base, double(ev) / double(n),
        double(file_size(path)) / double(ev ? ev : 1));
    unlink(path.c_str());
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
  uint64_t rounds = argc > 1 ? strtoull(argv[1], nullptr, 10) : 2'000'000;
  emulated(rounds);
#ifdef FT_BENCH_RUNTIME
  runtime_pingpong(long(rounds / 2));
#endif
  return 0;
}
