// Helpers for the tracer tests: capture a trace into memory, read it back into a vector.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <string>
#include <vector>

#include "ft/trace.hpp"
#include "tracer/reader.hpp"

namespace ft_test {

struct Read {
  ft::trace::ReadResult res;
  ft::trace::Tables tables;
  std::vector<ft::trace::Event> events;
};

inline std::vector<std::byte> slurp(const std::string& path) {
  std::vector<std::byte> out;
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return out;
  std::byte buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.insert(out.end(), buf, buf + n);
  close(fd);
  return out;
}

inline Read read_bytes(const std::vector<std::byte>& data) {
  Read r;
  r.res =
      ft::trace::read(data, r.tables, [&](const ft::trace::Event& e) { r.events.push_back(e); });
  return r;
}

inline std::string temp_path(const char* tag) {
  return std::string("/tmp/ft_tracer_test_") + tag + "_" + std::to_string(getpid()) + ".trace";
}

// Runs body() inside a streaming session to a temporary file and returns the file's bytes.
template <class F>
std::vector<std::byte> capture(F&& body, const ft::trace::Options& opts = {}) {
  std::string path = temp_path("cap");
  if (!ft::trace::start(path, opts)) return {};
  body();
  ft::trace::stop();
  auto bytes = slurp(path);
  unlink(path.c_str());
  return bytes;
}

}  // namespace ft_test
