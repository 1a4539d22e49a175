// Loads a trace with the exporter library and prints its goroutine groups, one per line.
#include <cstdio>

#include "analysis.hpp"
#include "exporter/load.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: groups TRACE\n");
    return 1;
  }
  ft::exporter::Model m = ft::exporter::load_trace_file(argv[1]);
  if (!m.read.ok) {
    std::fprintf(stderr, "groups: %s\n", m.read.error.c_str());
    return 2;
  }
  for (const ft::exporter::Group& g : ft::exporter::goroutine_groups(m))
    std::printf("%s N=%llu\n", g.name.c_str(), static_cast<unsigned long long>(g.n));
}
