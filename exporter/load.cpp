#include "load.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "tracer/reader.hpp"

namespace ft::exporter {

Model load_trace(std::span<const std::byte> data) {
  ModelBuilder b;
  b.reserve(data.size() / 2);  // traces take 2..4 bytes per event (DESIGN.md §6)
  ft::trace::Tables tables;
  ft::trace::ReadResult rr =
      ft::trace::read(data, tables, [&](const ft::trace::Event& e) { b.add(e); });
  rr.bytes = data.size();
  // A trace whose program died has no symbols: name its frames from the binaries when they are
  // on this machine (same build-id), else they stay module+offset. FT_SYMBOLIZE=0 skips it.
  const char* env = std::getenv("FT_SYMBOLIZE");
  if (!env || std::string_view(env) != "0") ft::trace::resolve_symbols(tables);
  return b.finish(std::move(tables), std::move(rr));
}

namespace {

std::runtime_error io_error(const std::string& what, const std::string& path) {
  return std::runtime_error("cannot " + what + " " + path + ": " + std::strerror(errno));
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd > 0) ::close(fd);
  }
};

}  // namespace

Model load_trace_file(const std::string& path) {
  if (path == "-") {
    std::vector<std::byte> buf;
    std::byte chunk[1 << 16];
    for (;;) {
      ssize_t n = ::read(0, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw io_error("read", "stdin");
      if (n == 0) break;
      buf.insert(buf.end(), chunk, chunk + n);
    }
    return load_trace(buf);
  }
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) throw io_error("open", path);
  struct stat st;
  if (::fstat(f.fd, &st) != 0) throw io_error("stat", path);
  if (S_ISDIR(st.st_mode)) throw std::runtime_error("cannot read " + path + ": is a directory");
  if (!S_ISREG(st.st_mode) || st.st_size == 0) {
    // Pipes, devices and empty files: read them (mmap needs a regular, non-empty file).
    std::vector<std::byte> buf;
    std::byte chunk[1 << 16];
    for (;;) {
      ssize_t n = ::read(f.fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw io_error("read", path);
      if (n == 0) break;
      buf.insert(buf.end(), chunk, chunk + n);
    }
    return load_trace(buf);
  }
  size_t size = size_t(st.st_size);
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, f.fd, 0);
  if (p == MAP_FAILED) throw io_error("map", path);
  ::madvise(p, size, MADV_SEQUENTIAL);
  try {
    Model m = load_trace({static_cast<const std::byte*>(p), size});
    ::munmap(p, size);
    return m;
  } catch (...) {
    ::munmap(p, size);
    throw;
  }
}

}  // namespace ft::exporter
