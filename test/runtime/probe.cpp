// A program that fails on purpose, one way per argument; failure_test.cpp runs it and reads
// what the runtime printed. Each mode is a mistake a user can make.
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <ft/ft.hpp>

void blocked_forever(ft::Chan<int> c) {
  c.recv();
}

void thrower() {
  throw std::runtime_error("boom from a fiber");
}

static int deep(int n) {
  volatile char pad[1024];
  pad[0] = static_cast<char>(n);
  return n == 0 ? pad[0] : deep(n - 1) + pad[0];
}

// Main waits for a fiber that runs ~1 MB of frames deep on its 64 KiB stack.
void overflow_in_a_fiber() {
  ft::Chan<int> done;
  ft::go([done]() mutable {
    std::printf("%d\n", deep(1000));
    done.send(1);
  });
  done.recv();
}

// Starts n fibers that each hold a stack and park on `gate` until it is closed, then count
// themselves in `finished`; returns once all n are parked. The wait groups belong to the
// caller, so that they outlive every fiber's done().
void park_fibers(int n, ft::Chan<int> gate, ft::WaitGroup& started, ft::WaitGroup& finished) {
  started.add(n);
  finished.add(n);
  for (int i = 0; i < n; ++i)
    ft::go([&started, &finished, gate]() mutable {
      started.done();
      gate.recv();  // returns 0 once gate is closed
      finished.done();
    });
  started.wait();
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (!std::strcmp(mode, "deadlock")) {
    return ft::run([] {
      ft::Chan<int> a, b;
      ft::go(blocked_forever, a);
      ft::go(blocked_forever, a);
      b.recv();  // main waits on a channel nobody sends on
    });
  }
  if (!std::strcmp(mode, "exception")) {
    return ft::run([] {
      ft::go(thrower);
      ft::sleep(std::chrono::seconds(5));
    });
  }
  if (!std::strcmp(mode, "close-closed")) {
    return ft::run([] {
      ft::Chan<int> c;
      c.close();
      c.close();
    });
  }
  if (!std::strcmp(mode, "outside")) {
    ft::Chan<int> c;
    c.recv();  // a blocking call with no runtime
    return 0;
  }
  if (!std::strcmp(mode, "unlock-unlocked")) {
    return ft::run([] {
      ft::Mutex m;
      m.unlock();
    });
  }
  if (!std::strcmp(mode, "overflow")) return ft::run(overflow_in_a_fiber);
  if (!std::strcmp(mode, "overflow-late")) {
    // The overflowing fiber starts after 20 000 others hold their stacks: its slot is carved
    // beyond the first 16 384, where only guard markers (MADV_GUARD_INSTALL) put a guard page.
    return ft::run([] {
      ft::Chan<int> gate;
      ft::WaitGroup started, finished;
      park_fibers(20000, gate, started, finished);
      overflow_in_a_fiber();
    });
  }
  if (!std::strcmp(mode, "many-parked")) {
    // 20 000 fibers parked at once, then all finish: stacks past the first 16 384 included.
    return ft::run([] {
      ft::Chan<int> gate;
      ft::WaitGroup started, finished;
      park_fibers(20000, gate, started, finished);
      gate.close();
      finished.wait();
    });
  }
  if (!std::strcmp(mode, "sleep-deadlock-free")) {
    // Sleeping is not a dead lock: a pending timer will wake main.
    return ft::run([] { ft::sleep(std::chrono::milliseconds(30)); });
  }
  if (!std::strcmp(mode, "no-threads")) {
    // Address space for what the process maps now plus 2 MB, less than a thread's 8 MB stack:
    // the runtime's first thread cannot start (as under `ulimit -v 8192`).
    long pages = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
      std::fclose(f);
    }
    rlimit lim{};
    lim.rlim_cur = lim.rlim_max = static_cast<rlim_t>(pages) * 4096 + (2 << 20);
    if (pages == 0 || ::setrlimit(RLIMIT_AS, &lim) != 0) return 1;
    return ft::run([] { ft::sleep(std::chrono::milliseconds(1)); });
  }
  std::fprintf(stderr, "usage: probe deadlock|exception|close-closed|outside|...\n");
  return 1;
}
