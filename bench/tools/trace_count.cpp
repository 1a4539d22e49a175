// ft_bench_trace_count FILE: reads a fibertrace trace with the tracer's own reader and prints
//   {"events": N, "bytes": M, "ok": true|false, "error": "..."}
// so that bench/run.py can give bytes per event before (or without) the fibertrace CLI.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <span>
#include <vector>

#include "tracer/reader.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ft_bench_trace_count TRACE\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "ft_bench_trace_count: cannot open %s\n", argv[1]);
    return 2;
  }
  std::vector<char> buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ft::trace::Tables tables;
  auto r = ft::trace::read(std::as_bytes(std::span(buf.data(), buf.size())), tables,
                           [](const ft::trace::Event&) {});
  std::string err;
  for (char c : r.error) err += (c == '"' || c == '\\') ? '\'' : c;
  std::printf("{\"events\": %llu, \"bytes\": %llu, \"ok\": %s, \"error\": \"%s\"}\n",
              static_cast<unsigned long long>(r.events),
              static_cast<unsigned long long>(buf.size()), r.ok ? "true" : "false", err.c_str());
  return r.ok ? 0 : 1;
}
