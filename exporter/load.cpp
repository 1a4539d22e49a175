#include "load.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "tracer/format.hpp"
#include "tracer/reader.hpp"

namespace ft::exporter {

Model load_trace(std::span<const std::byte> data) {
  ModelBuilder b;
  // Traces take 2..4 bytes per event, so the size predicts the model's vectors; but only for
  // what looks like a trace (anything can be handed in), and never more than a first stretch
  // (kMaxReserve events): past it the vectors grow as events really arrive.
  constexpr uint64_t kMaxReserve = 1u << 22;
  if (data.size() >= sizeof ft::trace::fmt::kMagic &&
      std::memcmp(data.data(), ft::trace::fmt::kMagic, sizeof ft::trace::fmt::kMagic) == 0)
    b.reserve(std::min<uint64_t>(data.size() / 2, kMaxReserve));
  ft::trace::Tables tables;
  ft::trace::ReadResult rr =
      ft::trace::read(data, tables, [&](const ft::trace::Event& e) { b.add(e); });
  rr.bytes = data.size();
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
