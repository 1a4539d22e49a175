// What every benchmark program shares with its Go twin: a monotonic stopwatch around the measured
// part, and the two machine-readable lines the driver (bench/run.py) parses:
//   result=<value>
//   elapsed_ns=<nanoseconds of the measured part>
// A wrong result also makes the program exit with status 1.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace bench {

inline long arg_or(int argc, char** argv, int i, long def) {
  return argc > i ? std::strtol(argv[i], nullptr, 10) : def;
}

struct Stopwatch {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  int64_t ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                t0)
        .count();
  }
};

// Prints the two lines; returns the exit status (0 when result == expected).
inline int report(const char* name, int64_t result, int64_t expected, int64_t elapsed_ns) {
  std::printf("result=%lld\nelapsed_ns=%lld\n", static_cast<long long>(result),
              static_cast<long long>(elapsed_ns));
  std::fflush(stdout);
  if (result != expected) {
    std::fprintf(stderr, "%s: WRONG RESULT %lld, expected %lld\n", name,
                 static_cast<long long>(result), static_cast<long long>(expected));
    return 1;
  }
  return 0;
}

}  // namespace bench
