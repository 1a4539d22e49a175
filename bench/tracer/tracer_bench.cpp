// Tracer micro-benchmark (a plain program, not a test): the cost of recording on the hot path and
// the size of the trace.
//
//   ft_tracer_bench [rounds]
//
// 1. Emulated ping-pong on one plain thread: each round records what one channel hand-off records
//    in the runtime (GoUnblock of the peer, GoBlock of self, GoStart of the peer), guarded by
//    rec::active() as the runtime does. Reports ns/event untraced, traced without stacks and with
//    stacks, and bytes/event of the trace.
// 2. With the runtime (built when ft::runtime exists), on one worker, thread CPU time: a real
//    unbuffered-channel ping-pong between two fibers and skynet (1M leaves), untraced vs traced
//    without and with stacks, and the events and bytes/event of the traces.
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

// When::Last on the GoStart, as the runtime passes it when the scheduler takes the next fiber
// from runnext right after the previous one blocked (see rec::When).
rec::When g_start_when = rec::When::Now;

__attribute__((noinline)) void chan_op(uint64_t self, uint64_t peer, uint64_t ch) {
  if (rec::active()) rec::go_unblock(peer, Block::ChanSend, ch);
  if (rec::active()) rec::go_block(Block::ChanRecv, ch);
  if (rec::active()) rec::go_start(peer, nullptr, nullptr, g_start_when);
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
  for (rec::When when : {rec::When::Now, rec::When::Last})
    for (bool stacks : {false, true}) {
      std::string path = tmp_path();
      Options o;
      o.stacks = stacks;
      g_start_when = when;
      start(path, o);
      double t = run_emulated(rounds);
      stop();
      uint64_t n = count_events(path);
      printf("  traced, stacks %-3s GoStart %-9s %6.2f ns/event (+%.2f), %.2f bytes/event "
             "(%llu events)\n",
             stacks ? "on" : "off", when == rec::When::Last ? "When::Last" : "When::Now",
             t / events, (t - base) / events, double(file_size(path)) / double(n ? n : 1),
             static_cast<unsigned long long>(n));
      unlink(path.c_str());
    }
  g_start_when = rec::When::Now;
}

#ifdef FT_BENCH_RUNTIME
// The runtime runs on one worker (procs = 1), so every fiber runs on the same OS thread and that
// thread's CPU time, read inside the main fiber, is the cost of the program: neither the writer
// thread nor other load on this shared machine counts (wall time here varies by 30% between
// runs when others compile).
double pingpong(long n) {
  double ns = 0;
  ft::Config cfg;
  cfg.procs = 1;
  ft::run(
      [&] {
        ft::Chan<int> a, b;
        ft::go([a, b, n]() mutable {
          for (long i = 0; i < n; i++) b.send(a.recv() + 1);
        });
        double t0 = thread_cpu_ns();
        for (long i = 0; i < n; i++) {
          a.send(int(i));
          b.recv();
        }
        ns = thread_cpu_ns() - t0;
      },
      cfg);
  return ns;
}

void skynet_node(ft::Chan<long> c, long num, long size) {
  if (size == 1) {
    c.send(num);
    return;
  }
  ft::Chan<long> rc;
  for (long i = 0; i < 10; ++i) ft::go(skynet_node, rc, num + i * (size / 10), size / 10);
  long sum = 0;
  for (long i = 0; i < 10; ++i) sum += rc.recv();
  c.send(sum);
}

double skynet(long n) {
  double ns = 0;
  ft::Config cfg;
  cfg.procs = 1;
  ft::run(
      [&] {
        double t0 = thread_cpu_ns();
        ft::Chan<long> c;
        ft::go(skynet_node, c, 0L, n);
        if (c.recv() != n * (n - 1) / 2) fprintf(stderr, "skynet: wrong sum\n");
        ns = thread_cpu_ns() - t0;
      },
      cfg);
  return ns;
}

// Median of `reps` runs of each mode, the modes alternating so that drifting load hits all.
void runtime_bench(const char* name, double (*prog)(long), long n, const char* unit, int reps) {
  prog(n / 10);  // warm up (stacks, buffers)
  std::vector<double> t[3];
  std::string path = tmp_path();
  uint64_t ev[3] = {0, 0, 0}, bytes[3] = {0, 0, 0};
  for (int rep = 0; rep < reps; rep++)
    for (int mode = 0; mode < 3; mode++) {
      if (mode > 0) {
        Options o;
        o.stacks = mode == 2;
        start(path, o);
      }
      t[mode].push_back(prog(n));
      if (mode > 0) {
        stop();
        if (rep == 0) {
          ev[mode] = count_events(path);
          bytes[mode] = file_size(path);
        }
        unlink(path.c_str());
      }
    }
  double med[3];
  for (int mode = 0; mode < 3; mode++) {
    std::sort(t[mode].begin(), t[mode].end());
    med[mode] = t[mode][t[mode].size() / 2];
  }
  printf("runtime %s, n = %ld, procs = 1, worker thread CPU time, median of %d:\n", name, n, reps);
  printf("  untraced            %8.1f ns/%s\n", med[0] / double(n), unit);
  for (int mode = 1; mode < 3; mode++)
    printf(
        "  traced, stacks %-4s %8.1f ns/%s = %.3fx, %.1f events/%s, +%.1f ns/event, "
        "%.2f bytes/event\n",
        mode == 2 ? "on" : "off", med[mode] / double(n), unit, med[mode] / med[0],
        double(ev[mode]) / double(n), unit,
        (med[mode] - med[0]) / double(ev[mode] ? ev[mode] : 1),
        double(bytes[mode]) / double(ev[mode] ? ev[mode] : 1));
}
#endif

}  // namespace

int main(int argc, char** argv) {
  uint64_t rounds = argc > 1 ? strtoull(argv[1], nullptr, 10) : 2'000'000;
  emulated(rounds);
#ifdef FT_BENCH_RUNTIME
  runtime_bench("ping-pong", pingpong, long(rounds / 2), "round trip", 5);
  runtime_bench("skynet", skynet, 1000000, "leaf", 3);
#endif
  return 0;
}
