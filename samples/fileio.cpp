// File I/O through ft::syscall: four `writer` fibers each write a 1 MiB file (write + fsync) and
// read it back, every blocking call wrapped in ft::syscall so that the worker's other fibers run
// elsewhere while it waits. In the trace each call is a syscall slice; a call that outlasts the
// hand-off threshold (~20 µs, an fsync usually does) hands its proc to another thread, which
// shows in the Threads row (InSyscall) and in the syscall blocking profile.
//
//   FT_TRACE=fileio.trace ./fileio        files in $TMPDIR (else /tmp), removed afterwards
//   FT_TRACE=fileio.trace ./fileio DIR    files in DIR
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <ft/ft.hpp>

constexpr size_t kFileSize = 1 << 20;
constexpr size_t kChunk = 64 << 10;

// Writes kFileSize bytes of `fill` to path, syncs, reads them back; true if they match.
bool write_and_check(const std::string& path, char fill) {
  int fd = ft::syscall([&] { return ::open(path.c_str(), O_CREAT | O_TRUNC | O_RDWR, 0600); });
  if (fd < 0) {
    std::perror(path.c_str());
    return false;
  }
  std::vector<char> buf(kChunk, fill);
  bool ok = true;
  for (size_t off = 0; ok && off < kFileSize; off += kChunk)
    ok = ft::syscall([&] { return ::write(fd, buf.data(), kChunk); }) == ssize_t(kChunk);
  ok = ok && ft::syscall([&] { return ::fsync(fd); }) == 0;
  for (size_t off = 0; ok && off < kFileSize; off += kChunk) {
    buf.assign(kChunk, 0);
    ok = ft::syscall([&] { return ::pread(fd, buf.data(), kChunk, off); }) == ssize_t(kChunk);
    for (char c : buf) ok = ok && c == fill;
  }
  ft::syscall([&] { return ::close(fd); });
  ::unlink(path.c_str());
  return ok;
}

void writer(std::string path, char fill, ft::Chan<bool> done) {
  done.send(write_and_check(path, fill));
}

int main(int argc, char** argv) {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = argc > 1 ? argv[1] : tmp && *tmp ? tmp : "/tmp";
  return ft::run([dir] {
    constexpr int kFiles = 4;
    ft::Chan<bool> done;
    for (int i = 0; i < kFiles; ++i) {
      std::string path =
          dir + "/fibertrace-fileio-" + std::to_string(::getpid()) + "-" + std::to_string(i);
      ft::go(writer, path, char('a' + i), done);
    }
    int good = 0;
    for (int i = 0; i < kFiles; ++i) good += done.recv();
    std::printf("%d of %d files written and read back\n", good, kFiles);
    return good == kFiles ? 0 : 1;
  });
}
