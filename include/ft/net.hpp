// TCP for fibers (Go's net package, the parts a server needs): a call that would block parks
// the fiber on the runtime's network poller, not the thread, so thousands of connections cost
// thousands of fibers and no threads. Traced, such waits are "network" blocks (Block::IO)
// naming the descriptor, and the trace viewer's Network blocking profile sums them.
//
//   ft::net::Listener l = ft::net::listen("127.0.0.1:0");   // port 0: any free port
//   ft::go([&] { ft::net::Conn c = ft::net::dial(l.addr()); c.write("hi", 2); });
//   ft::net::Conn c = l.accept();
//   char buf[64]; size_t n = c.read(buf, sizeof buf);       // 0 at end of stream
//
// Addresses: "127.0.0.1:8080", "[::1]:8080", ":8080" (every interface), "localhost:8080" (a
// name is resolved through ft::syscall, since getaddrinfo blocks).
// Errors are ft::net::Error (errno and a sentence); a call past its deadline throws
// ft::net::Timeout, and a call blocked when its Conn or Listener is closed throws an Error
// with EBADF ("use of closed network connection"). At most one fiber reads and one fiber
// writes a Conn at a time (a second one is a fatal misuse), as Go's net.Conn allows.
// Handles are move-only; destroying one closes it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ft::detail {
struct PollDesc;
}

namespace ft::net {

using Clock = std::chrono::steady_clock;  // the runtime's timers' clock (CLOCK_MONOTONIC)
using Deadline = Clock::time_point;       // Deadline{}: none

class Error : public std::runtime_error {
 public:
  Error(int err, const std::string& what) : std::runtime_error(what), err_(err) {}
  int code() const noexcept { return err_; }  // the errno

 private:
  int err_;
};

// A deadline passed (errno ETIMEDOUT).
class Timeout : public Error {
 public:
  using Error::Error;
};

class Conn {
 public:
  Conn() = default;
  Conn(Conn&& o) noexcept : pd_(o.pd_), seq_(o.seq_) { o.pd_ = nullptr; }
  Conn& operator=(Conn&& o) noexcept;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() { close(); }

  // Up to n bytes, at least 1 unless n == 0; 0 at end of stream.
  size_t read(void* buf, size_t n);
  // All n bytes (or an Error).
  void write(const void* buf, size_t n);
  void write(std::string_view s) { write(s.data(), s.size()); }
  void close();                   // wakes a blocked read or write (Error EBADF); idempotent
  void close_write();             // sends end of stream; reading goes on
  void set_deadline(Deadline d);  // both directions
  void set_read_deadline(Deadline d);
  void set_write_deadline(Deadline d);
  std::string local_addr() const;  // "127.0.0.1:40312", "[::1]:8080"
  std::string remote_addr() const;
  int fd() const;  // -1 once closed
  explicit operator bool() const { return fd() >= 0; }

 private:
  friend class Listener;
  friend Conn dial(std::string_view, std::chrono::nanoseconds);
  explicit Conn(detail::PollDesc* pd);
  // The runtime's descriptor and its generation: after close, calls fail as closed even if
  // the descriptor was reused (so close may race a blocked read, as in Go).
  detail::PollDesc* pd_ = nullptr;
  uint32_t seq_ = 0;
};

class Listener {
 public:
  Listener() = default;
  Listener(Listener&& o) noexcept : pd_(o.pd_), seq_(o.seq_) { o.pd_ = nullptr; }
  Listener& operator=(Listener&& o) noexcept;
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener() { close(); }

  Conn accept();
  void close();                   // wakes a blocked accept (Error EBADF); idempotent
  void set_deadline(Deadline d);  // for accept
  std::string addr() const;       // the bound address, with the real port after ":0"
  int fd() const;                 // -1 once closed
  explicit operator bool() const { return fd() >= 0; }

 private:
  friend Listener listen(std::string_view);
  explicit Listener(detail::PollDesc* pd);
  detail::PollDesc* pd_ = nullptr;
  uint32_t seq_ = 0;
};

Listener listen(std::string_view addr);
// timeout zero: none (the system's connect timeout still applies).
Conn dial(std::string_view addr,
          std::chrono::nanoseconds timeout = std::chrono::nanoseconds::zero());

// For a non-blocking descriptor of the caller's own (a pipe, an eventfd, another library's
// socket): park until it is readable / writable, or throw Timeout at the deadline. One fiber
// at a time per descriptor; the descriptor stays the caller's.
void wait_readable(int fd, Deadline d = {});
void wait_writable(int fd, Deadline d = {});

}  // namespace ft::net
