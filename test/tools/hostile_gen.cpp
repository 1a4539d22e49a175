// hostile_gen KIND BYTES OUT: writes one of test/tools/hostile.hpp's adversarial traces, for
// probing the reader and the CLI by hand:
//   hostile_gen stacks 200000 s.trace && /usr/bin/time -v fibertrace stats s.trace
// KIND: stacks, frames, procs (BYTES = number of Procs events), entries.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "hostile.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: hostile_gen stacks|frames|procs|entries BYTES OUT\n");
    return 1;
  }
  size_t n = std::strtoull(argv[2], nullptr, 10);
  std::string t;
  if (!std::strcmp(argv[1], "stacks"))
    t = fthostile::stack_amplifier(n);
  else if (!std::strcmp(argv[1], "frames"))
    t = fthostile::frame_amplifier(n);
  else if (!std::strcmp(argv[1], "procs"))
    t = fthostile::repeated_procs(n);
  else if (!std::strcmp(argv[1], "entries"))
    t = fthostile::many_small_entries(n);
  else {
    std::fprintf(stderr, "hostile_gen: unknown kind '%s'\n", argv[1]);
    return 1;
  }
  std::ofstream(argv[3], std::ios::binary) << t;
  return 0;
}
